// A typed view over one state buffer, with accessors named after the kernel fields they model.
// Steps and properties read and write the state only through this view. The engine points one
// view at many buffers in turn (`k.s = buf`), so a step allocates nothing.
//
// Offsets come from the state schema (state-schema.ts); references go through toRef/fromRef.
// `KernelReader` is the reading half: properties and `blocked` get it as a `ReadonlyKernel`.

import { LIFE, REFUSED } from './lifecycle/table.ts';
import { type LifeEvent, LIFE_EVENTS } from './lifecycle/machine.ts';
import { SK, TB, TH, type Layout, SK_SIZE, TB_SIZE } from './state.ts';
import { BYTE_MAX, fromRef, toRef } from './state-schema.ts';
import { TCP_LISTEN } from './kernel.ts';

const EVENT_INDEX = Object.fromEntries(LIFE_EVENTS.map((e, i) => [e, i])) as Record<LifeEvent, number>;

/** What a socket was created with: fixed for the whole run. */
export interface SocketConfig {
  name: string;
  reuse: boolean;
  reuseport: boolean;
  uid: number;
}

/**
 * What one transition changed: the state before and the state after (the view's), as 32-bit
 * words, and, when known, the offsets of the bytes written (`count` of them, repeats allowed); a
 * byte not among them is the same in both. Null offsets: compare the words.
 */
export interface Change {
  before: Int32Array;
  after: Int32Array;
  offsets: Int32Array | null;
  count: number;
}

/** Every read of the kernel state: what a property or a `blocked` test may call. */
export class KernelReader {
  /** The state buffer this view reads (and, as a Kernel, writes). */
  s: Uint8Array;
  /** Set by a step whose lifecycle move the statechart refuses; the engine reports it. */
  refused: string | null = null;
  /**
   * Runs the model's own ghost bookkeeping (which listeners cover a SYN's target), which reads
   * kernel fields no kernel code reads there: the recording view does not log it as the step's.
   */
  ghost<T>(f: () => T): T { return f(); }

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
  protected sk(sk: number, f: number): number { return this.L.skBase + sk * SK_SIZE + f; }
  get_sk_state(sk: number) { return this.s[this.sk(sk, SK.state)]; }
  isListen(sk: number) { return this.s[this.sk(sk, SK.state)] === TCP_LISTEN; }
  /** inet_num as port index, or -1 when unbound. */
  inet_num(sk: number) { return fromRef(this.s[this.sk(sk, SK.num)]); }
  rcv_saddr(sk: number) { return this.s[this.sk(sk, SK.saddr)]; }
  hasQueue(sk: number) { return this.s[this.sk(sk, SK.queue)] === 1; }
  /** Listening-hash bucket the socket is chained in, or -1 (sk_unhashed). */
  lhash(sk: number) { return fromRef(this.s[this.sk(sk, SK.lhash)]); }
  isHashed(sk: number) { return this.s[this.sk(sk, SK.lhash)] !== 0; }
  /** icsk_bind_hash as port index, or -1: the tb whose owners list holds the socket. */
  bindHash(sk: number) { return fromRef(this.s[this.sk(sk, SK.bindHash)]); }
  /** icsk_bind2_hash (6.18) as tb2 index (port * addrs + addr), or -1. */
  bind2Hash(sk: number) { return fromRef(this.s[this.sk(sk, SK.bind2Hash)]); }
  userlocks(sk: number) { return this.s[this.sk(sk, SK.userlocks)]; }
  lockOwner(sk: number) { return fromRef(this.s[this.sk(sk, SK.lockOwner)]); }
  validated(sk: number) { return this.s[this.sk(sk, SK.validated)] === 1; }
  /** Reuseport group id (6.18), or -1. */
  group(sk: number) { return fromRef(this.s[this.sk(sk, SK.group)]); }
  isOpen(sk: number) { return this.s[this.sk(sk, SK.open)] === 1; }
  lifeState(sk: number) { return this.s[this.sk(sk, SK.life)]; }
  /** The socket's insertion stamp in its listening chain (0: never hashed, or no SYN in the scenario). */
  lhashSeq(sk: number) { return this.s[this.sk(sk, SK.lhashSeq)]; }
  /** The socket is in the listening hash, or was once (its stamp stays after the unhash). */
  wasHashed(sk: number) { return this.isHashed(sk) || this.lhashSeq(sk) !== 0; }

