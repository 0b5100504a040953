// Maps the scenario's symbolic ports (8080, 1, ...) to real ports that are free right now.

import { readFileSync } from 'node:fs';
import { AF_INET, SOCK_STREAM, encodeSockaddrIn, errnoName, type Libc } from './libc.ts';
import { ScenarioError } from '../errors.ts';

/** The address ports are probed on: loopback, always. */
const PROBE_ADDR = '127.0.0.1';

/** Symbolic port -> real port. */
export type PortMap = ReadonlyMap<number, number>;

/** The first port of the kernel's ephemeral range (net.ipv4.ip_local_port_range). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}

/**
 * With `base`, the i-th symbolic port (ascending) maps to base + i: predictable, and free in a
 * fresh namespace. Without it, free ports are taken just BELOW the ephemeral range: a port the
 * kernel picked from that range (bind to port 0) could later be handed out again by an
 * autobinding listen() in the same scenario, and the scenario's explicit bind would then meet a
 * socket the model does not have (a one-in-thousands flake that conformance runs did hit).
 * Each candidate is probed by binding 127.0.0.1:port (loopback only, never a host address),
 * kept until all are chosen, so the ports are distinct; none listens, so closing leaves no
 * TIME_WAIT behind. In the private namespace nothing else is bound; on the host loopback a
 * scenario binding 0.0.0.0 is refused (netns.ts), and another loopback address that holds the
 * port shows as a disagreement the run reports.
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
    let candidate = ephemeralLow() - 1;
    for (const p of symbolic) {
      for (;; candidate--) {
        if (candidate <= 1024) throw new Error('cannot pick a free port below the ephemeral range');
        const fd = libc.socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) throw new Error(`cannot pick a free port: socket() failed with ${errnoName(fd)}`);
        if (libc.bind(fd, encodeSockaddrIn(PROBE_ADDR, candidate)) === 0) {
          fds.push(fd);
          map.set(p, candidate--);
          break;
        }
        libc.close(fd);
      }
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
