import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MUTANTS } from '../../model/mutants/index.ts';
import { expectRefusal, runMain } from './in-process.ts';

const BIN = join(import.meta.dirname, '../../dist/cli.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('mutants', () => {
  it('kills every linux-4.3 mutant by the random checker, PCT and the explorer, and not the kernel', () => {
    const r = cli('mutants', '--base', 'linux-4.3', '--seeds', '1', '--no-timing', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout).rows as { id: string; random: { killed: boolean }; pct: { killed: boolean }; explorer: { killed: boolean; length: number } }[];
    const m43 = MUTANTS.filter((m) => m.mutant!.base === 'linux-4.3');
    expect(rows.map((x) => x.id)).toEqual([...m43.map((m) => m.id), 'linux-4.3']);
    for (const row of rows.slice(0, -1)) {
      expect(row.random.killed, row.id).toBe(true);
      expect(row.pct.killed, row.id).toBe(true);
      expect(row.explorer.killed, row.id).toBe(true);
      expect(row.explorer.length, row.id).toBeGreaterThan(0);
    }
    const kernel = rows[rows.length - 1];
    expect([kernel.random.killed, kernel.pct.killed, kernel.explorer.killed]).toEqual([false, false, false]);
  });

  it('names a mutant as a variant and exits 1 when check finds it broken', () => {
    const r = cli('check', '--variant', 'linux-4.3/no-rollback', '--scenario', 'listen-race-2', '--runs', '200');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/failure-restores-close\s+postcondition\s+\d+\s+violated\n/);
  });

  it('rejects an unknown mutant or base with one line and exit 2', async () => {
    for (const args of [['check', '--variant', 'linux-4.3/nope'], ['mutants', '--base', 'linux-9']]) expectRefusal(await runMain(args), args.join(' '));
  });
});
