import { describe, expect, it } from 'vitest';
import { formatTraceJson, parseTraceFile, toTraceFile, TRACE_FORMAT } from '../../src/trace/json.ts';
import { UsageError } from '../../src/errors.ts';
import { bothFail } from './fixtures.ts';

const cx = bothFail();
const file = toTraceFile(cx, { by: 'check', seed: cx.seed, path: cx.path });
const copy = () => JSON.parse(formatTraceJson(file));
const error = (data: unknown) => {
  try {
    parseTraceFile(data, 'f.json');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('the JSON trace format', () => {
  it('holds the variant, scenario, schedule, steps and violation, and passes its own schema', () => {
    expect(file.format).toBe(TRACE_FORMAT);
    expect(file.version).toBe(1);
    expect(file.variant).toBe('linux-4.3');
    expect(file.scenario.name).toBe('listen-race-2');
    expect(file.steps).toHaveLength(cx.run.trace.length);
    expect(file.violation).toEqual({ propertyId: 'some-concurrent-listener-succeeds', message: cx.message, step: cx.run.violation!.step });
    expect(parseTraceFile(copy(), 'f.json')).toEqual(copy());
  });

  it('is byte-for-byte the same for the same counterexample', () => {
    expect(formatTraceJson(toTraceFile(bothFail(), { by: 'check', seed: cx.seed, path: cx.path }))).toBe(formatTraceJson(file));
    expect(formatTraceJson(file).endsWith('}\n')).toBe(true);
  });

  it('rejects a foreign or future file by its format or version field', () => {
    expect(error({ name: 'x', sockets: [] })).toBe('trace f.json: /format is missing: not a tcp-listen-model/trace file');
    expect(error({ ...copy(), format: 'other/trace' })).toBe('trace f.json: /format is "other/trace", not "tcp-listen-model/trace"');
    expect(error({ ...copy(), version: 2 })).toBe('trace f.json: /version is 2; this build reads version 1');
    expect(error([1, 2])).toMatch(/\(top level\) must be a JSON object/);
  });

  it('names the field at fault in a malformed trace', () => {
    const a = copy(); a.steps[3].changes = 'x';
    expect(error(a)).toBe('trace f.json: /steps/3/changes must be array');
    const b = copy(); delete b.schedule;
    expect(error(b)).toBe('trace f.json: /schedule is missing');
    const c = copy(); c.extra = 1;
    expect(error(c)).toBe('trace f.json: (top level) has unknown field "extra"');
    const d = copy(); d.schedule[0].thread = -1;
    expect(error(d)).toBe('trace f.json: /schedule/0/thread must be >= 0');
    const e = copy(); e.scenario.threads[0][0].sk = 'Z';
    expect(error(e)).toMatch(/^trace f\.json: \/scenario: \/threads\/0\/0 names socket "Z"/);
    const f = copy(); f.scenario.sockets = [];
    expect(error(f)).toMatch(/^trace f\.json: \/scenario\/sockets must NOT have fewer than 1 items/);
    const g = copy(); g.steps[4].n = 9;
    expect(error(g)).toBe('trace f.json: /steps/4/n is 9; steps are numbered 1, 2, 3, ...');
    const h = copy(); h.violation.step = 'x';
    expect(error(h)).toBe('trace f.json: /violation/step must be integer');
  });

  it('accepts a run without a violation', () => {
    expect(parseTraceFile({ ...copy(), violation: null }, 'f.json').violation).toBeNull();
  });
});
