// The CLI itself under random input: random argument vectors for the commands that need no
// kernel, over random scenario and trace files (valid ones, valid ones with one node mutated,
// any JSON, and files that never end). Whatever the input: exit 0, 1 or 2; on 2 one line on
// stderr and nothing on stdout; never a stack trace; nothing written outside --out.
//
// main() runs in this process (no spawn), from test/setup.ts's fixed seed, 40 runs; with
// FC_SEED=random it runs 300 from a random seed (FC_RUNS=<n> for another count).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { generatedScenario } from '../../src/engine/generate.ts';
import { runMain, snapshot } from './in-process.ts';

const RUNS = Number(process.env.FC_RUNS ?? (process.env.FC_SEED === 'random' ? 300 : 40));
const box = mkdtempSync(join(tmpdir(), 'tlm-fuzz-'));
const at = (...p: string[]) => join(box, ...p);
let trace: unknown;
let serial = 0;

beforeAll(async () => {
  writeFileSync(at('afile'), 'x\n');
  mkdirSync(at('full'));
  writeFileSync(at('full', 'x.txt'), 'mine\n');
  mkdirSync(at('empty'));
  symlinkSync('/dev/zero', at('zero.json'));
  spawnSync('mkfifo', [at('fifo.json')]);
  writeFileSync(at('big.json'), '');
  truncateSync(at('big.json'), 17 * 2 ** 20);
  mkdirSync(at('inputs'));
  const r = await runMain(['check', '--scenario', 'listen-race-2', '--property', 'some-concurrent-listener-succeeds', '--runs', '300', '--out', at('cx')]);
  expect(r.status).toBe(0);
  trace = JSON.parse(readFileSync(at('cx', readdirSync(at('cx')).find((f) => f.endsWith('.json'))!), 'utf8'));
});

/** Every path to a node of a JSON value, objects and arrays included. */
function paths(v: unknown, here: (string | number)[] = []): (string | number)[][] {
  const below = Array.isArray(v) ? v.flatMap((x, i) => paths(x, [...here, i]))
    : v !== null && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => paths(x, [...here, k])) : [];
  return [here, ...below];
}

/** `v` with one node replaced by `by` (or removed, when `by` is undefined); the root is replaced whole. */
function mutate(v: unknown, pick: number, by: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(v));
  const all = paths(copy);
  const path = all[pick % all.length];
  if (path.length === 0) return by;
  const parent = path.slice(0, -1).reduce((o: any, k) => o[k], copy);
  const key = path[path.length - 1];
  if (by === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else parent[key] = by;
  return copy;
}

/** What an input file holds: valid, mutated, anything at all, or a file that never ends. */
const contents = (valid: fc.Arbitrary<unknown>) => fc.oneof(
  { arbitrary: valid.map((v) => ({ json: v })), weight: 4 },
  { arbitrary: fc.tuple(valid, fc.nat(), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined })).map(([v, pick, by]) => ({ json: mutate(v, pick, by) })), weight: 3 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ json: v })), weight: 1 },
  { arbitrary: fc.string({ maxLength: 20 }).map((text) => ({ text })), weight: 1 },
  { arbitrary: fc.constantFrom('zero.json', 'fifo.json', 'big.json', 'empty', 'absent.json').map((special) => ({ special })), weight: 1 },
);

/** Writes an input file for one run; returns its path. */
function inputFile(c: { json?: unknown; text?: string; special?: string }): string {
  if (c.special !== undefined) return at(c.special);
  const p = at('inputs', `${serial++}.json`);
  writeFileSync(p, c.text ?? JSON.stringify(c.json) ?? 'null');
  return p;
}

const hostile = fc.oneof(fc.constantFrom('', '0', '-1', 'abc', '1e3', '99999999999', ' 5', ',,,', '1:2:3'), fc.string({ maxLength: 3 }));
/** Mostly a good value, sometimes a hostile one: every option hostile would test the first refusal only. */
const small = (lo: number, hi: number) => fc.oneof({ arbitrary: fc.integer({ min: lo, max: hi }).map(String), weight: 8 }, { arbitrary: hostile, weight: 1 });
const scenarioName = fc.constantFrom('listen-race-2', 'listen-race-3', 'listen-vs-bind', 'close-vs-rebind', 'mixed-three', 'reuseport-pair', 'generated', 'listen-race-2', 'listen-vs-close', 'listen-race-99', 'nope');

