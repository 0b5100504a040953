// A typed view over one state buffer, with accessors named after the kernel fields they model.
// Steps and properties read and write the state only through this view. The engine points one
// view at many buffers in turn (`k.s = buf`), so a step allocates nothing.

import { LIFE, REFUSED } from './lifecycle/table.ts';
import { type LifeEvent, LIFE_EVENTS } from './lifecycle/machine.ts';
import { SK, TB, TH, type Layout, SK_SIZE, TB_SIZE } from './state.ts';
import { TCP_LISTEN } from './kernel.ts';

const EVENT_INDEX = Object.fromEntries(LIFE_EVENTS.map((e, i) => [e, i])) as Record<LifeEvent, number>;

/** What a socket was created with: fixed for the whole run. */
export interface SocketConfig {
  name: string;
  reuse: boolean;
  reuseport: boolean;
  uid: number;
}

export class Kernel {
  /** The state buffer this view reads and writes. */
  s: Uint8Array;
  /** Set by a step whose lifecycle move the statechart refuses; the engine reports it. */
  refused: string | null = null;
  /** When set, marks each lifecycle move taken: lifeCoverage[state * events + event] = 1. */
  lifeCoverage: Uint8Array | null = null;

  constructor(
    readonly L: Layout,
    readonly socks: readonly SocketConfig[],
    /** Port index -> is it in the ephemeral range (candidates for port 0). */
    readonly ephemeral: readonly boolean[],
    s?: Uint8Array,
  ) {
    this.s = s ?? new Uint8Array(L.size);
  }

  // ---- struct sock / inet_sock fields -------------------------------------------------------
  private sk(sk: number, f: number): number { return this.L.skBase + sk * SK_SIZE + f; }
  get_sk_state(sk: number) { return this.s[this.sk(sk, SK.state)]; }
  set_sk_state(sk: number, v: number) { this.s[this.sk(sk, SK.state)] = v; }
  isListen(sk: number) { return this.s[this.sk(sk, SK.state)] === TCP_LISTEN; }
  /** inet_num as port index, or -1 when unbound. */
  inet_num(sk: number) { return this.s[this.sk(sk, SK.num)] - 1; }
  set_inet_num(sk: number, port: number) { this.s[this.sk(sk, SK.num)] = port + 1; }
  rcv_saddr(sk: number) { return this.s[this.sk(sk, SK.saddr)]; }
  set_rcv_saddr(sk: number, a: number) { this.s[this.sk(sk, SK.saddr)] = a; }
  set_inet_sport(sk: number, port: number) { this.s[this.sk(sk, SK.sport)] = port + 1; }
  hasQueue(sk: number) { return this.s[this.sk(sk, SK.queue)] === 1; }
  setQueue(sk: number, on: boolean) { this.s[this.sk(sk, SK.queue)] = on ? 1 : 0; }
  set_max_ack_backlog(sk: number, v: number) { this.s[this.sk(sk, SK.maxBacklog)] = Math.min(v, 255); }
  set_ack_backlog(sk: number, v: number) { this.s[this.sk(sk, SK.ackBacklog)] = v; }
  /** Listening-hash bucket the socket is chained in, or -1 (sk_unhashed). */
  lhash(sk: number) { return this.s[this.sk(sk, SK.lhash)] - 1; }
  setLhash(sk: number, bucket: number) { this.s[this.sk(sk, SK.lhash)] = bucket + 1; }
  isHashed(sk: number) { return this.s[this.sk(sk, SK.lhash)] !== 0; }
  /** icsk_bind_hash as port index, or -1: the tb whose owners list holds the socket. */
  bindHash(sk: number) { return this.s[this.sk(sk, SK.bindHash)] - 1; }
  setBindHash(sk: number, port: number) { this.s[this.sk(sk, SK.bindHash)] = port + 1; }
  /** icsk_bind2_hash (6.18) as tb2 index (port * addrs + addr), or -1. */
  bind2Hash(sk: number) { return this.s[this.sk(sk, SK.bind2Hash)] - 1; }
  setBind2Hash(sk: number, tb2: number) { this.s[this.sk(sk, SK.bind2Hash)] = tb2 + 1; }
  userlocks(sk: number) { return this.s[this.sk(sk, SK.userlocks)]; }
  setUserlocks(sk: number, v: number) { this.s[this.sk(sk, SK.userlocks)] = v; }
  lockOwner(sk: number) { return this.s[this.sk(sk, SK.lockOwner)] - 1; }
  setLockOwner(sk: number, t: number) { this.s[this.sk(sk, SK.lockOwner)] = t + 1; }
  validated(sk: number) { return this.s[this.sk(sk, SK.validated)] === 1; }
  setValidated(sk: number, on: boolean) { this.s[this.sk(sk, SK.validated)] = on ? 1 : 0; }
  /** Reuseport group id (6.18), or -1. */
  group(sk: number) { return this.s[this.sk(sk, SK.group)] - 1; }
  setGroup(sk: number, g: number) { this.s[this.sk(sk, SK.group)] = g + 1; }
  isOpen(sk: number) { return this.s[this.sk(sk, SK.open)] === 1; }
  setOpen(sk: number, on: boolean) { this.s[this.sk(sk, SK.open)] = on ? 1 : 0; }
  lifeState(sk: number) { return this.s[this.sk(sk, SK.life)]; }

