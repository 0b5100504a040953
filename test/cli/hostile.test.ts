// Hostile input, command by command: each row must be refused with exit 2, one line on stderr,
// nothing on stdout, no stack trace, and no file in the sandbox (or the working folder) changed.
// The rows are the defects of issue 10 and their neighbours; main() runs in this process.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefusal, runMain, snapshot } from './in-process.ts';

const box = mkdtempSync(join(tmpdir(), 'tlm-hostile-'));
const at = (...p: string[]) => join(box, ...p);
const TRACE = 'some-concurrent-listener-succeeds.listen-race-2.linux-4.3.json';
const long = 'x'.repeat(300);

/** A trace check wrote, edited by `edit` and saved as `name` in the sandbox. */
function editedTrace(name: string, edit: (t: Record<string, any>) => void): string {
  const t = JSON.parse(readFileSync(at('cx', TRACE), 'utf8'));
  edit(t);
  writeFileSync(at(name), JSON.stringify(t));
  return at(name);
}

beforeAll(async () => {
  writeFileSync(at('afile'), 'x\n');
  mkdirSync(at('full'));
  writeFileSync(at('full', 'x.txt'), 'mine\n');
  mkdirSync(at('empty'));
  mkdirSync(at('hasreport'));
  writeFileSync(at('hasreport', 'report.html'), 'mine\n');
  symlinkSync('/dev/zero', at('zero.json'));
  symlinkSync('/dev/urandom', at('urandom.json'));
  spawnSync('mkfifo', [at('fifo.json')]);
  writeFileSync(at('big.json'), '');
  truncateSync(at('big.json'), 17 * 2 ** 20);
  mkdirSync(at('dir.json'));
  writeFileSync(at('notjson.json'), '{nope');
  writeFileSync(at('docs.md'), 'mine\n');
  const made = await runMain(['check', '--scenario', 'listen-race-2', '--property', 'some-concurrent-listener-succeeds', '--runs', '300', '--out', at('cx')]);
  expect(made.status).toBe(0);
  const withSchedule = (t: Record<string, any>) => { if (t.schedule.length === 0) t.schedule = [{ thread: 0, steps: 1 }]; };
  editedTrace('thread2.json', (t) => { withSchedule(t); t.schedule[0].thread = 2; });
  editedTrace('thread256.json', (t) => { withSchedule(t); t.schedule[0].thread = 256; });
  editedTrace('thread2p32.json', (t) => { withSchedule(t); t.schedule[0].thread = 2 ** 32; });
  editedTrace('results-thread.json', (t) => { t.results.T7 = ['0']; });
  editedTrace('results-count.json', (t) => { t.results.T0 = ['0', '0']; });
  editedTrace('step-thread.json', (t) => { t.steps[0].thread = 'T9'; });
  editedTrace('claims.json', (t) => { t.results = { T0: ['0'], T1: ['0'] }; });
});

const LISTEN2 = ['--scenario', 'listen-race-2'];

