// The README's promises about the command line, one defect of issue 10 at a time, where the
// answer is not a refusal: exit codes, what goes to stdout and stderr, what the kernel harness
// touches, and Ctrl-C.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from './in-process.ts';
import { modelOutcome } from '../../src/cli/commands/kernel.ts';
import { explore } from '../../src/explore/explore.ts';
import { compileSystem } from '../../model/system.ts';
import { findVariant } from '../../model/registry.ts';
import { allocatePorts } from '../../src/kernel/ports.ts';
import { decodeSockaddrIn, type Libc } from '../../src/kernel/libc.ts';
import type { Scenario } from '../../model/scenario.ts';

const BIN = join(import.meta.dirname, '../../dist/cli.js');
const box = mkdtempSync(join(tmpdir(), 'tlm-promises-'));
const linux = process.platform === 'linux';
const root = process.getuid?.() === 0;

/** Issue 10's item 5: two SO_REUSEPORT sockets of different users; B's setup bind fails. */
const W5: Scenario = {
  name: 'w5', sockets: [{ name: 'A', reuseport: true, uid: 1 }, { name: 'B', reuseport: true, uid: 2 }],
  setup: [{ op: 'bind', sk: 'A', addr: '127.0.0.1', port: 8080 }, { op: 'bind', sk: 'B', addr: '127.0.0.1', port: 8080 }],
  threads: [[{ op: 'listen', sk: 'A' }], [{ op: 'listen', sk: 'B' }]],
};

describe('exit codes: one rule for every command', () => {
  it('explore: a bound reached before the expected violation is not as expected (exit 1)', async () => {
    const r = await runMain(['explore', '--max-states', '1']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/NOT PROVEN/);
    expect(r.stdout).toMatch(/some-concurrent-listener-succeeds\s+not proven \(a violation is expected here: not as expected\)/);
    expect((await runMain(['explore', '--json', '--max-states', '1'])).status).toBe(1);
    expect((await runMain(['explore'])).status).toBe(0);
  });

  it('check --scheduler pct passes with its default depth, chosen from the scenario', async () => {
    const r = await runMain(['check', '--scheduler', 'pct', '--scenario', 'listen-race-2']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/pct scheduler \(depth 3\)/);
    expect(r.stdout).toMatch(/some-concurrent-listener-succeeds\s+outcome\s+\d+\s+violated as expected/);
  });

  it('a property named twice is checked once', async () => {
    const r = await runMain(['check', '--scenario', 'listen-race-2', '--runs', '10', '--json', '--property', 'no-deadlock', '--property', 'no-deadlock,no-deadlock']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).properties.map((p: { id: string }) => p.id)).toEqual(['no-deadlock']);
  });

  it('replay: a trace whose saved results were edited does not reproduce (exit 1)', async () => {
    const out = join(box, 'cx');
    expect((await runMain(['check', '--scenario', 'listen-race-2', '--property', 'some-concurrent-listener-succeeds', '--runs', '300', '--out', out])).status).toBe(0);
    const file = join(out, readdirSync(out).find((f) => f.endsWith('.json'))!);
    const t = JSON.parse(readFileSync(file, 'utf8'));
    expect((await runMain(['replay', file])).status).toBe(0);
    t.results = { T0: ['0'], T1: ['0'] };
    const edited = join(box, 'claims.json');
    writeFileSync(edited, JSON.stringify(t));
    const r = await runMain(['replay', edited, '--quiet']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/the results differ: saved T0 0, T1 0; now T0 EADDRINUSE, T1 EADDRINUSE/);
  });
});