  /** Sends a lifecycle event for a socket; a refused move is recorded, the state left as is. */
  life(sk: number, event: LifeEvent) {
    const at = this.sk(sk, SK.life);
    const cell = this.s[at] * LIFE_EVENTS.length + EVENT_INDEX[event];
    const next = LIFE.next[cell];
    if (next === REFUSED) {
      this.refused ??= `${this.socks[sk].name}: lifecycle refuses ${event} in state ${LIFE.states[this.s[at]]}`;
      return;
    }
    if (this.lifeCoverage !== null) this.lifeCoverage[cell] = 1;
    this.s[at] = next;
  }

  // ---- bind buckets (inet_bind_bucket) ------------------------------------------------------
  private tb(port: number, f: number) { return this.L.tbBase + port * TB_SIZE + f; }
  tbExists(port: number) { return this.s[this.tb(port, TB.exists)] === 1; }
  setTbExists(port: number, on: boolean) { this.s[this.tb(port, TB.exists)] = on ? 1 : 0; }
  fastreuse(port: number) { return this.s[this.tb(port, TB.fastreuse)]; }
  setFastreuse(port: number, v: number) { this.s[this.tb(port, TB.fastreuse)] = v; }
  fastreuseport(port: number) { return this.s[this.tb(port, TB.fastreuseport)]; }
  setFastreuseport(port: number, v: number) { this.s[this.tb(port, TB.fastreuseport)] = v; }
  fastuid(port: number) { return this.s[this.tb(port, TB.fastuid)]; }
  setFastuid(port: number, v: number) { this.s[this.tb(port, TB.fastuid)] = v; }
  fastAddr(port: number) { return this.s[this.tb(port, TB.fastAddr)]; }
  setFastAddr(port: number, a: number) { this.s[this.tb(port, TB.fastAddr)] = a; }
  /** Head lock holder thread, or -1. */
  headLock(port: number) { return this.s[this.tb(port, TB.lock)] - 1; }
  setHeadLock(port: number, t: number) { this.s[this.tb(port, TB.lock)] = t + 1; }
  /** tb->owners is non-empty (4.3) / tb->bhash2 is non-empty (6.18): some socket holds the port. */
  hasOwners(port: number): boolean {
    for (let i = 0; i < this.L.sockets; i++) if (this.bindHash(i) === port) return true;
    return false;
  }

  // ---- bhash2 (6.18) ------------------------------------------------------------------------
  tb2Index(port: number, addr: number) { return port * this.L.addrs + addr; }
  tb2Exists(tb2: number) { return this.s[this.L.tb2Base + tb2] === 1; }
  setTb2Exists(tb2: number, on: boolean) { this.s[this.L.tb2Base + tb2] = on ? 1 : 0; }

  // ---- listening hash -----------------------------------------------------------------------
  /** Listening-bucket lock holder thread, or -1. */
  listenLock(bucket: number) { return this.s[this.L.lbBase + bucket] - 1; }
  setListenLock(bucket: number, t: number) { this.s[this.L.lbBase + bucket] = t + 1; }
  inuse() { return this.s[this.L.inuse]; }
  addInuse(d: number) { this.s[this.L.inuse] = (this.s[this.L.inuse] + d) & 0xff; }

  // ---- thread locals ------------------------------------------------------------------------
  private th(t: number, f: number) { return this.L.thBase + t * this.L.thSize + f; }
  err(t: number) { return this.s[this.th(t, TH.err)]; }
  setErr(t: number, code: number) { this.s[this.th(t, TH.err)] = code; }
  ret(t: number) { return this.s[this.th(t, TH.ret)]; }
  setRet(t: number, v: number) { this.s[this.th(t, TH.ret)] = v; }
  tmp(t: number) { return this.s[this.th(t, TH.tmp)]; }
  setTmp(t: number, v: number) { this.s[this.th(t, TH.tmp)] = v; }
  opIndex(t: number) { return this.s[this.th(t, TH.op)]; }
  pc(t: number) { return this.s[this.th(t, TH.pc)]; }
  result(t: number, op: number) { return this.s[this.th(t, TH.results + op)]; }

  // ---- configuration --------------------------------------------------------------------------
  reuse(sk: number) { return this.socks[sk].reuse; }
  reuseport(sk: number) { return this.socks[sk].reuseport; }
  uid(sk: number) { return this.socks[sk].uid; }
}
