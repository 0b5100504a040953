import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkCitations, checkVariant, codeFragments, formatMismatch, variantCitations, type Citation, type FileReader,
} from '../../src/lines/check.ts';
import { LINES_CONTEXT, treeReader } from '../../src/cli/commands/lines.ts';
import { KERNELS } from '../../model/registry.ts';
import { MUTANTS, MUTATED_STEPS } from '../../model/mutants/index.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { parseRange } from '../../src/lines/check.ts';

const BIN = join(import.meta.dirname, '../../dist/cli.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

const FILE = [
  'int f(void)', //              1
  '{', //                        2
  '\tint a = 1;', //             3
  '\tif (a &&', //               4
  '\t    !b)  /* why */', //     5
  '\t\tg(a);', //                6
  '', //                         7
  '\treturn a;', //              8
  '}', //                        9
  '', //                         (the final newline)
].join('\n');
const read: FileReader = (p) => (p === 'f.c' ? FILE : undefined);
const at = (line: string, text?: string): Citation => ({ by: 'test', file: 'f.c', line, text });
const problems = (...cs: Citation[]) => checkCitations(cs, read).map((m) => m.problem);

describe('the rule: what a step text quotes', () => {
  it('drops /* */ notes and splits the code at ; { }', () => {
    expect(codeFragments('a = 1; if (x) { g(a); }  /* the model\'s words; not code */')).toEqual(['a = 1', 'if (x)', 'g(a)']);
    expect(codeFragments('/* only words */')).toEqual([]);
  });

  it('finds each fragment in exactly the cited range, across lines, whitespace normalised', () => {
    expect(problems(at('3', 'int a  =  1'), at('4-6', 'if (a && !b) g(a)'), at('3-8', 'int a = 1; return a'))).toEqual([]);
  });

  it('keeps identifiers apart and ignores the source\'s comments', () => {
    expect(problems(at('3', 'inta = 1'))).toHaveLength(1);
    expect(problems(at('5', 'why'))).toHaveLength(1);
    expect(problems(at('3', 'a = 1'), at('3', 'int a'))).toEqual([]);
    expect(problems(at('8', 'return a;'), at('6', 'g(a'), at('3', '= 1'))).toEqual([]);
    expect(problems(at('3', 'nt a = 1'), at('8', 'eturn'))).toEqual(['not in f.c: "nt a = 1" (cited at 3)', 'not in f.c: "eturn" (cited at 8)']);
  });

  it('says where a fragment outside the range is now, and names one that is nowhere', () => {
    expect(problems(at('3', 'return a'))).toEqual(['moved: f.c 3 -> 8  ("return a")']);
    expect(problems(at('3-4', 'int a = 1; g(a)'))).toEqual(['moved: f.c 3-4 -> 3-6  ("g(a)")']);
    expect(problems(at('3', 'a = 2'))).toEqual(['not in f.c: "a = 2" (cited at 3)']);
  });

  it('lets ... elide only inside the cited range', () => {
    expect(problems(at('4-6', 'if (a ... g(a)'))).toEqual([]);
    expect(problems(at('4-5', 'if (a ... g(a)'))).toHaveLength(1);
  });

  it('refuses texts without code, bad ranges and missing files; bare ranges must not end on a blank line', () => {
    expect(problems(at('3', '/* words */'))).toEqual(['the text quotes no code (only comments)']);
    expect(problems(at('8-3', 'a'), at('x', 'a'))).toHaveLength(2);
    expect(checkCitations([{ by: 't', file: 'g.c', line: '1', text: 'a' }], read)[0].problem).toBe('g.c is not in the tree');
    expect(problems(at('3-9'), at('3-7'), at('3-12'))).toEqual([
      'f.c 3-7 starts or ends on a blank line (7)', 'f.c 3-12 is past the end of the file (9 lines)',
    ]);
  });
});

describe('seed numbers', () => {
  it('every 4.3 step the seed numbers differently is one line lower in the seed, and only in inet_connection_sock.c', () => {
    const seeded = Object.values(linux43.programs).flatMap((p) => p.steps).filter((s) => s.seedLine !== undefined);
    expect(seeded.map((s) => s.id).sort()).toEqual(['backlog-reset', 'get-port', 'hash', 'publish-listen', 'queue-alloc', 'queue-destroy', 'rollback', 'set-sport']);
    for (const s of seeded) {
      expect(s.file).toBe('net/ipv4/inet_connection_sock.c');
      const [r, seed] = [parseRange(s.line)!, parseRange(s.seedLine!)!];
      expect([seed.from + 1, seed.to + 1], s.id).toEqual([r.from, r.to]);
    }
  });
});

const LINUX = join(import.meta.dirname, '../../../shared/linux');
const HAVE_TREES = existsSync(join(LINUX, '4.3')) && existsSync(join(LINUX, '6.18.2')) && existsSync(join(LINUX, '6.18.24'));
const treesTitle = HAVE_TREES
  ? 'against the kernel trees in ../shared/linux'
  : `against the kernel trees: skipped, ${LINUX} (the kernels' own files, beside the checkout) is not there`;

describe.skipIf(!HAVE_TREES)(treesTitle, () => {
  it('4.3 and 6.18.2: no mismatch, the kernel told by trying (the trees have no Makefile)', () => {
    for (const [tree, kernel] of [['4.3', 'linux-4.3'], ['6.18.2', 'linux-6.18']]) {
      const r = cli('lines', '--tree', join(LINUX, tree));
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^0 mismatches in \\d+ citations \\(${kernel}, its mutants and the properties\\)`));
      expect(r.status).toBe(0);
    }
  });

  it('6.18.24 as linux-6.18: the moved lines, with where they are now, exit 1', () => {
    const r = cli('lines', '--tree', join(LINUX, '6.18.24'), '--variant', 'linux-6.18');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('linux-6.18 listen/publish-listen: moved: icsk.c 1360 -> 1329  ("inet_sk_state_store(sk, TCP_LISTEN)")');
    expect(r.stdout).toContain('linux-6.18 listen/get-port: moved: icsk.c 1361 -> 1330');
    expect(r.stdout).toContain('linux-6.18 close/lock_sock: moved: tcp.c 3297 -> 3302'); // not bh_unlock_sock at 3296
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(`^${lines.length - 1} mismatches in \\d+ citations`));
  });

  it('every mutant alone, against its kernel\'s tree: no mismatch outside its changed steps', () => {
    const trees: Record<string, FileReader> = { '4.3': treeReader(join(LINUX, '4.3')), '6.18': treeReader(join(LINUX, '6.18.2')) };
    for (const m of MUTANTS) {
      const { checked, mismatches } = checkVariant(m, trees[m.kernel], LINES_CONTEXT);
      expect(mismatches.map(formatMismatch), m.id).toEqual([]);
      expect(checked).toBeGreaterThan(15);
    }
  });

  it('the changed steps are what is skipped: checked, some of them say what the kernel does not', () => {
    const changed = (k: string) => variantCitations(MUTANTS.filter((m) => m.kernel === k))
      .filter((c) => MUTATED_STEPS[c.by.split(' ')[0]].includes(c.by.split('/').pop()!));
    expect(checkCitations(changed('4.3'), treeReader(join(LINUX, '4.3'))).length).toBeGreaterThan(0);
    expect(checkCitations(changed('6.18'), treeReader(join(LINUX, '6.18.2'))).length).toBeGreaterThan(0);
  });

  it('a kernel checked against the other kernel\'s tree has mismatches', () => {
    const [k43, k618] = KERNELS;
    expect(checkVariant(k43, treeReader(join(LINUX, '6.18.2')), LINES_CONTEXT).mismatches.length).toBeGreaterThan(10);
    expect(checkVariant(k618, treeReader(join(LINUX, '4.3')), LINES_CONTEXT).mismatches.length).toBeGreaterThan(10);
  });
});

describe('lines on bad input: one line, exit 2', () => {
  const empty = mkdtempSync(join(tmpdir(), 'tlm-lines-'));
  const cases: [string, string[], RegExp][] = [
    ['no --tree', ['lines'], /--tree DIR is required/],
    ['missing tree', ['lines', '--tree', join(empty, 'absent')], /no such directory/],
    ['not a kernel tree', ['lines', '--tree', empty], /holds none of net\/ipv4\/af_inet.c/],
    ['unknown variant', ['lines', '--tree', HAVE_TREES ? join(LINUX, '4.3') : empty, '--variant', 'linux-9.9'], HAVE_TREES ? /unknown variant "linux-9.9"/ : /holds none of/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