/** command -> rows [what, argv after the command name]. Paths are functions: the sandbox exists only once beforeAll ran. */
const TABLES: Record<string, [string, () => string[]][]> = {
  check: [
    ['--out names a file', () => [...LISTEN2, '--runs', '20', '--out', at('afile')]],
    ['--out below a file', () => [...LISTEN2, '--runs', '20', '--out', at('afile', 'sub')]],
    ['--out /dev/null', () => [...LISTEN2, '--runs', '20', '--out', '/dev/null']],
    ['--out /proc/x', () => [...LISTEN2, '--runs', '20', '--out', '/proc/x']],
    ['--out /sys/x', () => [...LISTEN2, '--runs', '20', '--out', '/sys/x']],
    ['--out with a 300-character name', () => [...LISTEN2, '--runs', '20', '--out', at(long)]],
    ['--out empty', () => [...LISTEN2, '--runs', '20', '--out', '']],
    ['--out a folder with files in it', () => [...LISTEN2, '--runs', '20', '--out', at('full')]],
    ['--force without --out', () => [...LISTEN2, '--runs', '20', '--force']],
    ['--path that leads nowhere', () => [...LISTEN2, '--path', '2:3:4']],
    ['--path far beyond --runs', () => ['--runs', '5', '--path', '99999999999']],
    ['--path at --runs', () => ['--runs', '5', '--path', '5']],
    ['--path not numbers', () => ['--path', 'abc']],
    ['--path empty', () => ['--path', '']],
    ['--property empty', () => ['--property', '']],
    ['--property only commas', () => ['--property', ',,,']],
    ['a flag given twice', () => ['--runs', '5', '--runs', '6']],
    ['--depth without pct', () => [...LISTEN2, '--depth', '3']],
    ['scenario is /dev/zero', () => ['--scenario', at('zero.json')]],
    ['scenario is /dev/urandom', () => ['--scenario', at('urandom.json')]],
    ['scenario is a FIFO', () => ['--scenario', at('fifo.json')]],
    ['scenario of 17 MiB', () => ['--scenario', at('big.json')]],
    ['scenario is a folder', () => ['--scenario', at('dir.json')]],
    ['scenario is not JSON', () => ['--scenario', at('notjson.json')]],
    ['seed not a number', () => ['--seed', 'x']],
    ['a stray argument', () => ['stray']],
  ],
  explore: [
    ['--out names a file', () => ['--out', at('afile')]],
    ['--out empty', () => ['--out', '']],
    ['--out /proc/x', () => ['--out', '/proc/x']],
    // Refused before the search: were it refused after, this search would run for minutes.
    ['--out a folder with files in it, on a long search', () => ['--scenario', 'listen-race-12', '--no-symmetry', '--out', at('full')]],
    ['--property empty', () => ['--property', '']],
    ['--max-states 0', () => ['--max-states', '0']],
    ['--max-memory below 32', () => ['--max-memory', '8']],
    ['--strategy unknown', () => ['--strategy', 'astar']],
    ['a flag given twice', () => ['--max-states', '1', '--max-states', '2']],
    ['scenario is /dev/zero', () => ['--scenario', at('zero.json')]],
    ['scenario is a FIFO', () => ['--scenario', at('fifo.json')]],
    ['--force without --out', () => ['--force']],
  ],
  outcomes: [
    ['--out names a file', () => ['--out', at('afile')]],
    ['--out empty', () => ['--out', '']],
    ['--out a folder with files in it, on a long search', () => ['--scenario', 'listen-race-12', '--out', at('full')]],
    ['--no-symmetry (outcomes never uses it)', () => ['--no-symmetry']],
    ['scenario is a FIFO', () => ['--scenario', at('fifo.json')]],
    ['--max-seconds 0', () => ['--max-seconds', '0']],
    ['--property (explore only)', () => ['--property', 'no-deadlock']],
  ],
  mutants: [
    ['--out empty', () => ['--seeds', '1', '--out', '']],
    ['--out names a file', () => ['--seeds', '1', '--out', at('afile')]],
    ['--out a folder with files in it', () => ['--seeds', '1', '--out', at('full')]],
    ['--seeds 0', () => ['--seeds', '0']],
    ['--base unknown', () => ['--base', 'linux-9']],
    ['--force without --out', () => ['--force']],
    ['a flag given twice', () => ['--seeds', '1', '--seeds', '2']],
  ],
  report: [
    ['no --out', () => []],
    ['--out empty', () => ['--out', '']],
    ['--out names a file (the reason says so)', () => ['--out', at('afile')]],
    ['--out holds a report.html', () => ['--out', at('hasreport')]],
    ['--out /dev/null', () => ['--out', '/dev/null']],
    ['--out /proc/x', () => ['--out', '/proc/x']],
    ['--path that leads nowhere', () => ['--out', at('empty'), '--runs', '20', '--path', '1:2:3:4:5:6:7:8:9']],
    ['--property only commas', () => ['--out', at('empty'), '--property', ',,,']],
  ],
  replay: [
    ['no file', () => []],
    ['two files', () => [at('thread2.json'), at('thread2.json')]],
    ['a missing file', () => [at('absent.json')]],
    ['/dev/zero', () => [at('zero.json')]],
    ['a FIFO', () => [at('fifo.json')]],
    ['17 MiB', () => [at('big.json')]],
    ['schedule thread 2 of 2', () => [at('thread2.json')]],
    ['schedule thread 256', () => [at('thread256.json')]],
    ['schedule thread 2^32', () => [at('thread2p32.json')]],
    ['results of a thread the scenario lacks', () => [at('results-thread.json')]],
    ['more results than ops', () => [at('results-count.json')]],
    ['a step on a thread the scenario lacks', () => [at('step-thread.json')]],
    ['--variant unknown', () => [at('claims.json'), '--variant', 'linux-9']],
  ],
  docs: [
    ['--out a folder', () => ['--out', box]],
    ['--out an existing file without --force', () => ['--out', at('docs.md')]],
    ['--out empty', () => ['--out', '']],
    ['--out /proc/x', () => ['--out', '/proc/x']],
    ['--out in a folder that does not exist', () => ['--out', at('nowhere', 'p.md')]],
    ['--witness missing, with --check', () => ['--check', '--witness', at('absent.json')]],
    ['--witness is /dev/zero', () => ['--check', '--witness', at('zero.json')]],
    ['--force without --out', () => ['--force']],
  ],
  witness: [
    ['--force without --save', () => ['--force']],
    ['--seconds and --trials', () => ['--seconds', '1', '--trials', '5']],
    ['--save an existing file without --force', () => ['--save', at('afile')]],
    ['--save a folder, with --force', () => ['--save', box, '--force']],
    ['--save in a folder that does not exist', () => ['--save', at('nowhere', 'x.json')]],
    ['--save empty', () => ['--save', '']],
    ['--trials 0', () => ['--trials', '0']],
    ['scenario is /dev/zero', () => ['--scenario', at('zero.json')]],
  ],
  conform: [
    ['--path not numbers', () => ['--path', 'abc', '--runs', '5']],
    ['--path empty', () => ['--path', '', '--runs', '5']],
    ['--path at --runs', () => ['--path', '9', '--runs', '5']],
    ['--runs 0', () => ['--runs', '0']],
    ['a flag given twice', () => ['--runs', '1', '--runs', '2']],
    ['a stray argument', () => ['stray']],
  ],
  statechart: [
    ['--format unknown', () => ['--format', 'svg']],
    ['a flag given twice', () => ['--format', 'json', '--format', 'mermaid']],
    ['a stray argument', () => ['stray']],
  ],
  variants: [['a stray argument', () => ['stray']], ['a flag given twice', () => ['--json', '--json']], ['an unknown flag', () => ['--frob']]],
  scenarios: [['a stray argument', () => ['stray']], ['a flag given twice', () => ['--json', '--json']]],
  properties: [['a stray argument', () => ['stray']], ['an unknown flag', () => ['--frob']]],
  bench: [['a stray argument', () => ['stray']], ['a flag given twice', () => ['--quick', '--quick']]],
};

