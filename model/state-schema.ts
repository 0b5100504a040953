// The state schema: every field of the kernel state declared once, with its kind and domain.
//
// The layout (model/state.ts), the kernel view's offsets (model/kernel-view.ts), the type
// invariant `type-ok`, the symmetry renaming (src/explore/symmetry.ts) and the structured
// changes of a trace are all derived from these tables; none of them lists fields by hand.
//
// Every value fits in a byte. A reference is stored as index + 1 so that 0 means "none"
// (`toRef` / `fromRef` are the only places that know it).

/** What a reference field points at. */
type RefTarget = 'port' | 'thread' | 'socket' | 'listen-bucket' | 'tb2';

/** What a byte may hold. */
type FieldKind =
  /** One of a fixed set of values: sk_state, the lifecycle state, an address index, ... */
  | { kind: 'enum'; of: 'tcp-state' | 'lifecycle' | 'address' | 'fastreuseport' }
  | { kind: 'bool' }
  /** A number: every byte value is in its domain. */
  | { kind: 'count' }
  /** A bit set: only bits of `mask`. */
  | { kind: 'flags'; mask: number }
  /** index + 1, 0 = none. A lock is a reference to its holder thread. */
  | { kind: 'ref'; to: RefTarget; lock?: true }
  /** What a syscall returned (RES_*), a SYN's listener as RES_SYN_TO + socket index. */
  | { kind: 'result' };

export type Field = FieldKind & {
  /**
   * How a trace shows the value: by default from the kind (a port by its number, a lock by its
   * holder, an enum by its name); `raw` shows the stored byte, as traces always have.
   */
  raw?: true;
};

/** Fields of one socket (struct sock + inet_sock + inet_connection_sock, as far as modelled). */
export const SOCKET_FIELDS = {
  /** sk_state: TCP_CLOSE or TCP_LISTEN. */
  state: { kind: 'enum', of: 'tcp-state' },
  /** inet_num: the bound port. */
  num: { kind: 'ref', to: 'port' },
  /** inet_rcv_saddr: index into ADDRESSES (0 = 0.0.0.0). */
  saddr: { kind: 'enum', of: 'address' },
  /** inet_sport. */
  sport: { kind: 'ref', to: 'port' },
  /** The accept queue (4.3: the SYN table from reqsk_queue_alloc) is allocated. */
  queue: { kind: 'bool' },
  /** sk_max_ack_backlog, capped at BYTE_MAX. */
  maxBacklog: { kind: 'count' },
  /** sk_ack_backlog. */
  ackBacklog: { kind: 'count' },
  /** In the listening hash: its bucket (none = unhashed). */
  lhash: { kind: 'ref', to: 'listen-bucket' },
  /** icsk_bind_hash: the bind bucket (tb, one per port) whose owners hold this socket. */
  bindHash: { kind: 'ref', to: 'port' },
  /** icsk_bind2_hash (6.18): the tb2 bucket, port * ADDRESSES + addr. */
  bind2Hash: { kind: 'ref', to: 'tb2', raw: true },
  /** sk_userlocks: SOCK_BINDADDR_LOCK | SOCK_BINDPORT_LOCK. */
  userlocks: { kind: 'flags', mask: 4 | 8 },
  /** The XState lifecycle state, as its index in the compiled table. */
  life: { kind: 'enum', of: 'lifecycle' },
  /** lock_sock owner. */
  lockOwner: { kind: 'ref', to: 'thread', lock: true },
  /** Ghost field: get_port validated this socket's port in its current listen(). */
  validated: { kind: 'bool' },
  /** sk_reuseport_cb (6.18): the reuseport group, named after the socket that created it. */
  group: { kind: 'ref', to: 'socket', raw: true },
  /** The file descriptor is still open (close() not yet called). */
  open: { kind: 'bool' },
  /**
   * The listening chain's order: an insertion stamp, 1 + the largest stamp of the sockets hashed
   * in the bucket (so the newest is at the head, as __sk_nulls_add_node_rcu puts it). Kept after
   * the unhash: a stamp that is not 0 says the socket was once in the listening hash. Given only
   * in scenarios with a SYN (Layout.chainOrder): nothing else walks a chain, and a field that
   * stays 0 costs no state.
   */
  lhashSeq: { kind: 'count' },
  /**
   * An unhashed node's `next`, as __sk_nulls_del_node_init_rcu leaves it: the node that followed
   * it when it left the chain (none = the chain's end), so an RCU walker standing on it goes on
   * there. A hashed node's next is read from the chain itself. Set only with Layout.chainOrder.
   */
  lhashNext: { kind: 'ref', to: 'socket' },
} as const satisfies Record<string, Field>;

