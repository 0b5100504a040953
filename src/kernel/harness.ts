// Runs a scenario on the real kernel, one op at a time in a chosen order, and records what each
// syscall returned. This is the ground truth the model's sequential runs are compared with.

import type { Op, OpResult, Scenario } from '../../model/scenario.ts';
import {
  SOL_SOCKET,
  SO_ACCEPTCONN,
  encodeSockaddrIn,
  errnoName,
  errnoNumber,
  loadLibc,
  type Libc,
} from './libc.ts';
import { enterLoopback } from './netns.ts';
import { allocatePorts, invertPorts, type PortMap } from './ports.ts';
import { openScenarioSocket } from './sockets.ts';
import { openSynClient, settleSyn } from './syn-probe.ts';
import { bindsWildcard, opAt, schedule, symbolicPorts, type OpRef } from './ops.ts';
import { checkScenario } from '../scenarios/load.ts';

interface RunOptions {
  /** First real port: the i-th distinct symbolic port (ascending) maps to port + i. Default: free ports the kernel picks. */
  port?: number;
  /** Each entry runs the next op of that thread; then the rest run thread by thread, each to completion. */
  order?: readonly number[];
  /** Enter a private network namespace first (default true; falls back to the host loopback). */
  privateNetns?: boolean;
  /** How long a syn waits for the handshake and then for a listener to queue it (default 1000 ms). */
  synTimeoutMs?: number;
  /** listen() backlog when the op has none (default 128). */
  defaultBacklog?: number;
}

/**
 * Which sockets are bound after an op: name -> symbolic port, or "ephemeral" for a port the
 * kernel chose (bind to port 0, or listen() autobind). Unbound and closed sockets are absent.
 */
type BoundSnapshot = Record<string, number | 'ephemeral'>;

/** One executed op. */
interface KernelStep extends OpRef {
  op: Op;
  /**
   * bind/listen/close: "0" or the errno name. syn: the name of the socket that accepted the
   * connection, or the errno the client saw (ECONNREFUSED; ETIMEDOUT when nothing answered in time),
   * or "unaccepted" when the handshake completed but no scenario socket queued it.
   */
  result: OpResult;
  bound: BoundSnapshot;
}

interface KernelRun {
  scenario: string;
  /** In execution order: setup ops, then the threads' ops as scheduled. */
  results: KernelStep[];
  /** Symbolic port -> real port used in this run. */
  ports: Record<number, number>;
  /** Whether the run happened in a private network namespace (else the host loopback). */
  privateNetns: boolean;
  /** Why no private namespace was used, when it wasn't. */
  netnsNote?: string;
}

/** Runs the scenario sequentially on this kernel. Throws ScenarioError / HarnessUnavailable (one line). */
export function runOnKernel(scenario: Scenario, opts: RunOptions = {}): KernelRun {
  const s = checkScenario(scenario);
  const refs = schedule(s, opts.order);
  const libc = loadLibc();
  const { privateNetns, note } = enterLoopback(s, bindsWildcard(s), opts.privateNetns);
  const ports = allocatePorts(libc, symbolicPorts(s), opts.port);
  const ctx: Ctx = {
    libc,
    ports,
    symbolic: invertPorts(ports),
    fds: new Map(),
    synTimeoutMs: opts.synTimeoutMs ?? 1000,
    backlog: opts.defaultBacklog ?? 128,
  };
  try {
    for (const sk of s.sockets) ctx.fds.set(sk.name, openScenarioSocket(libc, sk));
    const results = refs.map((ref): KernelStep => {
      const op = opAt(s, ref);
      const result = runOp(ctx, op);
      return { ...ref, op, result, bound: snapshot(ctx) };
    });
    return {
      scenario: s.name,
      results,
      ports: Object.fromEntries(ports),
      privateNetns,
      ...(note ? { netnsNote: note } : {}),
    };
  } finally {
    for (const fd of ctx.fds.values()) if (fd >= 0) libc.close(fd);
  }
}

interface Ctx {
  libc: Libc;
  ports: PortMap;
  symbolic: ReadonlyMap<number, number>;
  /** Socket name -> fd; -1 once the scenario closed it (its fd number may belong to someone else by then). */
  fds: Map<string, number>;
  synTimeoutMs: number;
  backlog: number;
}

const EBADF = errnoNumber('EBADF') ?? 9;
const EINPROGRESS = errnoNumber('EINPROGRESS') ?? 115;

const resultOf = (r: number): OpResult => (r < 0 ? errnoName(r) : '0');

function runOp(ctx: Ctx, op: Op): OpResult {
  if (op.op === 'syn') return syn(ctx, op);
  const fd = ctx.fds.get(op.sk)!;
  // What the kernel says for a closed fd, without risking a reused fd number.
  if (fd < 0) return errnoName(EBADF);
  const { libc } = ctx;
  switch (op.op) {
    case 'bind':
      return resultOf(libc.bind(fd, encodeSockaddrIn(op.addr, op.port && ctx.ports.get(op.port)!)));
    case 'listen':
      return resultOf(libc.listen(fd, op.backlog ?? ctx.backlog));
    case 'close':
      // Linux releases the fd even when close() reports an error.
      ctx.fds.set(op.sk, -1);
      return resultOf(libc.close(fd));
  }
}

function snapshot(ctx: Ctx): BoundSnapshot {
  const bound: BoundSnapshot = {};
  for (const [name, fd] of ctx.fds) {
    if (fd < 0) continue;
    const sa = ctx.libc.getsockname(fd);
    if (typeof sa === 'number' || sa.port === 0) continue;
    bound[name] = ctx.symbolic.get(sa.port) ?? 'ephemeral';
  }
  return bound;
}

/** The real port a syn targets; 0 when `portOf` names a closed or unbound socket. */
function synPort(ctx: Ctx, op: Extract<Op, { op: 'syn' }>): number {
  if (op.port !== undefined) return ctx.ports.get(op.port)!;
  const fd = ctx.fds.get(op.portOf!)!;
  const sa = fd < 0 ? -1 : ctx.libc.getsockname(fd);
  return typeof sa === 'number' ? 0 : sa.port;
}

/**
 * Connects a throwaway client and reports which scenario listener queued the connection.
 * Both ends close with SO_LINGER 0 (RST), so no TIME_WAIT socket is left on a scenario port.
 */
function syn(ctx: Ctx, op: Extract<Op, { op: 'syn' }>): OpResult {
  const { libc } = ctx;
  const addr = op.addr === '0.0.0.0' ? '127.0.0.1' : op.addr;
  const client = openSynClient(libc);
  try {
    const c = libc.connect(client, encodeSockaddrIn(addr, synPort(ctx, op)));
    if (c < 0 && -c !== EINPROGRESS) return errnoName(c);
    const listeners = [...ctx.fds].filter(([, fd]) => fd >= 0 && libc.getsockoptInt(fd, SOL_SOCKET, SO_ACCEPTCONN) === 1);
    const fate = settleSyn(libc, client, listeners.map(([, fd]) => fd), ctx.synTimeoutMs);
    return 'accepted' in fate ? listeners[fate.accepted][0] : fate.error;
  } finally {
    libc.close(client);
  }
}
