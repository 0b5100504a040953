import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkSynProperty, hashBeforeGetPort, synNeverInRaceWindow } from '../examples/custom-property.ts';
import { linux43 } from '../model/variants/linux-4.3/index.ts';

describe('examples/custom-property.ts', () => {
  it('the new property holds on Linux 4.3', () => {
    const v = checkSynProperty(linux43);
    expect(v.id).toBe(synNeverInRaceWindow.id);
    expect(v.verdict).toBe('holds');
    expect(v.runs).toBe(300);
  });

  it('catches a SYN delivered in the race window when the socket is hashed before get_port', () => {
    const v = checkSynProperty(hashBeforeGetPort);
    expect(v.verdict).toBe('violated');
    const cx = v.counterexample!;
    expect(cx.message).toBe('a SYN reached A in lifecycle state raceWindow');
    const last = cx.run.trace.at(-1)!;
    // The lookup walks the chain step by step; its last step returns what it found.
    expect([last.stepId, last.returned]).toEqual(['lookup-done', 'A']);
    expect(last.raceWindow).toEqual(['A']);
  });

  it('runs as a script', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../examples/custom-property.ts')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^linux-4\.3: syn-never-in-race-window holds \(300 runs\)$/m);
    expect(r.stdout).toMatch(/^example\/hash-before-get-port: syn-never-in-race-window violated/m);
    expect(r.stdout).toMatch(/^violated: syn-never-in-race-window at step \d+: a SYN reached A/m);
  });
});
