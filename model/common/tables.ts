// What both kernels' hash tables share: the IPv4 address overlap test and the bind bucket's end.

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
