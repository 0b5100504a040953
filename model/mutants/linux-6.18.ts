// The §7.3 catalogue on linux-6.18: which entries have no 6.18 mutant, and why. The 6.18 mutants
// themselves are written beside their 4.3 twins, by what they change (listen-start.ts,
// get-port.ts, hashtables.ts, close.ts); M15 (the STRICT fast-path cache) and M11's bhash2 form
// exist only there, in get-port.ts.
//
// Left out, because on 6.18 (or in the model) they are equivalent to the base kernel:
// - M3, M4 (the fastreuse fast path and its update ignoring the LISTEN state): tb->fastreuse is
//   never set on 6.18 (see the top of variants/linux-6.18/get-port.ts), so neither test is ever
//   reached with fastreuse > 0.
// - M7 (listen() ignores an inet_hash error): inet_hash never fails with bind, listen, close and
//   syn (its ENOMEM is not modelled, its EBUSY is unreachable: variants/linux-6.18/hashtables.ts).
// - M9 (reuseport group join without the tb check, or without the uid check): the model's lhash2
//   buckets are per (port, address) with no collisions, so the tb test is implied by the bucket;
//   and no two listeners of different users are ever hashed on one address:port, because get_port
//   (with the store-then-check protocol) refuses the second, so the uid test never decides.
// - M12 (conflict scan misses TIME_WAIT owners): the model has no TIME_WAIT sockets.

