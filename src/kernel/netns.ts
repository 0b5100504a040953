// Moves the calling thread into a fresh, private network namespace with only `lo` up, so that
// kernel runs see no other sockets and can never reach another host.
//
// What was tested on Linux 6.18 (root, Node 20, a process with ~10 threads):
// * unshare(CLONE_NEWNET) from the main thread of a multi-threaded process succeeds. The EINVAL
//   restriction for multi-threaded callers applies to CLONE_THREAD/SIGHAND/VM, which CLONE_NEWUSER
//   implies (kernel/fork.c check_unshare_flags); CLONE_NEWNET implies none of them.
// * It moves only the calling thread (/proc/thread-self/ns/net changes; libuv's pool and V8's
//   threads stay in the host namespace). Threads and child processes created afterwards by the
//   main thread inherit the new namespace (a worker_thread and `ip link set lo up` both see it).
// * Sockets keep the namespace they were created in, and fds are process-wide, so worker threads
//   can operate on sockets the main thread created, whichever namespace the worker is in.
// lo is brought up with the SIOCSIFFLAGS ioctl rather than `ip`, so iproute2 is not needed.

import { closeSync, openSync, readlinkSync } from 'node:fs';
import {
  AF_INET,
  CLONE_NEWNET,
  IFF_UP,
  SIOCGIFFLAGS,
  SIOCSIFFLAGS,
  SOCK_DGRAM,
  SOCK_STREAM,
  encodeSockaddrIn,
  errnoName,
  loadLibc,
  type Libc,
} from './libc.ts';
import { ScenarioError } from '../errors.ts';

interface NetnsStatus {
  /** True when this thread runs in a namespace this module created. */
  private: boolean;
  /** e.g. "net:[4026532177]", the namespace the calling thread is in now. */
  netns: string;
  /** Why the namespace could not be made (only when private is false). */
  reason?: string;
}

let status: NetnsStatus | undefined;

/** The current thread's namespace, e.g. "net:[4026531833]". */
function currentNetns(): string {
  try {
    return readlinkSync('/proc/thread-self/ns/net');
  } catch {
    return 'unknown';
  }
}

/**
 * Enters a private network namespace once per process (later calls return the first answer).
 * Never throws for lack of privilege: then it reports `private: false` and the caller runs on
 * the host loopback. Throws HarnessUnavailable when not on Linux.
 */
export function ensurePrivateNetns(): NetnsStatus {
  if (status) return status;
  const libc = loadLibc();
  status = enter(libc);
  return status;
}

/** Whether ensurePrivateNetns() has put this process's main thread in a private namespace. */
function inPrivateNetns(): boolean {
  return status?.private === true;
}

function enter(libc: Libc): NetnsStatus {
  // A handle on the old namespace lets us go back if lo cannot be brought up.
  let oldNs: number;
  try {
    oldNs = openSync('/proc/thread-self/ns/net', 'r');
  } catch (e) {
    return hostStatus(`cannot open /proc/thread-self/ns/net: ${(e as Error).message}`);
  }
  try {
    const r = libc.unshare(CLONE_NEWNET);
    if (r < 0) return hostStatus(`unshare(CLONE_NEWNET) failed: ${errnoName(r)}`);
    const up = bringLoopbackUp(libc);
    if (up) {
      const back = libc.setns(oldNs, CLONE_NEWNET);
      const where = back < 0 ? ` (and setns back failed: ${errnoName(back)})` : '';
      return hostStatus(`${up}${where}`);
    }
    return { private: true, netns: currentNetns() };
  } finally {
    closeSync(oldNs);
  }
}

function hostStatus(reason: string): NetnsStatus {
  return { private: false, netns: currentNetns(), reason };
}

/** Sets IFF_UP on lo and checks that 127.0.0.2 is bindable; returns an error message or undefined. */
function bringLoopbackUp(libc: Libc): string | undefined {
  const fd = libc.socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return `socket() in the new namespace failed: ${errnoName(fd)}`;
  try {
    const ifr = Buffer.alloc(40); // struct ifreq: char ifr_name[16], then a union (flags at 16)
    ifr.write('lo', 0, 'latin1');
    let r = libc.ioctl(fd, SIOCGIFFLAGS, ifr);
    if (r < 0) return `SIOCGIFFLAGS(lo) failed: ${errnoName(r)}`;
    ifr.writeUInt16LE(ifr.readUInt16LE(16) | IFF_UP, 16);
    r = libc.ioctl(fd, SIOCSIFFLAGS, ifr);
    if (r < 0) return `SIOCSIFFLAGS(lo up) failed: ${errnoName(r)}`;
  } finally {
    libc.close(fd);
  }
  const probe = libc.socket(AF_INET, SOCK_STREAM, 0);
  if (probe < 0) return `socket() in the new namespace failed: ${errnoName(probe)}`;
  try {
    const r = libc.bind(probe, encodeSockaddrIn('127.0.0.2', 0));
    return r < 0 ? `lo is up but bind(127.0.0.2) failed: ${errnoName(r)}` : undefined;
  } finally {
    libc.close(probe);
  }
}

/**
 * Where a harness run happens: the private namespace when it can be had (unless the caller said
 * not to), else the host loopback, where a scenario binding 0.0.0.0 is refused. `note` says why
 * there is no private namespace, when there is none.
 */
export function enterLoopback(scenario: { name: string }, bindsWildcard: boolean, wantPrivate: boolean | undefined): { privateNetns: boolean; note?: string } {
  const ns = wantPrivate === false ? undefined : ensurePrivateNetns();
  const privateNetns = inPrivateNetns();
  if (!privateNetns && bindsWildcard) {
    throw new ScenarioError(`scenario ${scenario.name} binds 0.0.0.0 but no private network namespace is available; refusing on the host`);
  }
  return { privateNetns, ...(!privateNetns && ns?.reason ? { note: ns.reason } : {}) };
}
