// Data races found by explore (issue 9 item 4): unordered conflicting pairs, not both marked.
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explore.ts';
import { builtinScenario, listenRace } from '../../src/scenarios/builtin.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { linux618 } from '../../model/variants/linux-6.18/index.ts';
import { allVariants } from '../../model/registry.ts';

const racesOf = (variantId: string, scenario: string) => {
  const variant = allVariants().find((v) => v.id === variantId)!;
  const r = explore({ variant, scenario: builtinScenario(scenario) ?? listenRace(2), properties: [], races: true, symmetry: true });
  return (r.races ?? []).map((x) => `${x.marked ? 'marked' : 'RACE'} ${x.at}: ${x.a.step} ${x.a.access} | ${x.b.step} ${x.b.access}`);
};

describe('data races', () => {
  it('4.3: the LISTEN store and get_port\'s read of sk_state are unordered, but both volatile (skc_state): no data race', () => {
    expect(racesOf(linux43.id, 'listen-race-2')).toEqual([
      'marked socket.state: listen/get-port socket.state r head->lock/once hashed | listen/publish-listen socket.state w lock_sock/once',
      'marked socket.state: listen/get-port socket.state r head->lock/once hashed | listen/rollback socket.state w lock_sock/once',
    ]);
  });

  it('6.18 publishes LISTEN with a release store', () => {
    expect(racesOf(linux618.id, 'listen-race-2')).toContain(
      'marked socket.state: listen/get-port socket.state r head->lock/once hashed | listen/publish-listen socket.state w lock_sock/release');
  });

  it('finds the plain inet_num write of put_port against the SYN lookup\'s compute_score and re-score', () => {
    expect(racesOf(linux43.id, 'close-autobound').filter((x) => x.startsWith('RACE')).sort()).toEqual([
      'RACE socket.num: close/put-port-autobound socket.num rw lock_sock | syn/lookup-rescore socket.num r plain any',
      'RACE socket.num: close/put-port-autobound socket.num rw lock_sock | syn/lookup-score socket.num r plain any',
    ]);
  });

  it('a mutant that hashes without the bucket lock races with the other listener\'s hash on prot_inuse', () => {
    expect(racesOf('linux-4.3/lhash-insert-without-lock', 'reuseport-pair').filter((x) => x.startsWith('RACE') && x.includes('prot_inuse')).length).toBeGreaterThan(0);
  });
});