  // ---- the listening chains, in order (an RCU walker's view) ---------------------------------
  /** A node's place in its chain: a higher key is nearer the head (the stamp, then the index, so the order is total). */
  protected chainKey(sk: number) { return (this.lhashSeq(sk) << 8) | sk; }
  /** The hashed socket of `bucket` with the highest key below `below` (-1: none); `below` = Infinity gives the head. */
  protected chainBelow(bucket: number, below: number): number {
    let best = -1, bestKey = -1;
    for (let sk = 0; sk < this.L.sockets; sk++) {
      if (this.lhash(sk) !== bucket) continue;
      const key = this.chainKey(sk);
      if (key < below && key > bestKey) { best = sk; bestKey = key; }
    }
    return best;
  }
  /** The first node of a listening chain (ilb->head), or -1 for an empty chain. */
  chainHead(bucket: number) { return this.chainBelow(bucket, Infinity); }
  /**
   * A node's next pointer: for a hashed node the next hashed one of its chain, for an unhashed
   * one the next it kept when it left (lhashNext), -1 at the chain's end.
   */
  chainNext(sk: number) {
    return this.isHashed(sk) ? this.chainBelow(this.lhash(sk), this.chainKey(sk)) : fromRef(this.s[this.sk(sk, SK.lhashNext)]);
  }
  /** Some hashed listener covers daddr:port (bucket key port * addresses + daddr): bound to the port, on daddr or 0.0.0.0. */
  covers(key: number): boolean {
    return this.ghost(() => this.coversNow(key));
  }
  private coversNow(key: number): boolean {
    const port = Math.floor(key / this.L.addrs), daddr = key % this.L.addrs;
    for (let sk = 0; sk < this.L.sockets; sk++) {
      if (this.isHashed(sk) && this.inet_num(sk) === port && (this.rcv_saddr(sk) === 0 || this.rcv_saddr(sk) === daddr)) return true;
    }
    return false;
  }

  // ---- bind buckets (inet_bind_bucket) ------------------------------------------------------
  protected tb(port: number, f: number) { return this.L.tbBase + port * TB_SIZE + f; }
  tbExists(port: number) { return this.s[this.tb(port, TB.exists)] === 1; }
  fastreuse(port: number) { return this.s[this.tb(port, TB.fastreuse)]; }
  fastreuseport(port: number) { return this.s[this.tb(port, TB.fastreuseport)]; }
  fastuid(port: number) { return this.s[this.tb(port, TB.fastuid)]; }
  fastAddr(port: number) { return this.s[this.tb(port, TB.fastAddr)]; }
  /** Head lock holder thread, or -1. */
  headLock(port: number) { return fromRef(this.s[this.tb(port, TB.lock)]); }
  /** tb->owners is non-empty (4.3) / tb->bhash2 is non-empty (6.18): some socket holds the port. */
  hasOwners(port: number): boolean {
    for (let i = 0; i < this.L.sockets; i++) if (this.bindHash(i) === port) return true;
    return false;
  }

  // ---- bhash2 (6.18) ------------------------------------------------------------------------
  tb2Index(port: number, addr: number) { return port * this.L.addrs + addr; }
  tb2Exists(tb2: number) { return this.s[this.L.tb2Base + tb2] === 1; }

  // ---- listening hash -----------------------------------------------------------------------
  /** Listening-bucket lock holder thread, or -1. */
  listenLock(bucket: number) { return fromRef(this.s[this.L.lbBase + bucket]); }
  inuse() { return this.s[this.L.inuse]; }

  // ---- thread locals ------------------------------------------------------------------------
  protected th(t: number, f: number) { return this.L.thBase + t * this.L.thSize + f; }
  err(t: number) { return this.s[this.th(t, TH.err)]; }
  ret(t: number) { return this.s[this.th(t, TH.ret)]; }
  tmp(t: number) { return this.s[this.th(t, TH.tmp)]; }
  opIndex(t: number) { return this.s[this.th(t, TH.op)]; }
  pc(t: number) { return this.s[this.th(t, TH.pc)]; }
  result(t: number, op: number) { return this.s[this.th(t, TH.results + op)]; }
  /** The daddr:port key (port * addresses + daddr) of the thread's SYN lookup, or -1 outside one. */
  walkAt(t: number) { return fromRef(this.s[this.th(t, TH.walkAt)]); }
  walkNode(t: number) { return fromRef(this.s[this.th(t, TH.walkNode)]); }
  walkBest(t: number) { return fromRef(this.s[this.th(t, TH.walkBest)]); }
  hiscore(t: number) { return this.s[this.th(t, TH.hiscore)]; }
  covered(t: number) { return this.s[this.th(t, TH.covered)] === 1; }
  refusedCovered(t: number) { return this.s[this.th(t, TH.refusedCovered)] === 1; }