describe('hostile input: refused with one line, exit 2, nothing changed', () => {
  for (const [command, rows] of Object.entries(TABLES)) {
    describe(command, () => {
      for (const [what, args] of rows) {
        it(what, async () => {
          if (command === 'witness' || command === 'conform') {
            if (process.platform !== 'linux') return;
          }
          const before = snapshot(box);
          const cwd = readdirSync(process.cwd()).sort();
          const r = await runMain([command, ...args()]);
          expectRefusal(r, `${command} ${what}`);
          expect(snapshot(box), 'the sandbox').toEqual(before);
          expect(readdirSync(process.cwd()).sort(), 'the working folder').toEqual(cwd);
        });
      }
    });
  }

  it('no command at all is one line on stderr too', async () => {
    expectRefusal(await runMain([]), 'no command');
    expectRefusal(await runMain(['frobnicate']), 'unknown command');
  });

  it('a read-only folder as --out is refused for a user who cannot write it', () => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return; // needs a second user to test
    mkdirSync(at('ro'));
    chmodSync(at('ro'), 0o555);
    chmodSync(box, 0o755);
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '../../dist/cli.js'), 'check', ...LISTEN2, '--runs', '5', '--out', at('ro', 'sub')], { encoding: 'utf8', uid: 65534, gid: 65534, env: { ...process.env, TLM_NO_BUNDLE: '1', HOME: '/tmp' } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not writable/);
  });

  /** How many hostile inputs each command's table tries (the closing note of issue 10 lists them). */
  it('counts', () => {
    const counts = Object.fromEntries(Object.entries(TABLES).map(([c, rows]) => [c, rows.length]));
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
  });
});

describe('the reasons given', () => {
  const reason = async (argv: string[]) => (await runMain(argv)).stderr;
  it('report --out FILE says it is not a folder, not that report.html exists', async () => {
    expect(await reason(['report', '--out', at('afile')])).toMatch(/--out .*afile is not a folder/);
  });
  it('replay names the thread the scenario lacks', async () => {
    expect(await reason(['replay', at('thread2.json')])).toMatch(/\/schedule\/0\/thread is 2; scenario listen-race-2 has threads 0 to 1/);
  });
  it('docs --check with a missing --witness is bad input, not a stale page', async () => {
    expect(await reason(['docs', '--check', '--witness', at('absent.json')])).toMatch(/cannot read witness file .*ENOENT/);
  });
  it('an endless file is named as not a regular file', async () => {
    expect(await reason(['check', '--scenario', at('zero.json')])).toMatch(/not a regular file/);
    expect(await reason(['check', '--scenario', at('big.json')])).toMatch(/more than the 16 MiB/);
  });
});
