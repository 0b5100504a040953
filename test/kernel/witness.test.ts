// The witness with syn ops: how a SYN's fate is read and held against the model (pure), and every
// built-in concurrent scenario raced on this kernel with only outcomes the model predicts (Linux).

import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../model/scenario.ts';
import { findVariant } from '../../model/registry.ts';
import { compileSystem } from '../../model/system.ts';
import { modelOutcome } from '../../src/cli/commands/kernel.ts';
import { explore } from '../../src/explore/explore.ts';
import { AF_INET, POLLIN, SOCK_STREAM, encodeSockaddrIn, errnoNumber, loadLibc, type Libc } from '../../src/kernel/libc.ts';
import { ensurePrivateNetns } from '../../src/kernel/netns.ts';
import { openSynClient, settleSyn } from '../../src/kernel/syn-probe.ts';
import { planRacers, runWitness } from '../../src/kernel/witness.ts';
import { SYN_ACCEPTED_BY, SYN_UNACCEPTED, decodeOutcome, modelReadings, synCode, type WitnessOutcome } from '../../src/kernel/witness-outcomes.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.ts';
import { runMain } from '../cli/in-process.ts';

const onLinux = process.platform === 'linux';
const root = process.getuid?.() === 0;
const v618 = findVariant('linux-6.18')!;
const synVsListenAndClose = BUILTIN_SCENARIOS.find((s) => s.name === 'syn-two-walks')!;

describe('reading a SYN of the witness', () => {
  it('decodes accepted-by codes to socket names, and the client errnos by name', () => {
    const shape = { nSetup: 0, threadOps: [2, 1], sockets: ['W', 'S'] };
    const key = (syn: number) => 0 + 0 * 256 + syn * 256 ** 2;
    expect(decodeOutcome(key(SYN_ACCEPTED_BY + 1), shape)).toEqual({ '0.0': '0', '0.1': '0', 1: 'S' });
    expect(decodeOutcome(key(SYN_ACCEPTED_BY), shape)).toEqual({ '0.0': '0', '0.1': '0', 1: 'W' });
    expect(decodeOutcome(key(SYN_UNACCEPTED), shape)[1]).toBe('unaccepted');
    expect(decodeOutcome(key(errnoNumber('ECONNRESET')!), shape)[1]).toBe('ECONNRESET');
    for (const r of ['unaccepted', 'hangup', 'ECONNREFUSED', 'ETIMEDOUT']) expect(decodeOutcome(key(synCode(r)), shape)[1]).toBe(r);
    expect(() => synCode('EWHAT')).toThrow(/no code for a syn result EWHAT/);
  });

  it('reads a SYN reset, dropped or left unaccepted by a closing listener as the model\'s SYN to that listener', () => {
    for (const fate of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'unaccepted']) {
      const readings = modelReadings({ '0.0': '0', '0.1': '0', 1: fate }, synVsListenAndClose);
      expect(readings.map((r) => r.outcome)).toEqual([{ '0.0': '0', '0.1': '0', 1: 'W' }]);
      expect(readings[0].note).toMatch(new RegExp(`^T1 ${fate}: the SYN reached W, which `));
    }
    for (const fate of ['S', 'ECONNREFUSED']) {
      expect(modelReadings({ '0.0': '0', '0.1': '0', 1: fate }, synVsListenAndClose)).toEqual([{ outcome: { '0.0': '0', '0.1': '0', 1: fate } }]);
    }
  });

  it('maps a reset onto each socket the threads close, and onto none when no thread closes one', () => {
    const twoClosed: Scenario = {
      name: 'two-closed', sockets: [{ name: 'A' }, { name: 'B' }],
      threads: [[{ op: 'close', sk: 'A' }, { op: 'close', sk: 'B' }], [{ op: 'syn', addr: '127.0.0.1', port: 1 }]],
    };
    const reset: WitnessOutcome = { '0.0': '0', '0.1': '0', 1: 'ECONNRESET' };
    expect(modelReadings(reset, twoClosed).map((r) => r.outcome[1])).toEqual(['A', 'B']);
    const noClose: Scenario = { ...twoClosed, threads: [[{ op: 'listen', sk: 'A' }], [{ op: 'syn', addr: '127.0.0.1', port: 1 }]] };
    expect(modelReadings({ 0: '0', 1: 'ECONNRESET' }, noClose)).toEqual([{ outcome: { 0: '0', 1: 'ECONNRESET' } }]);
    // Only a syn's result is read this way.
    expect(modelReadings({ '0.0': 'ECONNRESET', '0.1': '0', 1: 'A' }, twoClosed)).toEqual([{ outcome: { '0.0': 'ECONNRESET', '0.1': '0', 1: 'A' } }]);
  });

  it('gives each syn a client slot and its portOf socket; a syn in setup is refused in one line', () => {
    const ports = new Map([[8080, 40000]]);
    const closeAutobound = BUILTIN_SCENARIOS.find((s) => s.name === 'close-autobound')!;
    const plans = planRacers(closeAutobound, ports, [0, 1]);
    expect(plans[1].program).toEqual([expect.objectContaining({ kind: 3, sock: 0, client: 0 })]);
    expect(plans[1].layout.RES - plans[1].layout.CLI).toBe(1);
    const [, synPlan] = planRacers(synVsListenAndClose, ports, [0, 1]);
    const sa = Buffer.from(synPlan.program[0].sa!);
    expect([sa.readUInt16BE(2), `${sa[4]}.${sa[5]}.${sa[6]}.${sa[7]}`]).toEqual([40000, '127.0.0.1']);
    const setupSyn: Scenario = { ...synVsListenAndClose, setup: [{ op: 'syn', addr: '127.0.0.1', port: 8080 }] };
    expect(() => planRacers(setupSyn, ports, [0, 1])).toThrow(/^witness: setup\[0\] is a syn; the witness runs a syn only in a thread$/);
  });
});

