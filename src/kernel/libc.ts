// A koffi binding to the few libc calls the kernel harness needs (Linux x86-64/arm64 values).
//
// Convention: every call returns a SysResult, the kernel's own convention: a non-negative value
// on success, or the negated errno on failure. That keeps the hot paths free of allocations.

import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';

/** Thrown when the real-kernel harness cannot run here (not Linux, no libc, no koffi). */
export class HarnessUnavailable extends Error {
  override name = 'HarnessUnavailable';
}

/** A syscall's result: >= 0 on success, -errno on failure. */
type SysResult = number;

export const AF_INET = 2;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_ERROR = 4;
const SO_LINGER = 13;
export const SO_REUSEPORT = 15;
export const SO_ACCEPTCONN = 30;
export const POLLIN = 0x001;
export const POLLOUT = 0x004;
export const CLONE_NEWNET = 0x40000000;
export const SIOCGIFFLAGS = 0x8913;
export const SIOCSIFFLAGS = 0x8914;
export const IFF_UP = 0x1;
const CPU_SET_BYTES = 128;

const ERRNO_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(osConstants.errno).map(([name, n]) => [n, name] as [number, string]),
);

/** "EADDRINUSE" for 98; "E<n>" for a number Node does not name. Accepts n or -n. */
export function errnoName(n: number): string {
  const e = Math.abs(n);
  return ERRNO_NAMES.get(e) ?? `E${e}`;
}

/** The errno number of a name such as "EADDRINUSE" (for tests and comparisons). */
export function errnoNumber(name: string): number | undefined {
  return (osConstants.errno as Record<string, number>)[name];
}

