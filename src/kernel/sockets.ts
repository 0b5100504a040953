// Creates a scenario socket: AF_INET/SOCK_STREAM, its owner uid, and its options before any op.

import type { ScenarioSocket } from '../../model/scenario.ts';
import {
  AF_INET,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  SO_REUSEPORT,
  errnoName,
  type Libc,
} from './libc.ts';
import { ScenarioError } from '../errors.ts';

/** Opens the socket and returns its fd; throws a one-line Error when the kernel refuses. */
export function openScenarioSocket(libc: Libc, spec: ScenarioSocket): number {
  // A socket without a uid belongs to whoever runs the harness: only a second user needs setfsuid.
  const create = () => libc.socket(AF_INET, SOCK_STREAM, 0);
  const fd = spec.uid === undefined ? create() : withFsuid(libc, spec.uid, create);
  if (fd < 0) throw new Error(`socket() for ${spec.name} failed: ${errnoName(fd)}`);
  const opts: Array<[boolean | undefined, number, string]> = [
    [spec.reuseaddr, SO_REUSEADDR, 'SO_REUSEADDR'],
    [spec.reuseport, SO_REUSEPORT, 'SO_REUSEPORT'],
  ];
  for (const [on, opt, label] of opts) {
    if (!on) continue;
    const r = libc.setsockoptInt(fd, SOL_SOCKET, opt, 1);
    if (r < 0) {
      libc.close(fd);
      throw new Error(`setsockopt(${label}) on ${spec.name} failed: ${errnoName(r)}`);
    }
  }
  return fd;
}

/**
 * Runs create() with the thread's fsuid set to uid. A socket's owner (sk_uid) is the fsuid of
 * its creator (net/socket.c sock_alloc), and setfsuid is per thread, unlike glibc's seteuid,
 * which changes every thread of the process.
 */
function withFsuid<T>(libc: Libc, uid: number, create: () => T): T {
  const previous = libc.setfsuid(0xffffffff); // an invalid uid only reads the current one
  if (uid === previous) return create();
  libc.setfsuid(uid);
  try {
    if (libc.setfsuid(0xffffffff) !== uid) {
      throw new ScenarioError(`this scenario creates a socket owned by uid ${uid}, which needs root (setfsuid is refused to uid ${previous}); run it as root, or drop the uids to run as this user`);
    }
    return create();
  } finally {
    libc.setfsuid(previous);
  }
}
