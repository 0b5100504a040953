// A setup the variant cannot run although its kernel can is a finding about the variant (exit 1,
// named per scenario), not bad input (issue 12: a user's patch file under `check` with the
// built-in scenarios); a setup the kernel itself refuses stays bad input (exit 2).
import { describe, expect, it } from 'vitest';
import { applyMutation } from '../../model/mutants/common.ts';
import { registerVariant } from '../../model/registry.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { splitSetupFindings } from '../../src/engine/setup.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.ts';
import { runMain } from './in-process.ts';

// The same change as examples/publish-after-get-port.ts: the LISTEN store moved after get_port,
// so the statechart refuses GET_PORT_OK before LISTEN is published, in any setup with a listen().
const moved = registerVariant(applyMutation(linux43, {
  id: 'publish-moved-test',
  steps: ['publish-listen'],
  change: 'sk_state = TCP_LISTEN stored after get_port.',
  effect: 'test only',
  edits: [{ program: 'listen', move: 'publish-listen', after: 'get-port' }],
}).variant);

describe('a setup the variant cannot run', () => {
  it('splits the built-in scenarios into the runnable and one finding per refused setup, each naming the kernel that runs it', () => {
    const { runnable, findings } = splitSetupFindings(moved, BUILTIN_SCENARIOS);
    const withSetupListen = BUILTIN_SCENARIOS.filter((s) => (s.setup ?? []).some((op) => op.op === 'listen'));
    expect(findings).toHaveLength(withSetupListen.length);
    expect(runnable.map((s) => s.name)).toEqual(BUILTIN_SCENARIOS.filter((s) => !withSetupListen.includes(s)).map((s) => s.name));
    expect(findings[0]).toMatch(/^linux-4.3\/publish-moved-test cannot run the setup of scenario \S+, which linux-4.3 runs: \w+: lifecycle refuses GET_PORT_OK in state bound \(lifecycle-legal broken before the threads start\)$/);
  });

  it('check reports them and runs the rest: exit 1, no stack trace', async () => {
    const r = await runMain(['check', '--variant', moved.id, '--runs', '20']);
    expect(r.threw).toBeUndefined();
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^setup finding: .*listen-vs-close, which linux-4.3 runs/m);
    expect(r.stdout).toMatch(/\d+ properties: /);
  });

  it('explore on one such scenario: one finding line, exit 1', async () => {
    const r = await runMain(['explore', '--variant', moved.id, '--scenario', 'listen-vs-close']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tcp-listen-model: finding: .* cannot run the setup of scenario listen-vs-close/);
  });

  it('diff counts it as a difference: exit 1', async () => {
    const r = await runMain(['diff', '--from', 'linux-4.3', '--to', moved.id, '--scenario', 'listen-vs-close']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^setup finding: /m);
  });

  it('leaves scenarios it can set up alone, and bad input is still exit 2', async () => {
    const race = await runMain(['explore', '--variant', moved.id, '--scenario', 'listen-race-2']);
    expect(race.stderr).not.toMatch(/finding:/);
    expect(race.stdout).toMatch(/violated/);
    const bad = await runMain(['explore', '--variant', moved.id, '--scenario', '/nonexistent.json']);
    expect(bad.status).toBe(2);
  });
});
