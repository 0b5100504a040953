// Maps the scenario's symbolic ports (8080, 1, ...) to real ports that are free right now.

import { AF_INET, SOCK_STREAM, encodeSockaddrIn, errnoName, type Libc } from './libc.ts';
import { ScenarioError } from './validate.ts';

/** Symbolic port -> real port. */
export type PortMap = ReadonlyMap<number, number>;

/**
 * With `base`, the i-th symbolic port (ascending) maps to base + i: predictable, and free in a
 * fresh namespace. Without it the kernel picks: each throwaway socket binds 127.0.0.1:0 and is
 * kept open until all are chosen, so the ports are distinct; none listens, so closing them
 * leaves no TIME_WAIT behind.
 */
export function allocatePorts(libc: Libc, symbolic: readonly number[], base?: number): PortMap {
  if (base !== undefined) {
    if (!Number.isInteger(base) || base < 1 || base + symbolic.length - 1 > 65535) {
      throw new ScenarioError(`port ${base}: needs ${symbolic.length} ports from it within [1, 65535]`);
    }
    return new Map(symbolic.map((p, i) => [p, base + i]));
  }
  const fds: number[] = [];
  try {
    const map = new Map<number, number>();
    for (const p of symbolic) {
      const fd = libc.socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0) throw new Error(`cannot pick a free port: socket() failed with ${errnoName(fd)}`);
      fds.push(fd);
      const r = libc.bind(fd, encodeSockaddrIn('127.0.0.1', 0));
      if (r < 0) throw new Error(`cannot pick a free port: bind(127.0.0.1:0) failed with ${errnoName(r)}`);
      const name = libc.getsockname(fd);
      if (typeof name === 'number') throw new Error(`cannot pick a free port: getsockname failed with ${errnoName(name)}`);
      map.set(p, name.port);
    }
    return map;
  } finally {
    for (const fd of fds) libc.close(fd);
  }
}

/** Real port -> symbolic port, for reading getsockname() back. */
export function invertPorts(map: PortMap): ReadonlyMap<number, number> {
  return new Map([...map].map(([sym, real]) => [real, sym]));
}
