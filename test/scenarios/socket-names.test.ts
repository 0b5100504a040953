// One check of a scenario's socket names, shared by the file loader and the model's compiler.
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../model/scenario.ts';
import { compileSystem } from '../../model/system.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { checkScenario } from '../../src/scenarios/load.ts';
import { ScenarioError, UsageError } from '../../src/errors.ts';

const twoSockets = (threads: Scenario['threads'], names = ['A', 'B']): Scenario => ({
  name: 'names', sockets: names.map((name) => ({ name })), threads,
});

describe('socket names', () => {
  it.each([
    ['a socket no op creates', twoSockets([[{ op: 'listen', sk: 'A' }], [{ op: 'close', sk: 'C' }]]), 'scenario names: /threads/1/0 names socket "C", which the scenario does not create'],
    ['a SYN to the port of a socket no op creates', twoSockets([[{ op: 'syn', addr: '127.0.0.1', portOf: 'Z' }]]), 'scenario names: /threads/0/0 names socket "Z", which the scenario does not create'],
    ['two sockets of one name', twoSockets([[{ op: 'listen', sk: 'A' }]], ['A', 'A']), 'scenario names: two sockets share a name'],
  ])('%s: the loader and compileSystem give the same ScenarioError', (_, scenario, message) => {
    for (const attempt of [() => checkScenario(scenario, 'names'), () => compileSystem(scenario, linux43)]) {
      expect(attempt).toThrow(ScenarioError);
      expect(attempt).toThrow(UsageError);
      expect(attempt).toThrow(message);
    }
  });

  it('a scenario whose ops name only its own sockets passes both', () => {
    const s = twoSockets([[{ op: 'listen', sk: 'A' }], [{ op: 'syn', addr: '127.0.0.1', portOf: 'B' }]]);
    expect(checkScenario(s, 'names')).toBe(s);
    expect(compileSystem(s, linux43).scenario).toBe(s);
  });
});
