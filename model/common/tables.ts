// What both kernels' hash tables share: the IPv4 address overlap test and the bind bucket's end.

import type { Kernel } from '../kernel-view.ts';
import { ADDR_ANY } from '../kernel.ts';

/** IPv4 address overlap (4.3 icsk.c 69-70, 79-80): either is 0.0.0.0, or they are equal. */
export function addressesOverlap(a: number, b: number): boolean {
  return a === ADDR_ANY || b === ADDR_ANY || a === b;
}

/** inet_bind_bucket_destroy: the bucket goes, and with it its fast flags. */
export function destroyBindBucket(k: Kernel, port: number): void {
  k.setTbExists(port, false);
  k.setFastreuse(port, 0);
  k.setFastreuseport(port, 0);
  k.setFastuid(port, 0);
  k.setFastAddr(port, 0);
}
