// Checks a scenario before it touches the kernel, so a bad file gives one line, not a crash.
// Also the pure helpers both kernel runners share: symbolic ports and the op schedule.

import { ADDRESSES, type Op, type Scenario } from '../../model/scenario.ts';

import { ScenarioError } from '../errors.ts';

/** A scenario (or run option) the harness cannot execute; the message is one line. */
export { ScenarioError };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;

/** Throws ScenarioError naming the first problem; returns the scenario typed when it is sound. */
export function validateScenario(s: unknown): Scenario {
  if (!isObj(s)) throw new ScenarioError('scenario: not an object');
  const name = typeof s.name === 'string' ? s.name : '(unnamed)';
  const fail = (msg: string): never => {
    throw new ScenarioError(`scenario ${name}: ${msg}`);
  };
  if (!Array.isArray(s.sockets)) fail('"sockets" must be an array');
  if (!Array.isArray(s.threads) || !(s.threads as unknown[]).every(Array.isArray)) {
    fail('"threads" must be an array of op arrays');
  }
  if (s.setup !== undefined && !Array.isArray(s.setup)) fail('"setup" must be an array');

  const names = new Set<string>();
  (s.sockets as unknown[]).forEach((sk, i) => {
    if (!isObj(sk) || typeof sk.name !== 'string' || sk.name === '') fail(`socket ${i} needs a name`);
    const n = (sk as { name: string }).name;
    if (names.has(n)) fail(`socket name ${n} is used twice`);
    names.add(n);
    const uid = (sk as { uid?: unknown }).uid;
    if (uid !== undefined && !(Number.isInteger(uid) && (uid as number) >= 0 && (uid as number) < 0xffffffff)) {
      fail(`socket ${n}: uid must be an integer in [0, 2^32-1)`);
    }
  });

  const checkOp = (op: unknown, where: string): void => {
    if (!isObj(op)) return fail(`${where}: not an op object`);
    const sk = (field: string) => {
      const v = op[field];
      if (typeof v !== 'string' || !names.has(v)) fail(`${where}: ${field} ${JSON.stringify(v)} is not a socket`);
    };
    switch (op.op) {
      case 'bind':
        sk('sk');
        if (!(ADDRESSES as readonly unknown[]).includes(op.addr)) {
          fail(`${where}: addr ${JSON.stringify(op.addr)} is not one of ${ADDRESSES.join(', ')}`);
        }
        if (!isPort(op.port)) fail(`${where}: port must be an integer in [0, 65535]`);
        return;
      case 'listen':
        sk('sk');
        if (op.backlog !== undefined && !Number.isInteger(op.backlog)) fail(`${where}: backlog must be an integer`);
        return;
      case 'close':
        return sk('sk');
      case 'syn':
        if (!(ADDRESSES as readonly unknown[]).includes(op.addr)) {
          fail(`${where}: addr ${JSON.stringify(op.addr)} is not one of ${ADDRESSES.join(', ')}`);
        }
        if ((op.port === undefined) === (op.portOf === undefined)) fail(`${where}: syn needs exactly one of port, portOf`);
        if (op.port !== undefined && !(isPort(op.port) && op.port !== 0)) fail(`${where}: syn port must be in [1, 65535]`);
        if (op.portOf !== undefined) sk('portOf');
        return;
      default:
        return fail(`${where}: unknown op ${JSON.stringify(op.op)}`);
    }
  };
  ((s.setup ?? []) as unknown[]).forEach((op, i) => checkOp(op, `setup[${i}]`));
  (s.threads as unknown[][]).forEach((ops, t) => ops.forEach((op, i) => checkOp(op, `threads[${t}][${i}]`)));
  return s as unknown as Scenario;
}

/** Every op of the scenario, setup first. */
export function allOps(s: Scenario): Op[] {
  return [...(s.setup ?? []), ...s.threads.flat()];
}

/** The distinct non-zero symbolic ports the scenario names, ascending. */
export function symbolicPorts(s: Scenario): number[] {
  const ports = new Set<number>();
  for (const op of allOps(s)) {
    if ((op.op === 'bind' || op.op === 'syn') && op.port) ports.add(op.port);
  }
  return [...ports].sort((a, b) => a - b);
}

/** Whether any op binds the wildcard address (refused outside a private namespace). */
export function bindsWildcard(s: Scenario): boolean {
  return allOps(s).some((op) => op.op === 'bind' && op.addr === '0.0.0.0');
}

/** One op's place: a thread index (or "setup") and its index in that program. */
export interface OpRef {
  thread: number | 'setup';
  index: number;
}

/**
 * The sequential order of all ops: setup, then `order` (each entry runs the next op of that
 * thread), then whatever remains, thread by thread in index order, each to completion.
 */
export function schedule(s: Scenario, order: readonly number[] = []): OpRef[] {
  const refs: OpRef[] = (s.setup ?? []).map((_, index) => ({ thread: 'setup' as const, index }));
  const next = s.threads.map(() => 0);
  order.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= s.threads.length) {
      throw new ScenarioError(`order[${i}]: ${t} is not a thread index of ${s.name}`);
    }
    if (next[t] >= s.threads[t].length) {
      throw new ScenarioError(`order[${i}]: thread ${t} of ${s.name} has only ${s.threads[t].length} ops`);
    }
    refs.push({ thread: t, index: next[t]++ });
  });
  s.threads.forEach((ops, t) => {
    for (let index = next[t]; index < ops.length; index++) refs.push({ thread: t, index });
  });
  return refs;
}

/** The op an OpRef points to. */
export function opAt(s: Scenario, ref: OpRef): Op {
  return ref.thread === 'setup' ? s.setup![ref.index] : s.threads[ref.thread][ref.index];
}