describe('output paths', () => {
  it('a scenario named by 300 characters still gets files it can write, named apart', async () => {
    const p = join(box, 'long.json');
    const scenario = JSON.parse(JSON.stringify({
      name: 'n'.repeat(300), sockets: [{ name: 'A', reuseaddr: true }, { name: 'B', reuseaddr: true }],
      setup: [{ op: 'bind', sk: 'A', addr: '127.0.0.1', port: 80 }, { op: 'bind', sk: 'B', addr: '127.0.0.1', port: 80 }],
      threads: [[{ op: 'listen', sk: 'A' }], [{ op: 'listen', sk: 'B' }]],
    }));
    writeFileSync(p, JSON.stringify(scenario));
    const out = join(box, 'long-out');
    const r = await runMain(['check', '--scenario', p, '--property', 'some-concurrent-listener-succeeds', '--runs', '300', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const files = readdirSync(out);
    expect(files).toHaveLength(2);
    for (const f of files) expect(Buffer.byteLength(f)).toBeLessThanOrEqual(255);
    expect((await runMain(['replay', join(out, files.find((f) => f.endsWith('.json'))!)])).status).toBe(0);
  });

  it('docs --out replaces an existing file only with --force', async () => {
    const p = join(box, 'page.md');
    writeFileSync(p, 'mine\n');
    expect((await runMain(['docs', '--out', p])).status).toBe(2);
    expect(readFileSync(p, 'utf8')).toBe('mine\n');
  });
});

describe('figures that depend on the machine go to stderr', () => {
  it('explore under a memory bound prints the states reached on stderr only', async () => {
    const r = await runMain(['explore', '--scenario', 'listen-race-8', '--no-symmetry', '--max-memory', '32']);
    expect(r.stdout).toMatch(/NOT PROVEN \(bound reached: memory\)/);
    expect(r.stdout).not.toMatch(/states \d+/);
    expect(r.stderr).toMatch(/\d+ states, \d+ transitions, max depth \d+ before the memory bound/);
    const j = JSON.parse((await runMain(['explore', '--scenario', 'listen-race-8', '--no-symmetry', '--max-memory', '32', '--json'])).stdout);
    expect(j.stats.states).toBeUndefined();
  });

  it.skipIf(!linux)('witness prints seconds and trials per second on stderr only', async () => {
    const r = await runMain(['witness', '--trials', '200']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/\/s\b| s,/);
    expect(r.stderr).toMatch(/^timing: 200 trials in [\d.]+ s, [\d,]+\/s$/m);
    const j = JSON.parse((await runMain(['witness', '--trials', '50', '--json'])).stdout);
    expect(j.seconds).toBeUndefined();
    expect(j.trialsPerSecond).toBeUndefined();
  });
});

describe('the kernel harness', () => {
  it("keys the model's outcomes as the kernel's, setup results included", () => {
    const v = findVariant('linux-6.18')!;
    const sys = compileSystem(W5, v);
    const model = explore({ variant: v, scenario: W5, properties: [], outcomes: true, symmetry: false });
    expect(model.outcomes!.map((o) => modelOutcome(sys, o.returns))).toEqual([{ 'setup.1': 'EADDRINUSE', 0: '0', 1: '0' }]);
  });

  it.skipIf(!linux || !root)('witness predicts a failed setup op (no false UNPREDICTED)', async () => {
    const p = join(box, 'w5.json');
    writeFileSync(p, JSON.stringify(W5));
    const r = await runMain(['witness', '--scenario', p, '--trials', '100']);
    expect(r.stdout).toMatch(/setup\.1 EADDRINUSE\s+predicted/);
    expect(r.status).toBe(0);
  });

  it('probes free ports on 127.0.0.1 only, never on a host address', () => {
    const bound: string[] = [];
    let fd = 10;
    const libc = { socket: () => fd++, close: () => 0, bind: (_fd: number, sa: Buffer) => { bound.push(decodeSockaddrIn(sa).addr); return bound.length % 3 === 0 ? -98 : 0; } } as unknown as Libc;
    const ports = allocatePorts(libc, [8080, 1, 2, 3]);
    expect(ports.size).toBe(4);
    expect(bound.length).toBeGreaterThan(4);
    expect(new Set(bound)).toEqual(new Set(['127.0.0.1']));
  });

  it.skipIf(!linux || !root)('a user other than root runs witness and conform; a scenario that needs a second uid says so in one line', () => {
    const asNobody = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', uid: 65534, gid: 65534, env: { ...process.env, TLM_NO_BUNDLE: '1', HOME: '/tmp' }, cwd: '/tmp' });
    const w = asNobody('witness', '--trials', '100');
    expect(w.stderr).not.toMatch(/\n\s+at /);
    expect(w.status, w.stderr).toBe(0);
    expect(w.stdout).toMatch(/every kernel outcome is one the model predicts/);
    // conform's scenarios bind 0.0.0.0: without a private namespace (root), one line says why.
    const c = asNobody('conform', '--runs', '20');
    expect(c.status, c.stderr).toBe(2);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
    expect(c.stderr).toMatch(/conform binds 0\.0\.0\.0, which needs a private network namespace/);
    const w5 = join(box, 'w5-nobody.json');
    writeFileSync(w5, JSON.stringify(W5), { mode: 0o644 });
    chmodSync(box, 0o755);
    const two = asNobody('witness', '--scenario', w5, '--trials', '10');
    expect(two.status).toBe(2);
    expect(two.stderr.trim().split('\n')).toHaveLength(1);
    expect(two.stderr).toMatch(/creates a socket owned by uid \d+, which needs root/);
  });
});

/**
 * Starts the CLI, interrupts it after `wait` ms, and returns what it printed. Node takes SIGINT
 * from its start, so there is no outside sign that the search began; a signal that came before
 * the CLI installed its handler kills the process (status null), and the run is tried again,
 * waiting longer.
 */
async function interrupt(args: string[], wait = 1500): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  await new Promise((r) => setTimeout(r, wait));
  child.kill('SIGINT');
  const status = await done;
  if (status === null && wait < 20_000) return interrupt(args, wait * 2);
  return { status, stdout, stderr };
}

describe.skipIf(!linux)('Ctrl-C', () => {
  it('explore prints what it searched, marked INTERRUPTED and NOT PROVEN, and exits 130', async () => {
    const r = await interrupt(['explore', '--scenario', 'listen-race-12', '--no-symmetry']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(130);
    expect(r.stdout).toMatch(/^result: INTERRUPTED, NOT PROVEN/m);
    expect(r.stdout).toMatch(/no-deadlock\s+not proven/);
    expect(r.stderr).toMatch(/before the interrupt/);
  });

  it('witness prints the counts so far, marked INTERRUPTED and NOT PROVEN, and exits 130', async () => {
    const r = await interrupt(['witness', '--seconds', '600']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(130);
    expect(r.stdout).toMatch(/trials \(INTERRUPTED\)/);
    expect(r.stdout).toMatch(/^INTERRUPTED: the counts above cover the trials run so far; NOT PROVEN$/m);
    expect(existsSync(BIN)).toBe(true);
  });
});