/** Fields of one thread: where it is and what its ops returned (then one result per op). */
export const THREAD_FIELDS = {
  /** Index of the op it is running (= number of ops when finished). */
  op: { kind: 'count' },
  /** Index of the next step within that op's program. */
  pc: { kind: 'count' },
  /** Local `err`: the result code the op will return. */
  err: { kind: 'result' },
  /** Local: what get_port (or hash) returned, 0 = success. */
  ret: { kind: 'count' },
  /** Local: old_state read by inet_listen, or a value carried between split steps (6.18 SYN: 1 in the 0.0.0.0 pass). */
  tmp: { kind: 'count' },
  /** SYN lookup: the listening bucket of daddr:port it looks up (port * addresses + daddr); none outside a lookup. */
  walkAt: { kind: 'ref', to: 'listen-bucket', raw: true },
  /** SYN lookup: the chain node the walker has read a pointer to and visits next (none = the chain's end). */
  walkNode: { kind: 'ref', to: 'socket' },
  /** SYN lookup: `result`, the best socket so far. */
  walkBest: { kind: 'ref', to: 'socket' },
  /** SYN lookup: `hiscore`, the best score so far. */
  hiscore: { kind: 'count' },
  /**
   * Ghost: during a SYN lookup, some hashed listener has covered daddr:port (bound to its port,
   * on daddr or 0.0.0.0) at every instant since the lookup's first step. Cleared by any unhash
   * that leaves no such listener (KernelReader.unlinkListener), and at the lookup's end.
   */
  covered: { kind: 'bool' },
  /** Ghost, kept to the end of the run: a SYN lookup of this thread was refused although `covered` held to its last step. */
  refusedCovered: { kind: 'bool' },
} as const satisfies Record<string, Field>;

/** Each op's result, one byte per op after the thread's fields. */
export const THREAD_RESULT: Field = { kind: 'result' };

/** Fields of one bind bucket (struct inet_bind_bucket, one per port). */
export const TB_FIELDS = {
  /** The bucket exists. */
  exists: { kind: 'bool' },
  /** tb->fastreuse. */
  fastreuse: { kind: 'bool' },
  /** tb->fastreuseport (0, 1 = ANY, 2 = STRICT in 6.18). */
  fastreuseport: { kind: 'enum', of: 'fastreuseport' },
  /** tb->fastuid. */
  fastuid: { kind: 'count' },
  /** tb->fast_rcv_saddr (6.18): address index. */
  fastAddr: { kind: 'enum', of: 'address', raw: true },
  /** The bucket's head lock, for variants that hold it across steps. */
  lock: { kind: 'ref', to: 'thread', lock: true },
} as const satisfies Record<string, Field>;

/** tb2 (6.18): one bucket per (port, address). */
export const TB2_FIELDS = {
  exists: { kind: 'bool' },
} as const satisfies Record<string, Field>;

/** The listening hash: one bucket per (port, address), with its lock. */
export const LISTEN_BUCKET_FIELDS = {
  lock: { kind: 'ref', to: 'thread', lock: true },
} as const satisfies Record<string, Field>;

/** Globals. */
export const GLOBAL_FIELDS = {
  /** The protocol's in-use counter (sock_prot_inuse_add). */
  prot_inuse: { kind: 'count' },
} as const satisfies Record<string, Field>;

/** The sections of the state, in layout order. */
export type SectionName = 'socket' | 'thread' | 'tb' | 'tb2' | 'lhash' | 'global';

/** Byte offset of each field within its record, in declaration order. */
export function offsetsOf<F extends Record<string, Field>>(fields: F): { readonly [K in keyof F]: number } {
  return Object.fromEntries(Object.keys(fields).map((f, i) => [f, i])) as { [K in keyof F]: number };
}

/** The largest value a byte holds. */
export const BYTE_MAX = 255;
/** The largest index a reference can name: index + 1 must fit in a byte below BYTE_MAX. */
export const MAX_REF_INDEX = BYTE_MAX - 2;
/** References are stored as index + 1; 0 is none. */
export const NO_REF = 0;
export const toRef = (index: number) => index + 1;
/** The index a reference names, or -1 for none. */
export const fromRef = (v: number) => v - 1;
