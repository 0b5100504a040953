// `explore --workers N` from the command line: the same standard output as one worker, byte for
// byte, and a bad count refused in one line. TLM_WORKERS_FROM=0 has the workers expand every
// state (by default a search this small never starts them).

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { expectRefusal, runMain } from './in-process.ts';

const BIN = join(import.meta.dirname, '../../dist/cli.js');
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('explore --workers', () => {
  it('two workers print what one prints, byte for byte (verdicts, counts, counterexample traces)', () => {
    for (const args of [
      ['explore', '--scenario', 'mixed-three', '--variant', 'linux-6.18'],
    ]) {
      const one = cli([...args, '--workers', '1']);
      const two = cli([...args, '--workers', '2'], { TLM_WORKERS_FROM: '0' });
      expect(two.status, two.stderr).toBe(one.status);
      expect(two.stdout).toBe(one.stdout);
      expect(one.stdout.length).toBeGreaterThan(100);
    }
  });

  it('refuses 0, a negative, a fraction, an absurd count or more than the cores: one line, exit 2', async () => {
    const cores = availableParallelism();
    for (const [n, why] of [['0', /at least 1/], ['-2', /at least 1/], ['1.5', /whole number/], ['two', /whole number/], ['1000', /more than the \d+ cores/], [String(cores + 1), /more than the \d+ cores/]] as const) {
      for (const command of ['explore', 'outcomes']) {
        const r = await runMain([command, `--workers=${n}`]);
        expectRefusal(r, `${command} --workers ${n}`);
        expect(r.stderr).toMatch(/^tcp-listen-model: --workers/);
        expect(r.stderr).toMatch(why);
      }
    }
  });

  it('a search worker that dies: one line on stderr, no stack trace, exit 1, and the process ends (no worker left)', () => {
    // search-worker.ts's test hook: worker 0 exits before answering its 2nd chunk.
    const r = cli(['explore', '--scenario', 'listen-race-5', '--no-symmetry', '--workers', '2'], { TLM_WORKERS_FROM: '0', TLM_TEST_WORKER_EXIT: '2' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('tcp-listen-model: explore: search worker 1 of 2 exited (code 3) before the search ended; run again with --workers 1\n');
    expect(r.stdout).toBe('');
  });

  it('depth-first runs on one thread and says so on stderr, with the one-worker output', async () => {
    const args = ['explore', '--scenario', 'listen-race-3', '--strategy', 'dfs'];
    const one = await runMain([...args, '--workers', '1']);
    const two = await runMain([...args, '--workers', '2']);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toMatch(/^--workers 2: the depth-first search is sequential; running on one thread$/m);
    expect(one.stderr).not.toMatch(/--workers/);
  });
});
