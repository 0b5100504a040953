// A property of your own, checked from code: "a SYN never reaches a socket in the race window".
// It holds on Linux 4.3; on a variant that hashes the socket before get_port (defined below by
// moving one step) the checker finds the SYN that gets through, and prints the trace.
//
//   npx tsx examples/custom-property.ts

import { pathToFileURL } from 'node:url';
import {
  checkProperties, findVariant, formatTraceText, kernel, LIFE, moveAfter,
  type PostconditionProperty, type PropertyVerdict, type Scenario, type Variant,
} from '../src/index.ts';

export const synNeverInRaceWindow: PostconditionProperty = {
  id: 'syn-never-in-race-window',
  kind: 'postcondition',
  sentence: 'A SYN is never delivered to a socket whose TCP_LISTEN is published but whose port get_port has not validated.',
  why: 'The race window is harmless only because the socket enters the listening hash after validation.',
  kernel: { '4.3': ['inet_connection_sock.c 812-817'], '6.18': ['inet_connection_sock.c 1360-1369'] },
  // Checked when a syscall returns: for a SYN, `result` names the socket that got it.
  check(k, sys, op, _ctx, result) {
    if (op.op !== 'syn' || result < kernel.RES_SYN_TO) return null;
    const sk = result - kernel.RES_SYN_TO;
    const life = LIFE.states[k.lifeState(sk)];
    return life === 'raceWindow' || life === 'rejected' ? `a SYN reached ${sys.names.sockets[sk]} in lifecycle state ${life}` : null;
  },
};

/** A listener being set up while a SYN arrives for its port. */
export const synDuringListen: Scenario = {
  name: 'syn-during-listen',
  sockets: [{ name: 'A', reuseaddr: true }],
  setup: [{ op: 'bind', sk: 'A', addr: '127.0.0.1', port: 8080 }],
  threads: [[{ op: 'listen', sk: 'A' }], [{ op: 'syn', addr: '127.0.0.1', port: 8080 }]],
};

const linux43 = findVariant('linux-4.3')!;

/** A variant of 4.3 that hashes the socket right after publishing TCP_LISTEN, before get_port. */
export const hashBeforeGetPort: Variant = {
  ...linux43,
  id: 'example/hash-before-get-port',
  title: 'Linux 4.3, hash before get_port',
  programs: { ...linux43.programs, listen: moveAfter(linux43.programs.listen, 'hash', 'publish-listen') },
};

/** The property's verdict on a variant (fixed seed: the same answer every time). */
export function checkSynProperty(variant: Variant, runs = 300): PropertyVerdict {
  const [verdict] = checkProperties({
    variant, scenarios: [synDuringListen], generated: false, properties: [synNeverInRaceWindow],
    runs, seed: 1, scheduler: 'random', depth: 2, merge: true,
  });
  return verdict;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const variant of [linux43, hashBeforeGetPort]) {
    const v = checkSynProperty(variant);
    console.log(`${variant.id}: ${v.id} ${v.verdict} (${v.runs} runs)`);
    if (v.counterexample) console.log(formatTraceText(v.counterexample.run.trace, { violation: v.counterexample.run.violation }));
  }
}
