// The section of docs/INVARIANTS.md on what makes the model's steps trustworthy: each step's
// footprint, Lipton's atomicity rule, and the data races of the built-in scenarios with the
// DRF-SC argument (issue 9 items 1, 2 and 4).

import type { Scenario } from '../../model/scenario.ts';
import type { Variant } from '../../model/variant.ts';
import { allAccesses, atomicity } from '../../model/atomicity.ts';
import { showAccess } from '../../model/footprint.ts';
import { where } from '../../model/program.ts';
import { explore } from '../explore/explore.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function atomicitySection(kernels: readonly Variant[], scenarios: readonly Scenario[]): string[] {
  const out = [
    '## Footprints, atomicity and data races',
    '',
    'Every step declares its footprint: the shared fields it reads (r) and writes (w) and what protects each access — a lock ' +
      'it holds, or how a lockless access is made (`plain`, `once` = READ_ONCE/WRITE_ONCE or a volatile field, `release`, ' +
      '`acquire`, `rcu`; `lock/mode` is a marked access under a lock) — and whose field it is (the op\'s own socket unless ' +
      'it says `any`, `hashed` = another socket reached through a hash table, `unhashed` = its own while in no hash). ' +
      '`test/model/footprints.test.ts` runs every step of both kernels and every mutant on a recording view of the state and ' +
      'fails on any field touched without being declared. The explorer merges a step into the one before it only when its ' +
      'footprint conflicts with no step of another thread.',
    '',
    '**Atomicity (Lipton\'s reduction).** A step may be one move only if all its shared accesses are under locks it holds, ' +
      'or it makes at most one unprotected access, with lock acquires only before it and releases only after it ' +
      '(`model/atomicity.ts`). Two refinements, both Lipton\'s: an unprotected access that no step of another thread ' +
      'can make in conflict commutes with every step of the others (a both-mover) and does not count, and the model ' +
      'fields one kernel word is spread over (a chain node\'s `next`, kept as the chain\'s stamps) count as one access. ' +
      'Every step of both kernels passes; the SYN lookup does so because it is walked one node a step. `explore` warns ' +
      'about every step of the scenario that breaks the rule and qualifies its *holds* as "assuming atomic".',
    '',
    '**Data races and DRF-SC.** Two accesses race when they touch the same field of the same socket or bucket, one writes, ' +
      'they are not both marked, and happens-before does not order them (no common lock: release -> acquire; a release ' +
      'store read by an acquire load is marked on both sides; program order within a thread). By Adve and Hill\'s result ' +
      'such a pair exists iff some sequentially consistent execution makes the two adjacent: a reachable state where both ' +
      'threads\' next steps are enabled and make them, which `explore --races` checks at every state it visits. A scenario ' +
      'with none is data-race-free, and the kernel memory model (LKMM, like every DRF-SC model) then gives it only ' +
      'sequentially consistent executions: the outcomes the explorer lists are all the outcomes the kernel can have — given ' +
      'that the steps are atomic (above). With races, the listed outcomes are the SC ones only.',
    '',
    '**sk_state is marked.** `skc_state` is declared `volatile unsigned char` (include/net/sock.h: 4.3 line 183, 6.18.2 ' +
      'line 172), so even 4.3\'s plain-looking `sk->sk_state = TCP_LISTEN` (icsk.c 813) and the get_port read of another ' +
      'socket\'s state (68-78; 6.18 184) are volatile, i.e. marked, accesses: the store-then-check window is an unordered ' +
      'pair of marked accesses — the race the protocol is built on — not a data race. 6.18 makes the store a release ' +
      '(inet_sk_state_store, 1360) and the close-path store too (tcp.c 3012); the rollback (1372, inet_sk_set_state) and ' +
      'the reader stay volatile.',
    '',
    '**The races left, and why they are benign.** All are on `inet_num`, between a write under the socket\'s or the ' +
      'bucket\'s lock (put_port clearing it: 4.3 ih.c 116 from tcp_set_state or tcp_v4_destroy_sock, 6.18 ih.c 227) and ' +
      'the SYN lookup\'s plain read (compute_score: 4.3 ih.c 174 `inet->inet_num == hnum`, 6.18 `sk->sk_num == hnum`, ' +
      'and 4.3\'s re-score of its result, 245-248): an RCU reader still on a node just unhashed may read sk_num while ' +
      'inet_put_port clears it. It is a data race by the LKMM, and benign: the field is an aligned 16-bit store, and ' +
      'either value only decides whether a socket already leaving the chain is scored. (A SYN sent to "the port of A" ' +
      'finds that port through the model\'s ghost bookkeeping, not a kernel read, so it races with nothing.)',
    '',
  ];
  for (const k of kernels) {
    out.push(`### ${k.id}: steps`, '', '| step | line | footprint | Lipton |', '| --- | --- | --- | --- |');
    const others = allAccesses(Object.values(k.programs));
    for (const p of Object.values(k.programs)) {
      for (const s of p.steps) {
        const a = atomicity(s, others);
        out.push(`| ${p.name}/${s.id} | ${cell(where(s))} | ${cell((s.footprint ?? []).map(showAccess).join('; ') || '(none)')} | ${a.ok ? 'ok' : cell(`**not atomic**: ${a.rule}`)} |`);
      }
    }
    out.push('', `### ${k.id}: data races on the built-in scenarios`, '');
    const seen = new Map<string, string[]>();
    const verdicts: string[] = [];
    for (const sc of scenarios) {
      const r = explore({ variant: k, scenario: sc, properties: [], races: true, symmetry: true });
      const races = (r.races ?? []).filter((x) => !x.marked);
      verdicts.push(`${sc.name}: ${races.length === 0 && !r.truncated ? 'data-race-free' : `${races.length} race${races.length === 1 ? '' : 's'}`}`);
      for (const x of r.races ?? []) {
        const key = `${x.marked ? 'unordered, both marked (no data race)' : '**race**'} on ${x.at}: ${x.a.step} (${x.a.where}) ${x.a.access} vs ${x.b.step} (${x.b.where}) ${x.b.access}`;
        seen.set(key, [...(seen.get(key) ?? []), sc.name]);
      }
    }
    out.push(...[...seen.entries()].map(([key, scs]) => `- ${key} — in ${scs.join(', ')}`), '', verdicts.join('; ') + '.', '');
  }
  return out;
}