  /**
   * The first offset whose byte lies outside its domain, or -1 (the type check, in one pass):
   * every byte against its largest value, then the bytes of sparse domains against their
   * allowed values (allowed[at * 256 + v]). With `change` (from a state whose bytes all lie in
   * their domains), only the bytes it wrote, or those of the words that differ, are looked up.
   */
  firstByteOutside(domains: { max: Uint8Array; sparse: Int32Array; allowed: Uint8Array }, change?: Change): number {
    const s = this.s, max = domains.max, allowed = domains.allowed;
    if (change !== undefined && change.offsets !== null) {
      const offsets = change.offsets;
      for (let i = 0; i < change.count; i++) { const at = offsets[i]; if (allowed[(at << 8) + s[at]] === 0) return at; }
      return -1;
    }
    if (change !== undefined) {
      const { before, after } = change;
      for (let w = 0; w < before.length; w++) {
        if (before[w] === after[w]) continue;
        for (let at = w << 2, end = Math.min(at + 4, max.length); at < end; at++) if (allowed[(at << 8) + s[at]] === 0) return at;
      }
      return -1;
    }
    for (let at = 0; at < max.length; at++) if (s[at] > max[at]) return at;
    for (const at of domains.sparse) if (allowed[(at << 8) + s[at]] === 0) return at;
    return -1;
  }
  /** The byte at an offset, to say what firstByteOutside found. */
  valueAt(at: number) { return this.s[at]; }

  // ---- configuration --------------------------------------------------------------------------
  reuse(sk: number) { return this.socks[sk].reuse; }
  reuseport(sk: number) { return this.socks[sk].reuseport; }
  uid(sk: number) { return this.socks[sk].uid; }
}

/** The reading half of the view, enforced by the compiler: no setter, no buffer. */
export type ReadonlyKernel = Omit<KernelReader, 's' | 'refused'> & { readonly refused: string | null };

/** The view steps run on: every read, and every write a step makes. */
export class Kernel extends KernelReader {
  /** When set, marks each lifecycle move taken: lifeCoverage[state * events + event] = 1. */
  lifeCoverage: Uint8Array | null = null;
  /**
   * When set (the explorer), the offset of every write is logged here, `written` of them so far
   * (past the array's end they are only counted): the bytes a transition may have changed, so
   * that its fingerprint follows from those bytes instead of a comparison of whole states.
   */
  writes: Int32Array | null = null;
  written = 0;
  /**
   * When set with `writes` (the explorer, without symmetry): its Zobrist table
   * (src/explore/fingerprint-set.ts, entry [(at << 9) | (value << 1) | half]). Each write that
   * changes a byte XORs the byte's old and new entries into `dh` and `dl`, so a successor's
   * fingerprint is its parent's XOR these, with no pass over the writes afterwards.
   */
  zobrist: Uint32Array | null = null;
  dh = 0;
  dl = 0;

  /** Every write to the state goes through here (steps, and the engine's pc and results). */
  write(at: number, v: number) {
    if (this.writes !== null) {
      if (this.written < this.writes.length) this.writes[this.written] = at;
      this.written++;
      const z = this.zobrist, was = this.s[at], now = v & BYTE_MAX;
      if (z !== null && was !== now) {
        const e = at << 9;
        this.dh ^= z[e | (was << 1)] ^ z[e | (now << 1)];
        this.dl ^= z[e | (was << 1) | 1] ^ z[e | (now << 1) | 1];
      }
    }
    this.s[at] = v;
  }

