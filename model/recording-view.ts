// The checking mode of the kernel view: the same Kernel class pointed at a Proxy of the state
// buffer, which logs every byte a step reads or writes as section.field, index and r/w. The hot
// path is untouched (no branch in the accessors): only a run that asks for it builds this view.

import { Kernel, type SocketConfig } from './kernel-view.ts';
import { type Layout, SK, skOff } from './state.ts';

/** One access a step really made. */
export interface Touch {
  /** "socket.state", "tb.fastreuse", "thread.err", ... */
  at: string;
  index: number;
  rw: 'r' | 'w';
  /** For a socket field: the socket was in some hash table (bind bucket, bind2 bucket, listening chain) then. */
  hashed: boolean;
}

interface RecordingKernel {
  k: Kernel;
  /** Points the view at a buffer (its bytes are read and written in place). */
  point(buf: Uint8Array): void;
  /** The touches since the last `take`, then forgets them. */
  take(): Touch[];
}

export function recordingKernel(L: Layout, socks: readonly SocketConfig[], ephemeral: readonly boolean[]): RecordingKernel {
  const names: { at: string; index: number }[] = [];
  for (const sec of L.sections) {
    for (let i = 0; i < sec.count; i++) sec.fields.forEach((f) => names.push({ at: `${sec.name}.${f.name.replace(/\[\d+\]$/, '')}`, index: i }));
  }
  let log: Touch[] = [];
  let buf = new Uint8Array(L.size);
  const hashed = (at: string, index: number) => at.startsWith('socket.') &&
    (buf[skOff(L, index, SK.bindHash)] !== 0 || buf[skOff(L, index, SK.bind2Hash)] !== 0 || buf[skOff(L, index, SK.lhash)] !== 0);
  let paused = 0;
  const note = (prop: string | symbol, rw: 'r' | 'w') => {
    if (typeof prop !== 'string') return false;
    if (paused > 0) return Number.isInteger(Number(prop));
    const off = Number(prop);
    if (!Number.isInteger(off) || off < 0 || off >= L.size) return false;
    const n = names[off];
    log.push({ at: n.at, index: n.index, rw, hashed: hashed(n.at, n.index) });
    return true;
  };
  const proxy = new Proxy(buf, {
    get(_t, prop) {
      if (note(prop, 'r')) return buf[Number(prop)];
      const v = Reflect.get(buf, prop);
      return typeof v === 'function' ? v.bind(buf) : v;
    },
    set(_t, prop, value) {
      if (note(prop, 'w')) { buf[Number(prop)] = value; return true; }
      return Reflect.set(buf, prop, value);
    },
  });
  const k = new Kernel(L, socks, ephemeral, proxy as Uint8Array);
  // Ghost bookkeeping reads and writes the same bytes without logging them (see Kernel.ghost).
  k.ghost = <T>(f: () => T): T => { paused++; try { return f(); } finally { paused--; } };
  return {
    k,
    point(b) { buf = b as typeof buf; },
    take() { const t = log; log = []; return t; },
  };
}