type Opt = [string, fc.Arbitrary<string | null>];
const flag = fc.constant(null);
const CHECK: Opt[] = [
  ['--variant', fc.constantFrom('linux-4.3', 'linux-6.18', 'linux-4.3/no-rollback', 'linux-9')], ['--property', fc.constantFrom('no-deadlock', 'some-concurrent-listener-succeeds', 'no-deadlock,,no-deadlock', '', 'nope')],
  ['--runs', small(1, 20)], ['--seed', small(0, 5)], ['--path', fc.constantFrom('0', '1:0', '0:0:0', '', 'x', '3')], ['--scheduler', fc.constantFrom('random', 'pct', 'fair')],
  ['--depth', small(1, 4)], ['--no-merge', flag], ['--json', flag],
];
const EXPLORE: Opt[] = [
  ['--variant', fc.constantFrom('linux-4.3', 'linux-6.18', 'linux-4.3/no-rollback')], ['--strategy', fc.constantFrom('bfs', 'dfs', 'ids')],
  ['--max-states', small(1, 3000)], ['--max-seconds', small(1, 3)], ['--max-memory', small(30, 64)], ['--no-symmetry', flag], ['--no-merge', flag], ['--json', flag],
];
const POOLS: Record<string, Opt[]> = {
  check: CHECK,
  report: CHECK,
  explore: [...EXPLORE, ['--property', fc.constantFrom('no-deadlock', '', 'nope', 'two-socket-rule')]],
  outcomes: EXPLORE.filter(([name]) => name !== '--no-symmetry'),
  replay: [['--variant', fc.constantFrom('linux-4.3', 'linux-6.18', 'linux-9')], ['--quiet', flag]],
  statechart: [['--format', fc.constantFrom('mermaid', 'json', 'svg')]],
  variants: [['--json', flag]],
  scenarios: [['--json', flag]],
  properties: [['--json', flag]],
};
/** Bounds added when the vector does not set them, so that every run is quick. */
const SAFE: Record<string, string[]> = { check: ['--runs', '5'], report: ['--runs', '5'], explore: ['--max-states', '3000', '--max-seconds', '3'], outcomes: ['--max-states', '3000', '--max-seconds', '3'] };

const argvArb = fc.constantFrom(...Object.keys(POOLS)).chain((command) => fc.record({
  command: fc.constant(command),
  options: fc.subarray(POOLS[command]).chain((opts) => fc.tuple(...opts.map(([name, value]) => value.map((v) => (v === null ? [name] : [name, v]))))),
  scenario: fc.option(fc.oneof(scenarioName.map((name) => ({ name })), contents(generatedScenario()).map((file) => ({ file }))), { nil: undefined }),
  trace: contents(fc.constant(null).map(() => trace)),
  out: fc.option(fc.constantFrom('fresh', 'fresh', 'fresh', 'full', 'afile', 'empty', '', '/proc/x', 'afile/sub'), { nil: undefined, freq: 2 }),
  force: fc.boolean(),
  junk: fc.oneof({ arbitrary: fc.constant([]), weight: 6 }, { arbitrary: fc.array(fc.oneof(fc.constantFrom('--frob', 'stray', '-x', '--runs', '--out', '--json'), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 2 }), weight: 1 }),
}));

describe('the CLI under random input', () => {
  test.prop([argvArb], { numRuns: RUNS })('exit 0/1/2, one stderr line on 2, no stack trace, nothing written outside --out', async (a) => {
    const argv: string[] = [a.command];
    if (a.command === 'replay') argv.push(inputFile(a.trace));
    for (const o of a.options) argv.push(...o);
    const uses = (f: string) => argv.includes(f) || (a.junk as string[]).includes(f);
    if (['check', 'report', 'explore', 'outcomes'].includes(a.command) && a.scenario) {
      argv.push('--scenario', 'name' in a.scenario ? a.scenario.name! : inputFile(a.scenario.file!));
    }
    // --out for the commands that write; report always gets one (it needs it), mostly a fresh folder.
    const writes = ['check', 'report', 'explore', 'outcomes'].includes(a.command);
    const choice = !writes ? undefined : a.out ?? (a.command === 'report' ? 'fresh' : undefined);
    const out = choice === undefined ? undefined : choice === 'fresh' ? at(`out-${serial++}`) : choice.startsWith('/') || choice === '' ? choice : at(choice);
    if (out !== undefined) argv.push('--out', out);
    if (a.force && out !== undefined) argv.push('--force');
    for (let i = 0; i < (SAFE[a.command]?.length ?? 0); i += 2) if (!uses(SAFE[a.command][i])) argv.push(SAFE[a.command][i], SAFE[a.command][i + 1]);
    argv.push(...a.junk);

    const outside = (p: string) => out !== undefined && out !== '' && (p === out || p.startsWith(out + '/'));
    const before = snapshot(box, outside);
    const cwd = readdirSync(process.cwd()).sort();
    const r = await runMain(argv);
    const shown = JSON.stringify(argv);
    expect(r.threw, `${shown}: threw ${String((r.threw as Error | undefined)?.stack)}`).toBe(undefined);
    expect([0, 1, 2], `${shown}: exit ${r.status}; ${r.stderr}`).toContain(r.status);
    expect(r.stderr, shown).not.toMatch(/\n\s+at /);
    if (r.status === 2) {
      expect(r.stderr.trimEnd().split('\n'), `${shown}: ${r.stderr}`).toHaveLength(1);
      expect(r.stdout, shown).toBe('');
    }
    expect(snapshot(box, outside), `${shown}: changed files outside --out`).toEqual(before);
    expect(readdirSync(process.cwd()).sort(), `${shown}: the working folder`).toEqual(cwd);
  });
});