describe.skipIf(!onLinux)('a SYN\'s fate on loopback (Linux)', () => {
  /** A listener on 127.0.0.1 at a port the kernel picks, and that port. */
  function listener(libc: Libc): [number, number] {
    const fd = libc.socket(AF_INET, SOCK_STREAM, 0);
    expect(libc.bind(fd, encodeSockaddrIn('127.0.0.1', 0))).toBe(0);
    expect(libc.listen(fd, 8)).toBe(0);
    const sa = libc.getsockname(fd);
    if (typeof sa === 'number') throw new Error('getsockname failed');
    return [fd, sa.port];
  }

  it('queued by a listener, refused without one, reset by the listener\'s close', () => {
    expect(ensurePrivateNetns().private).toBe(true);
    const libc = loadLibc();
    const connected = (port: number) => {
      const client = openSynClient(libc);
      expect(-libc.connect(client, encodeSockaddrIn('127.0.0.1', port))).toBe(errnoNumber('EINPROGRESS'));
      return client;
    };
    const [a, portA] = listener(libc);
    const [b] = listener(libc);
    let client = connected(portA);
    expect(settleSyn(libc, client, [b, a], 1000)).toEqual({ accepted: 1 });
    libc.close(client);
    libc.close(a); // portA has no listener now
    client = connected(portA);
    expect(settleSyn(libc, client, [b], 1000)).toEqual({ error: 'ECONNREFUSED' });
    libc.close(client);
    // Queued in b's accept queue, then b closes: inet_csk_listen_stop resets the child.
    const portB = (libc.getsockname(b) as { port: number }).port;
    client = connected(portB);
    expect(libc.poll([b], POLLIN, 1000)).toEqual([POLLIN]);
    libc.close(b);
    expect(settleSyn(libc, client, [], 1000)).toEqual({ error: 'ECONNRESET' });
    libc.close(client);
  });
});

/** The model's outcome set of a scenario, keyed as the witness keys a trial. */
function modelSet(s: Scenario): Set<string> {
  const model = explore({ variant: v618, scenario: s, properties: [], outcomes: true, symmetry: false });
  expect(model.truncated).toBeFalsy();
  const sys = compileSystem(s, v618);
  return new Set((model.outcomes ?? []).map((o) => JSON.stringify(modelOutcome(sys, o.returns))));
}

const concurrent = BUILTIN_SCENARIOS.filter((s) => s.threads.length >= 2);

describe.skipIf(!onLinux)('every built-in concurrent scenario on this kernel (Linux)', () => {
  it('covers the scenarios with a syn', () => {
    expect(concurrent.filter((s) => s.threads.flat().some((op) => op.op === 'syn')).length).toBeGreaterThanOrEqual(6);
  });

  for (const s of concurrent) {
    const needsRoot = s.sockets.some((sk) => sk.uid !== undefined);
    it.skipIf(needsRoot && !root)(`${s.name}: 200 racing trials, each outcome one the model predicts`, async () => {
      const predicted = modelSet(s);
      const w = await runWitness(s, { trials: 200 });
      expect(w.trials).toBe(200);
      expect(w.outcomes.reduce((n, o) => n + o.count, 0)).toBe(200);
      expect(w.leftoverSockets).toBe(0);
      for (const { outcome, count } of w.outcomes) {
        const readings = modelReadings(outcome, s).map((r) => JSON.stringify(r.outcome));
        expect(readings.some((r) => predicted.has(r)), `${JSON.stringify(outcome)} (${count} times) is not in the model's set ${[...predicted].join(' ')}`).toBe(true);
      }
    });
  }
});

describe.skipIf(!onLinux)('the witness command with a syn (Linux)', () => {
  it('shows a SYN reset by its listener\'s close as the model\'s SYN to that listener, witnessed', async () => {
    const r = await runMain(['witness', '--scenario', 'listen-vs-close', '--trials', '300', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { kernel: Array<{ outcome: WitnessOutcome; predicted: boolean; model?: WitnessOutcome; note?: string }>; modelNotSeen: WitnessOutcome[] };
    const notSeen = new Set(j.modelNotSeen.map((o) => JSON.stringify(o)));
    for (const row of j.kernel) {
      expect(row.predicted, JSON.stringify(row)).toBe(true);
      if (row.outcome[2] === 'A' || row.outcome[2] === 'B' || row.outcome[2] === 'ECONNREFUSED') {
        expect(row.model).toBeUndefined();
      } else {
        expect(row.model).toEqual({ ...row.outcome, 2: 'A' });
        expect(row.note).toMatch(/^T2 \S+: the SYN reached A, which /);
        expect(notSeen.has(JSON.stringify(row.model))).toBe(false);
      }
    }
  });
});
