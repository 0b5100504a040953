import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNELS, findVariant } from '../../model/registry.ts';
import {
  ADDRESS_PAIRS, CALLS, FIRST_STATES, FLAGS, USERS, cellId, cells, combinationScenario, modelSequence, modelTable,
  type Combination,
} from '../../src/semantics/table.ts';
import { pairLookup, predict, threeScenario, type ThreeCombination } from '../../src/semantics/three.ts';
import { NOT_RUN, kernelAnswers } from '../../src/semantics/verify.ts';
import { semanticsData, semanticsMarkdown } from '../../src/semantics/page.ts';
import { SEMANTICS_PATH, SEMANTICS_RECORD_PATH, expectedSemanticsPage } from '../../src/cli/commands/semantics.ts';
import { runMain } from '../cli/in-process.ts';

const BIN = join(import.meta.dirname, '../../dist/cli.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const v43 = findVariant('linux-4.3')!, v618 = findVariant('linux-6.18')!;
const quirk: Combination = { a: 'both', b: 'SO_REUSEADDR', addresses: 'same specific', state: 'listening', user: 'same' };

describe('the cells', () => {
  it('cover every combination of flags, addresses, state, user and call exactly once', () => {
    const all = cells();
    expect(all).toHaveLength(FLAGS.length * FLAGS.length * ADDRESS_PAIRS.length * FIRST_STATES.length * USERS.length * CALLS.length);
    expect(all).toHaveLength(640);
    const ids = all.map(cellId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of FLAGS) for (const b of FLAGS) for (const { id } of ADDRESS_PAIRS) for (const state of FIRST_STATES) for (const user of USERS) for (const call of CALLS) {
      expect(ids.filter((x) => x === cellId({ a, b, addresses: id, state, user, call }))).toHaveLength(1);
    }
  });

  it('are the scenario their definition says: A placed, then B binds and listens, B of another uid for "different"', () => {
    expect(combinationScenario({ ...quirk, user: 'different' })).toMatchObject({
      sockets: [{ name: 'A', reuseaddr: true, reuseport: true }, { name: 'B', reuseaddr: true, uid: 1 }],
      threads: [[{ op: 'bind', sk: 'A', addr: '127.0.0.1' }, { op: 'listen', sk: 'A' }, { op: 'bind', sk: 'B', addr: '127.0.0.1' }, { op: 'listen', sk: 'B' }]],
    });
  });

  it('answer the README quirk: beside a SO_REUSEADDR|SO_REUSEPORT listener, 4.3 binds a SO_REUSEADDR socket (its listen fails), 6.18 refuses the bind', () => {
    expect(modelSequence(combinationScenario(quirk), v43)).toEqual({ bind: '0', listen: 'EADDRINUSE' });
    expect(modelSequence(combinationScenario(quirk), v618)).toEqual({ bind: 'EADDRINUSE', listen: 'bind: EADDRINUSE' });
    // Beside a merely bound A both kernels let B bind and listen.
    for (const v of [v43, v618]) expect(modelSequence(combinationScenario({ ...quirk, state: 'bound' }), v)).toEqual({ bind: '0', listen: '0' });
  });
});

describe('the three-socket search', () => {
  const rows = modelTable(KERNELS);
  // A SO_REUSEADDR bound on 0.0.0.0; B (both flags) bound there too; C SO_REUSEPORT of B's owner.
  const t: ThreeCombination = {
    a: { flags: 'SO_REUSEADDR', addr: '0.0.0.0', state: 'bound', uid: 0 },
    b: { flags: 'both', addr: '0.0.0.0', state: 'bound', uid: 0 },
    c: { flags: 'SO_REUSEPORT', addr: '0.0.0.0', uid: 0 },
  };
  it('predicts from the pairs: C beside A alone is refused, so the prediction is EADDRINUSE', () => {
    expect(predict(pairLookup(rows, 'linux-6.18'), t)).toEqual({ bind: 'EADDRINUSE', listen: 'bind: EADDRINUSE' });
  });
  it('finds that 6.18 binds C anyway: B left a FASTREUSEPORT_STRICT cache that C matches', () => {
    expect(modelSequence(threeScenario(t), v618)).toEqual({ bind: '0', listen: '0' });
    const d = semanticsData(KERNELS, null);
    expect(d.three.cases).toContainEqual(expect.objectContaining({ ...t, kernel: 'linux-6.18' }));
    expect(d.three.cases.every((c) => JSON.stringify(c.actual) !== JSON.stringify(c.predicted))).toBe(true);
  });
});

describe('--verify on this kernel', () => {
  const root = process.getuid?.() === 0;
  const sample: Combination[] = [
    quirk,
    { ...quirk, state: 'bound' },
    { a: 'SO_REUSEPORT', b: 'SO_REUSEPORT', addresses: 'same specific', state: 'listening', user: 'different' },
    { a: 'SO_REUSEPORT', b: 'SO_REUSEPORT', addresses: 'both wildcard', state: 'listening', user: 'same' },
    { a: 'none', b: 'none', addresses: 'different specific', state: 'listening', user: 'same' },
  ];
  for (const c of sample) {
    it(`${cellId({ ...c, call: 'bind' }).replace(/, B bind$/, '')}: the kernel answers as the 6.18 model${root || c.user === 'same' ? '' : ' (not run: needs root)'}`, () => {
      const k = kernelAnswers(combinationScenario(c));
      if (!root && c.user === 'different') expect(k).toBe(NOT_RUN);
      else expect(k).toEqual(modelSequence(combinationScenario(c), v618));
    });
  }
});

describe('--verify without root', () => {
  // Run as nobody: different owners (setfsuid) and 0.0.0.0 (a private namespace) need root.
  it.skipIf(process.getuid?.() !== 0)('marks the different-user and wildcard cells "not run (needs root)" and runs the rest', () => {
    const folder = mkdtempSync(join(tmpdir(), 'tlm-nobody-'));
    chmodSync(folder, 0o755);
    const script = join(folder, 'verify.mts');
    const src = join(import.meta.dirname, '../../src/semantics');
    writeFileSync(script, [
      `import { kernelAnswers } from ${JSON.stringify(join(src, 'verify.ts'))};`,
      `import { combinationScenario } from ${JSON.stringify(join(src, 'table.ts'))};`,
      `const c = { a: 'SO_REUSEPORT', b: 'SO_REUSEPORT', addresses: 'same specific', state: 'listening' };`,
      `console.log(JSON.stringify([{ ...c, user: 'different' }, { ...c, addresses: 'both wildcard', user: 'same' }, { ...c, user: 'same' }].map((x) => kernelAnswers(combinationScenario(x)))));`,
    ].join('\n'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: join(import.meta.dirname, '../..') });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([NOT_RUN, NOT_RUN, { bind: '0', listen: '0' }]);
  });
});

describe('docs/SEMANTICS.md', () => {
  it('is what `semantics` writes now (docs --check fails otherwise), and states its cell count', () => {
    const page = readFileSync(SEMANTICS_PATH, 'utf8');
    expect(page).toBe(expectedSemanticsPage());
    expect(page).toMatch(/\*\*640 cells\*\*: 320 combinations/);
  });

  it('names a disagreement between the kernel record and the model', () => {
    const record = JSON.parse(readFileSync(SEMANTICS_RECORD_PATH, 'utf8'));
    const key = 'A both, B SO_REUSEADDR, same specific, A listening, same user';
    record.pairs[key] = { bind: '0', listen: '0' };
    const d = semanticsData(KERNELS, record);
    expect(d.disagreements).toEqual([
      { cell: `${key}, B bind`, model: 'EADDRINUSE', kernel: '0' },
      { cell: `${key}, B listen`, model: 'bind: EADDRINUSE', kernel: '0' },
    ]);
    expect(semanticsMarkdown(d)).toMatch(/\*\*2 disagreements\*\*/);
  });
});

describe('the semantics command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tlm-semantics-'));
  // The page itself is worked out in this process (the model side is remembered there, so this
  // costs no second search); the refusal runs the real process.
  it('--out FILE writes the page; a second run refuses to replace it (without --force) before any work', async () => {
    const file = join(dir, 'table.md');
    const r = await runMain(['semantics', '--out', file]);
    expect(r.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(expectedSemanticsPage());
    writeFileSync(file, 'mine');
    const again = cli('semantics', '--out', file);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already exists; refusing to overwrite it/);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('--json prints every row with both kernels\' answers', async () => {
    const r = await runMain(['semantics', '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { cells: number; rows: { model: Record<string, unknown> }[] };
    expect(j.cells).toBe(640);
    expect(j.rows).toHaveLength(320);
    expect(j.rows.every((row) => Object.keys(row.model).join() === 'linux-4.3,linux-6.18')).toBe(true);
  });

  const bad: [string, string[], RegExp][] = [
    ['unknown flag', ['semantics', '--frob'], /Unknown option '--frob'/],
    ['--force alone', ['semantics', '--force'], /--force only makes sense with --out FILE/],
    ['--json with --out', ['semantics', '--json', '--out', join(dir, 'x.md')], /give one of them/],
    ['a positional', ['semantics', 'table'], /unexpected argument "table"/],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: one line, exit 2, nothing written`, async () => {
      const r = await runMain(args);
      expect(r.threw).toBe(undefined);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(dir, 'x.md'))).toBe(false);
    });
  }
});
