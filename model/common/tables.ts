// What both kernels' hash tables share: the IPv4 address overlap test, a socket joining and
// leaving its bind bucket, and the bind bucket's end.

import type { Kernel } from '../kernel-view.ts';

export { addressesOverlap } from '../kernel.ts';

/** inet_bind_bucket_destroy: the bucket goes, and with it its fast flags. */
export function destroyBindBucket(k: Kernel, port: number): void {
  k.setTbExists(port, false);
  k.setFastreuse(port, 0);
  k.setFastreuseport(port, 0);
  k.setFastuid(port, 0);
  k.setFastAddr(port, 0);
}

/** Both kernels' inet_bind_hash begins so: inet_num = port, icsk_bind_hash = tb (the port's bucket). */
export function joinBindBucket(k: Kernel, sk: number, port: number): void {
  k.set_inet_num(sk, port);
  k.setBindHash(sk, port);
}

/**
 * Both kernels' __inet_put_port begins so: a socket with a bind bucket leaves it and clears
 * inet_num. Returns the port it left, or -1 when it had none (nothing to do).
 */
export function leaveBindBucket(k: Kernel, sk: number): number {
  const port = k.bindHash(sk);
  if (port < 0) return -1;
  k.setBindHash(sk, -1);
  k.set_inet_num(sk, -1);
  return port;
}
