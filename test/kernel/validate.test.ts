// The kernel harness's pure parts: scenario checks, schedules, outcome keys. Run on any platform.

import { afterEach, describe, expect, it } from 'vitest';
import type { Scenario } from '../../model/scenario.ts';
import { HarnessUnavailable, decodeSockaddrIn, encodeSockaddrIn, errnoName, loadLibc } from '../../src/kernel/libc.ts';
import { schedule, symbolicPorts } from '../../src/kernel/ops.ts';
import { ScenarioError } from '../../src/errors.ts';
import { checkScenario } from '../../src/scenarios/load.ts';
import { decodeOutcome, encodeOutcome } from '../../src/kernel/witness-outcomes.ts';

const base: Scenario = {
  name: 's',
  sockets: [{ name: 'A' }, { name: 'B' }],
  setup: [{ op: 'bind', sk: 'A', addr: '127.0.0.1', port: 8080 }],
  threads: [
    [{ op: 'listen', sk: 'A' }, { op: 'close', sk: 'A' }],
    [{ op: 'bind', sk: 'B', addr: '0.0.0.0', port: 1 }, { op: 'syn', addr: '127.0.0.1', port: 8080 }],
  ],
};

const oneLine = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a throw');
};

describe('checkScenario', () => {
  it('accepts a sound scenario', () => {
    expect(checkScenario(base)).toBe(base);
  });

  it.each([
    [{ ...base, sockets: [{ name: 'A' }, { name: 'A' }] }, /used twice/],
    [{ ...base, threads: [[{ op: 'listen', sk: 'Z' }]] }, /names socket "Z"/],
    [{ ...base, threads: [[{ op: 'bind', sk: 'A', addr: '10.0.0.1', port: 1 }]] }, /addr "10.0.0.1"/],
    [{ ...base, threads: [[{ op: 'bind', sk: 'A', addr: '127.0.0.1', port: 70000 }]] }, /port must be/],
    [{ ...base, threads: [[{ op: 'syn', addr: '127.0.0.1' }]] }, /exactly one of port, portOf/],
    [{ ...base, threads: [[{ op: 'shutdown', sk: 'A' }]] }, /unknown op "shutdown"/],
    [{ ...base, sockets: [{ name: 'A', uid: -1 }] }, /uid must be/],
    [{ name: 'x', sockets: [] }, /"threads" must be/],
    [42, /not an object/],
  ])('rejects %# with a one-line ScenarioError', (bad, message) => {
    expect(oneLine(() => checkScenario(bad))).toMatch(message);
    expect(() => checkScenario(bad)).toThrow(ScenarioError);
  });
});

describe('schedule', () => {
  it('runs setup, then the order, then the rest thread by thread', () => {
    const refs = schedule(base, [1]).map((r) => `${r.thread}.${r.index}`);
    expect(refs).toEqual(['setup.0', '1.0', '0.0', '0.1', '1.1']);
  });

  it('defaults to threads in index order, each to completion', () => {
    expect(schedule(base).map((r) => `${r.thread}.${r.index}`)).toEqual(['setup.0', '0.0', '0.1', '1.0', '1.1']);
  });

  it('rejects an order that names a missing thread or too many ops', () => {
    expect(oneLine(() => schedule(base, [2]))).toMatch(/not a thread index/);
    expect(oneLine(() => schedule(base, [0, 0, 0]))).toMatch(/has only 2 ops/);
  });
});

describe('ports and outcomes', () => {
  it('lists distinct non-zero symbolic ports', () => {
    expect(symbolicPorts(base)).toEqual([1, 8080]);
  });

  it('round-trips a sockaddr_in', () => {
    expect(decodeSockaddrIn(encodeSockaddrIn('127.0.0.2', 8080))).toEqual({ addr: '127.0.0.2', port: 8080 });
    expect(() => encodeSockaddrIn('127.0.0', 1)).toThrow(/not an IPv4 address/);
  });

  it('names errnos', () => {
    expect(errnoName(98)).toBe(process.platform === 'linux' ? 'EADDRINUSE' : errnoName(98));
    expect(errnoName(-22)).toBe(errnoName(22));
  });

  it('packs and unpacks outcomes, numeric up to 6 results', () => {
    const shape = { nSetup: 2, threadOps: [1, 2] };
    const res = Int32Array.from([0, 98, 0, 98, 22]);
    const key = encodeOutcome(res, 0, 5);
    expect(typeof key).toBe('number');
    expect(decodeOutcome(key, shape)).toEqual({ 'setup.1': errnoName(98), 0: '0', '1.0': errnoName(98), '1.1': errnoName(22) });
    const long = Int32Array.from([0, 0, 0, 0, 0, 0, 98]);
    expect(encodeOutcome(long, 0, 7)).toBe('0,0,0,0,0,0,98');
  });
});

describe('HarnessUnavailable', () => {
  const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
  afterEach(() => Object.defineProperty(process, 'platform', platform));

  it('refuses to load off Linux with a one-line message', () => {
    Object.defineProperty(process, 'platform', { value: 'darwin' });
    expect(() => loadLibc()).toThrow(HarnessUnavailable);
    expect(oneLine(() => loadLibc())).toBe('the kernel harness needs Linux (this is darwin)');
  });
});
