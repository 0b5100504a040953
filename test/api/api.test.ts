import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// Through the package's own "exports", as a user imports it.
import * as api from 'tcp-listen-model';
import { fc, modelRun, scenarioArb, scheduleArb, test } from 'tcp-listen-model/vitest';

const root = join(import.meta.dirname, '../..');

describe('the package entry points', () => {
  it('"exports" names the built library and vitest helper with their types, and the build made them', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.exports).toEqual({
      '.': { types: './dist/types/src/index.d.ts', default: './dist/index.js' },
      './vitest': { types: './dist/types/src/vitest.d.ts', default: './dist/vitest.js' },
      './package.json': './package.json',
    });
    const files = [pkg.bin['tcp-listen-model'], ...Object.values(pkg.exports as Record<string, string | Record<string, string>>).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))];
    for (const f of files) expect(existsSync(join(root, f)), f).toBe(true);
  });

  it('exports what defining a scenario, a property and a variant and running them needs', () => {
    for (const name of [
      'checkProperties', 'runSchedule', 'compileSystem', 'effectiveSchedule', 'moveAfter', 'replaceStep', 'patchStep',
      'findVariant', 'loadScenario', 'checkScenario', 'formatTraceText', 'traceToMermaid', 'toTraceFile', 'readTraceFile',
      'replayTrace', 'writeCounterexamples', 'statechartMermaid', 'statechartJson', 'reportFromCheck', 'writeReport', 'randomKill',
    ]) expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    expect(api.PROPERTIES.length).toBeGreaterThan(10);
    expect(api.KERNELS.map((k) => k.id)).toContain('linux-4.3');
    expect(api.kernel.RES_SYN_TO).toBe(16);
  });

  it('runs check from code', () => {
    const [v] = api.checkProperties({
      variant: api.findVariant('linux-4.3')!, scenarios: [api.listenRace(2)], generated: false,
      properties: [api.findProperty('some-concurrent-listener-succeeds')!], runs: 300, seed: 1, scheduler: 'random', depth: 2, merge: true,
    });
    expect(v.verdict).toBe('violated as expected');
    const file = api.toTraceFile(v.counterexample!);
    expect(api.replayTrace(file, api.findVariant('linux-4.3')!, api.PROPERTIES).status).toBe('reproduces');
  });
});

describe('tcp-listen-model/vitest', () => {
  test.prop([scenarioArb(), scheduleArb()], { numRuns: 60, seed: 11 })(
    'no two validated listeners conflict on linux-4.3, whatever the scenario and schedule',
    (scenario, schedule) => {
      expect(modelRun(scenario, schedule, { properties: ['no-conflicting-listeners', 'hashed-implies-validated'] }).violation).toBeNull();
    },
  );

  test.prop([scheduleArb({ maxSegments: 6 })], { numRuns: 300, seed: 2 })('modelRun gives one result list per thread and one trace step per step', (schedule) => {
    const r = modelRun(api.listenRace(2), schedule, { variant: 'linux-4.3', properties: ['some-concurrent-listener-succeeds'] });
    expect(r.variant.id).toBe('linux-4.3');
    expect(Object.keys(r.results)).toEqual(['T0', 'T1']);
    expect(r.trace.length).toBe(r.steps);
  });

  it('finds the both-fail race through fc.check', () => {
    const scenario = api.listenRace(2);
    const out = fc.check(fc.property(scheduleArb(), (s) => modelRun(scenario, s, { properties: ['some-concurrent-listener-succeeds'], trace: false }).violation === null), { seed: 1, numRuns: 500 });
    expect(out.failed).toBe(true);
  });

  it('resolves variants and properties by id, and refuses unknown ones', () => {
    const r = modelRun(api.listenRace(1), [], { variant: 'linux-4.3', properties: ['listen-success-is-listening'] });
    expect(r.results).toEqual({ T0: ['0'] });
    expect(() => modelRun(api.listenRace(1), [], { properties: ['nope'] })).toThrow(/unknown property "nope"/);
    expect(() => modelRun(api.listenRace(1), [], { variant: 'linux-9.9' })).toThrow(/unknown variant "linux-9.9"/);
  });
});

describe('explore and outcomes from code', () => {
  it('proves a property on a scenario and lists the outcome set', async () => {
    const api = await import('../../src/index.ts');
    const variant = api.findVariant('linux-4.3')!;
    const r = api.explore({ variant, scenario: api.listenRace(2), properties: [api.findProperty('no-conflicting-listeners')!] });
    expect(r.truncated).toBe(false);
    expect(r.properties[0].verdict).toBe('holds');
    const o = api.outcomes({ variant, scenario: api.listenRace(2) });
    expect(o.complete).toBe(true);
    expect(o.outcomes).toHaveLength(3);
  });
});
