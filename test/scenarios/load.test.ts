// Whatever a scenario file holds, loading it either gives a scenario the model can run or fails
// with a UsageError (one line, exit 2 in the CLI); never another exception.
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { checkScenario } from '../../src/scenarios/load.ts';
import { UsageError } from '../../src/errors.ts';
import { compileSystem, ScenarioError } from '../../model/system.ts';
import { findVariant } from '../../model/registry.ts';
import { generatedScenario } from '../../src/engine/generate.ts';

const accepts = (data: unknown): 'ok' | 'refused' => {
  try {
    const s = checkScenario(data, 'fuzz');
    compileSystem(s, findVariant('linux-6.18')!);
    return 'ok';
  } catch (e) {
    if (e instanceof UsageError || e instanceof ScenarioError) {
      expect((e as Error).message).not.toMatch(/\n/);
      return 'refused';
    }
    throw e;
  }
};

describe('scenario files', () => {
  test.prop([fc.anything()], { numRuns: 300 })('any JSON value is a scenario or a one-line refusal', (data) => {
    accepts(data);
  });

  test.prop([generatedScenario(), fc.string(), fc.jsonValue()], { numRuns: 300 })(
    'a valid scenario with one field broken is a scenario or a one-line refusal',
    (scenario, key, value) => {
      expect(accepts(scenario)).toBe('ok');
      const broken = JSON.parse(JSON.stringify(scenario));
      // Break a field of an object (arrays would take the key "length" as a resize).
      const objects = [broken, broken.sockets[0], broken.threads[0][0]];
      objects[key.length % objects.length][key || 'name'] = value;
      accepts(broken);
    },
  );
});