/** A sockaddr_in for addr:port (16 bytes, family in host order, port and address in network order). */
export function encodeSockaddrIn(addr: string, port: number): Buffer {
  const octets = addr.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new Error(`not an IPv4 address: ${addr}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`not a port: ${port}`);
  const sa = Buffer.alloc(16);
  sa.writeUInt16LE(AF_INET, 0);
  sa.writeUInt16BE(port, 2);
  for (let i = 0; i < 4; i++) sa[4 + i] = octets[i];
  return sa;
}

/** addr and port of a sockaddr_in buffer. */
export function decodeSockaddrIn(sa: Buffer): { addr: string; port: number } {
  return { addr: `${sa[4]}.${sa[5]}.${sa[6]}.${sa[7]}`, port: sa.readUInt16BE(2) };
}

export interface Libc {
  socket(domain: number, type: number, protocol: number): SysResult;
  setsockoptInt(fd: number, level: number, name: number, value: number): SysResult;
  getsockoptInt(fd: number, level: number, name: number): SysResult;
  /** SO_LINGER {on, 0 s}: close() then sends a RST and frees the port at once (no TIME_WAIT). */
  setAbortiveClose(fd: number): SysResult;
  bind(fd: number, sockaddr: Buffer): SysResult;
  listen(fd: number, backlog: number): SysResult;
  close(fd: number): SysResult;
  connect(fd: number, sockaddr: Buffer): SysResult;
  accept4(fd: number, flags: number): SysResult;
  /** The bound address, or -errno. */
  getsockname(fd: number): { addr: string; port: number } | SysResult;
  fcntl(fd: number, cmd: number, arg?: number): SysResult;
  /** poll(2) over fds with the same events; returns each fd's revents, or -errno. */
  poll(fds: readonly number[], events: number, timeoutMs: number): number[] | SysResult;
  /** Sets the calling thread's fsuid, which becomes the uid of sockets it creates; returns the old one. */
  setfsuid(uid: number): number;
  unshare(flags: number): SysResult;
  setns(fd: number, nstype: number): SysResult;
  ioctl(fd: number, request: number, arg: Buffer): SysResult;
  /** The calling thread's CPU affinity mask (a cpu_set_t of 1024 bits), or -errno. */
  getAffinity(): Buffer | SysResult;
  setAffinity(mask: Buffer): SysResult;
}

/** A cpu_set_t with only `cpu` set. */
export function cpuMask(cpu: number): Buffer {
  const mask = Buffer.alloc(CPU_SET_BYTES);
  mask[cpu >> 3] |= 1 << (cpu & 7);
  return mask;
}

type Koffi = typeof import('koffi');

let cached: Libc | undefined;

/** The libc binding, loaded once. Throws HarnessUnavailable when not on Linux or libc won't load. */
export function loadLibc(): Libc {
  if (process.platform !== 'linux') {
    throw new HarnessUnavailable(`the kernel harness needs Linux (this is ${process.platform})`);
  }
  if (cached) return cached;
  let koffi: Koffi;
  let lib: ReturnType<Koffi['load']>;
  try {
    // Loaded lazily so that merely importing this module works on every platform.
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
    lib = koffi.load('libc.so.6');
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new HarnessUnavailable(`cannot load libc.so.6 through koffi: ${msg}`);
  }
  cached = bind(koffi, lib);
  return cached;
}

function bind(koffi: Koffi, lib: ReturnType<Koffi['load']>): Libc {
  const f = (decl: string) => lib.func(decl);
  const socket = f('int socket(int, int, int)');
  const setsockopt = f('int setsockopt(int, int, int, const void *, uint32_t)');
  const getsockopt = f('int getsockopt(int, int, int, void *, void *)');
  const bindFn = f('int bind(int, const void *, uint32_t)');
  const listen = f('int listen(int, int)');
  const close = f('int close(int)');
  const connect = f('int connect(int, const void *, uint32_t)');
  const accept4 = f('int accept4(int, void *, void *, int)');
  const getsockname = f('int getsockname(int, void *, void *)');
  const fcntl = f('int fcntl(int, int, ...)');
  const poll = f('int poll(void *, unsigned long, int)');
  const setfsuid = f('int setfsuid(uint32_t)');
  const unshare = f('int unshare(int)');
  const setns = f('int setns(int, int)');
  const ioctl = f('int ioctl(int, unsigned long, ...)');
  const getaffinity = f('int sched_getaffinity(int, size_t, void *)');
  const setaffinity = f('int sched_setaffinity(int, size_t, const void *)');

  // Reused scratch buffers: the binding is used from one thread only (workers load their own).
  const intBuf = Buffer.alloc(4);
  const lenBuf = Buffer.alloc(4);
  const saBuf = Buffer.alloc(16);
  const lingerBuf = Buffer.alloc(8);
  lingerBuf.writeInt32LE(1, 0);

  const ret = (r: number): SysResult => (r < 0 ? -koffi.errno() : r);

  return {
    socket: (d, t, p) => ret(socket(d, t, p)),
    setsockoptInt(fd, level, name, value) {
      intBuf.writeInt32LE(value);
      return ret(setsockopt(fd, level, name, intBuf, 4));
    },
    getsockoptInt(fd, level, name) {
      lenBuf.writeUInt32LE(4);
      const r = ret(getsockopt(fd, level, name, intBuf, lenBuf));
      return r < 0 ? r : intBuf.readInt32LE();
    },
    setAbortiveClose: (fd) => ret(setsockopt(fd, SOL_SOCKET, SO_LINGER, lingerBuf, 8)),
    bind: (fd, sa) => ret(bindFn(fd, sa, sa.length)),
    listen: (fd, backlog) => ret(listen(fd, backlog)),
    close: (fd) => ret(close(fd)),
    connect: (fd, sa) => ret(connect(fd, sa, sa.length)),
    accept4: (fd, flags) => ret(accept4(fd, null, null, flags)),
    getsockname(fd) {
      lenBuf.writeUInt32LE(16);
      const r = ret(getsockname(fd, saBuf, lenBuf));
      return r < 0 ? r : decodeSockaddrIn(saBuf);
    },
    fcntl: (fd, cmd, arg) => ret(arg === undefined ? fcntl(fd, cmd) : fcntl(fd, cmd, 'int', arg)),
    poll(fds, events, timeoutMs) {
      const pfds = Buffer.alloc(8 * fds.length);
      fds.forEach((fd, i) => {
        pfds.writeInt32LE(fd, 8 * i);
        pfds.writeInt16LE(events, 8 * i + 4);
      });
      const r = ret(poll(pfds, fds.length, timeoutMs));
      return r < 0 ? r : fds.map((_, i) => pfds.readInt16LE(8 * i + 6));
    },
    setfsuid: (uid) => setfsuid(uid >>> 0),
    unshare: (flags) => ret(unshare(flags)),
    setns: (fd, nstype) => ret(setns(fd, nstype)),
    ioctl: (fd, request, arg) => ret(ioctl(fd, request, 'void *', arg)),
    getAffinity() {
      const mask = Buffer.alloc(CPU_SET_BYTES);
      const r = ret(getaffinity(0, CPU_SET_BYTES, mask)); // pid 0: the calling thread
      return r < 0 ? r : mask;
    },
    setAffinity: (mask) => ret(setaffinity(0, mask.length, mask)),
  };
}
