// The model's sequential answers against the closed-form rule of shared/kernel-listen-path.md
// §5.1/§5.2, which 4.3 follows for every two-socket case (§5.3).
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import type { Scenario } from '../../model/scenario.ts';
import { compileSystem } from '../../model/system.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { runSchedule } from '../../src/engine/run.ts';

const flags = fc.record({ reuseaddr: fc.boolean(), reuseport: fc.boolean() });
const addr = fc.constantFrom('0.0.0.0', '127.0.0.1', '127.0.0.2') as fc.Arbitrary<'0.0.0.0' | '127.0.0.1' | '127.0.0.2'>;

function expected(a: { reuseaddr: boolean; reuseport: boolean }, b: typeof a, aListening: boolean, overlap: boolean): string {
  if (!overlap) return '0';
  // The 4.3 quirk (properties: two-socket-rule): a listener with both flags validated its port
  // by the fastreuseport path and left tb->fastreuse set, so a SO_REUSEADDR bind gets in.
  if (aListening && a.reuseaddr && a.reuseport && b.reuseaddr) return '0';
  if (a.reuseport && b.reuseport) return '0';
  if (!aListening && a.reuseaddr && b.reuseaddr) return '0';
  return 'EADDRINUSE';
}

/** listen(B) beside a listener A: only SO_REUSEPORT on both lets it share (no fast path helps). */
function listenRule(a: { reuseport: boolean }, b: { reuseport: boolean }, overlap: boolean): string {
  return !overlap || (a.reuseport && b.reuseport) ? '0' : 'EADDRINUSE';
}

const run = (s: Scenario) => runSchedule(compileSystem(s, linux43), [], { properties: [] }).results.T0;

describe('linux-4.3 against the two-socket decision table', () => {
  test.prop([flags, flags, addr, addr, fc.boolean()])('bind(B) next to A bound or listening', (fa, fb, aa, ab, aListening) => {
    const s: Scenario = {
      name: 't', sockets: [{ name: 'A', ...fa }, { name: 'B', ...fb }],
      setup: [{ op: 'bind', sk: 'A', addr: aa, port: 8080 }, ...(aListening ? [{ op: 'listen' as const, sk: 'A' }] : [])],
      threads: [[{ op: 'bind', sk: 'B', addr: ab, port: 8080 }]],
    };
    const overlap = aa === '0.0.0.0' || ab === '0.0.0.0' || aa === ab;
    expect(run(s)).toEqual([expected(fa, fb, aListening, overlap)]);
  });

  test.prop([flags, flags, addr, addr])('listen(B) after A listens, both bound first', (fa, fb, aa, ab) => {
    const s: Scenario = {
      name: 't', sockets: [{ name: 'A', ...fa }, { name: 'B', ...fb }],
      setup: [{ op: 'bind', sk: 'A', addr: aa, port: 8080 }],
      threads: [[{ op: 'bind', sk: 'B', addr: ab, port: 8080 }, { op: 'listen', sk: 'A' }, { op: 'listen', sk: 'B' }]],
    };
    const overlap = aa === '0.0.0.0' || ab === '0.0.0.0' || aa === ab;
    const bindB = expected(fa, fb, false, overlap);
    // If B could not bind, its listen() autobinds an ephemeral port and succeeds.
    const listenB = bindB === '0' ? listenRule(fa, fb, overlap) : '0';
    expect(run(s)).toEqual([bindB, '0', listenB]);
  });

  test('a second bind() of one socket is EINVAL, listen() after close() is EBADF', () => {
    const s: Scenario = {
      name: 't', sockets: [{ name: 'A' }],
      threads: [[{ op: 'bind', sk: 'A', addr: '127.0.0.1', port: 8080 }, { op: 'bind', sk: 'A', addr: '127.0.0.1', port: 8081 }, { op: 'close', sk: 'A' }, { op: 'listen', sk: 'A' }]],
    };
    expect(run(s)).toEqual(['0', 'EINVAL', '0', 'EBADF']);
  });

  test('listen() on a listening socket returns 0 and only updates the backlog', () => {
    const s: Scenario = {
      name: 't', sockets: [{ name: 'A' }],
      threads: [[{ op: 'bind', sk: 'A', addr: '127.0.0.1', port: 8080 }, { op: 'listen', sk: 'A', backlog: 5 }, { op: 'listen', sk: 'A', backlog: 9 }, { op: 'syn', addr: '127.0.0.1', port: 8080 }]],
    };
    expect(run(s)).toEqual(['0', '0', '0', 'A']);
  });
});
