import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../../src/engine/check.ts';
import { formatTraceJson, toTraceFile, type TraceFile } from '../../src/trace/json.ts';
import { replayTrace } from '../../src/trace/replay.ts';
import { PROPERTIES, findProperty } from '../../properties/registry.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { findVariant } from '../../model/registry.ts';
import { moveAfter } from '../../model/program.ts';
import type { Variant } from '../../model/variant.ts';
import { bothFail, cli } from './fixtures.ts';

const cx = bothFail();
const saved = (): TraceFile => JSON.parse(formatTraceJson(toTraceFile(cx)));
const dir = mkdtempSync(join(tmpdir(), 'tlm-replay-'));
const save = (name: string, data: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data, null, 2));
  return p;
};

describe('replayTrace', () => {
  it('reproduces a saved counterexample: same steps, same violation', () => {
    const r = replayTrace(saved(), linux43, PROPERTIES);
    expect(r.status).toBe('reproduces');
    expect(r.run.trace).toEqual(cx.run.trace);
    expect(r.run.violation).toEqual(cx.run.violation);
  });

  it('finds the step a hand edit changed', () => {
    const t = saved();
    const i = t.steps.findIndex((s) => s.stepId === 'get-port');
    t.steps[i].changes[0].to = 'validated';
    const r = replayTrace(t, linux43, PROPERTIES);
    expect(r.status).toBe('diverges');
    if (r.status !== 'diverges') return;
    expect(r.step).toBe(i + 1);
    expect(r.reason).toContain('life: raceWindow -> validated');
    expect(r.reason).toContain('life: raceWindow -> rejected');
  });

  it('finds a changed schedule at the first step it moves differently', () => {
    const t = saved();
    t.schedule = [{ thread: 1 - t.schedule[0].thread, steps: 1 }, ...t.schedule];
    const r = replayTrace(t, linux43, PROPERTIES);
    expect(r.status === 'diverges' && r.step).toBe(1);
  });

  it('reports a trace cut short, and a different violation', () => {
    const t = saved();
    t.steps = t.steps.slice(0, 10);
    const r = replayTrace(t, linux43, PROPERTIES);
    expect(r.status === 'diverges' && r.step).toBe(11);
    const u = saved();
    u.violation = { ...u.violation!, message: 'something else' };
    const s = replayTrace(u, linux43, PROPERTIES);
    expect(s.status === 'diverges' && s.reason).toMatch(/saved some-concurrent-listener-succeeds .*something else.*; now some-concurrent-listener-succeeds/);
  });

  it('diverges at the first step on a kernel whose lines differ', () => {
    const v618 = findVariant('linux-6.18');
    if (!v618) return;
    const r = replayTrace(saved(), v618, PROPERTIES);
    expect(r.status === 'diverges' && r.step).toBe(1);
  });

  it('reproduces the saved property when another one is violated first, and says so', () => {
    // Hashing before get_port: a SYN finds the socket, and the lifecycle breaks even earlier.
    const early: Variant = { ...linux43, id: 'test/hash-early', programs: { ...linux43.programs, listen: moveAfter(linux43.programs.listen, 'hash', 'publish-listen') } };
    const scenario = {
      name: 'syn-during-listen', sockets: [{ name: 'A', reuseaddr: true }],
      setup: [{ op: 'bind' as const, sk: 'A', addr: '127.0.0.1' as const, port: 8080 }],
      threads: [[{ op: 'listen' as const, sk: 'A' }], [{ op: 'syn' as const, addr: '127.0.0.1' as const, port: 8080 }]],
    };
    const [v] = checkProperties({
      variant: early, scenarios: [scenario], generated: false, properties: [findProperty('syn-finds-validated-listener')!],
      runs: 200, seed: 1, scheduler: 'random', depth: 2, merge: true,
    });
    expect(v.verdict).toBe('violated');
    const r = replayTrace(toTraceFile(v.counterexample!), early, PROPERTIES);
    expect(r.status).toBe('reproduces');
    expect(r.status === 'reproduces' && r.note).toMatch(/^with every property checked, \S+ at step \d+ .* comes first$/);
  });
});

describe('tcp-listen-model replay', () => {
  it('exits 0 when the trace reproduces', () => {
    const r = cli('replay', save('ok.json', saved()));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^reproduces: 18 steps, some-concurrent-listener-succeeds violated at step 18/m);
  });

  it('exits 1 and names the step when a hand-edited trace diverges', () => {
    const t = saved();
    const i = t.steps.findIndex((s) => s.stepId === 'publish-listen');
    t.steps[i].raceWindow = [];
    const r = cli('replay', save('edited.json', t));
    expect(r.status).toBe(1);
    // Only raceWindow differs, which showStep does not print: the message names the field.
    expect(r.stdout).toMatch(new RegExp(`^diverges at step ${i + 1}: raceWindow differs \\(saved \\[\\], now \\["[AB]"\\]\\): saved T\\d listen\\([AB]\\) publish-listen`, 'm'));
    expect(r.stdout).toContain('the run now:');
  });

  const bad: [string, string | object, RegExp][] = [
    ['a foreign JSON file', { name: 'x', sockets: [{ name: 'A' }], threads: [[{ op: 'listen', sk: 'A' }]] }, /trace .*foreign\.json: \/format is missing/],
    ['a future version', { ...saved(), version: 2 }, /\/version is 2; this build reads version 1/],
    ['a malformed step', (() => { const t = saved(); (t.steps[2] as { thread: unknown }).thread = 7; return t; })(), /\/steps\/2\/thread must be string/],
    ['an unknown variant', { ...saved(), variant: 'linux-9.9' }, /\/variant "linux-9\.9" is not a variant this build knows/],
    ['not JSON', '{nope', /is not JSON/],
  ];
  for (const [what, data, message] of bad) {
    it(`${what}: one line naming the field, exit 2`, () => {
      const r = cli('replay', save(what === 'a foreign JSON file' ? 'foreign.json' : `${what.replace(/\W+/g, '-')}.json`, data));
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }

  it('needs exactly one file', () => {
    expect(cli('replay').status).toBe(2);
    expect(cli('replay', join(dir, 'absent.json')).stderr).toMatch(/cannot read trace file .*ENOENT/);
  });
});