  set_sk_state(sk: number, v: number) { this.write(this.sk(sk, SK.state), v); }
  set_inet_num(sk: number, port: number) { this.write(this.sk(sk, SK.num), toRef(port)); }
  set_rcv_saddr(sk: number, a: number) { this.write(this.sk(sk, SK.saddr), a); }
  set_inet_sport(sk: number, port: number) { this.write(this.sk(sk, SK.sport), toRef(port)); }
  setQueue(sk: number, on: boolean) { this.write(this.sk(sk, SK.queue), on ? 1 : 0); }
  set_max_ack_backlog(sk: number, v: number) { this.write(this.sk(sk, SK.maxBacklog), Math.min(v, BYTE_MAX)); }
  set_ack_backlog(sk: number, v: number) { this.write(this.sk(sk, SK.ackBacklog), v); }
  /**
   * Links a socket into a listening chain (bucket >= 0) or unlinks it (-1), as
   * __sk_nulls_add_node_rcu and __sk_nulls_del_node_init_rcu do. With chainOrder the new node
   * goes to the head (stamp 1 + the chain's highest) and a node that leaves keeps its next. Every
   * SYN lookup in progress loses its `covered` ghost when no hashed listener covers it any more.
   */
  setLhash(sk: number, bucket: number) {
    if (bucket >= 0) {
      if (this.L.chainOrder) {
        const head = this.chainHead(bucket);
        this.write(this.sk(sk, SK.lhashSeq), head < 0 ? 1 : Math.min(this.lhashSeq(head) + 1, BYTE_MAX));
      }
      this.write(this.sk(sk, SK.lhash), toRef(bucket));
      return;
    }
    if (this.L.chainOrder && this.isHashed(sk)) this.write(this.sk(sk, SK.lhashNext), toRef(this.chainNext(sk)));
    this.write(this.sk(sk, SK.lhash), toRef(-1));
    this.ghost(() => {
      for (let t = 0; t < this.L.threads; t++) {
        if (this.covered(t) && !this.covers(this.walkAt(t))) this.write(this.th(t, TH.covered), 0);
      }
    });
  }
  setBindHash(sk: number, port: number) { this.write(this.sk(sk, SK.bindHash), toRef(port)); }
  setBind2Hash(sk: number, tb2: number) { this.write(this.sk(sk, SK.bind2Hash), toRef(tb2)); }
  setUserlocks(sk: number, v: number) { this.write(this.sk(sk, SK.userlocks), v); }
  setLockOwner(sk: number, t: number) { this.write(this.sk(sk, SK.lockOwner), toRef(t)); }
  setValidated(sk: number, on: boolean) { this.write(this.sk(sk, SK.validated), on ? 1 : 0); }
  setGroup(sk: number, g: number) { this.write(this.sk(sk, SK.group), toRef(g)); }
  setOpen(sk: number, on: boolean) { this.write(this.sk(sk, SK.open), on ? 1 : 0); }

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
    this.write(at, next);
  }

  setTbExists(port: number, on: boolean) { this.write(this.tb(port, TB.exists), on ? 1 : 0); }
  setFastreuse(port: number, v: number) { this.write(this.tb(port, TB.fastreuse), v); }
  setFastreuseport(port: number, v: number) { this.write(this.tb(port, TB.fastreuseport), v); }
  setFastuid(port: number, v: number) { this.write(this.tb(port, TB.fastuid), v); }
  setFastAddr(port: number, a: number) { this.write(this.tb(port, TB.fastAddr), a); }
  setHeadLock(port: number, t: number) { this.write(this.tb(port, TB.lock), toRef(t)); }
  setTb2Exists(tb2: number, on: boolean) { this.write(this.L.tb2Base + tb2, on ? 1 : 0); }
  setListenLock(bucket: number, t: number) { this.write(this.L.lbBase + bucket, toRef(t)); }
  addInuse(d: number) { this.write(this.L.inuse, (this.s[this.L.inuse] + d) & BYTE_MAX); }

  setErr(t: number, code: number) { this.write(this.th(t, TH.err), code); }
  setRet(t: number, v: number) { this.write(this.th(t, TH.ret), v); }
  setTmp(t: number, v: number) { this.write(this.th(t, TH.tmp), v); }
  setWalkAt(t: number, key: number) { this.write(this.th(t, TH.walkAt), toRef(key)); }
  setWalkNode(t: number, sk: number) { this.write(this.th(t, TH.walkNode), toRef(sk)); }
  setWalkBest(t: number, sk: number) { this.write(this.th(t, TH.walkBest), toRef(sk)); }
  setHiscore(t: number, v: number) { this.write(this.th(t, TH.hiscore), v); }
  setCovered(t: number, on: boolean) { this.write(this.th(t, TH.covered), on ? 1 : 0); }
  setRefusedCovered(t: number) { this.write(this.th(t, TH.refusedCovered), 1); }
}
