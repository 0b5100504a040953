import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateInvariantsDoc, type InvariantsDocOptions } from '../../src/docs/invariants.ts';
import { INVARIANTS_PATH, invariantsDocOptions } from '../../src/docs/defaults.ts';
import { parseWitness, readWitness } from '../../src/docs/witness.ts';
import { docsStale } from '../../src/docs/stale.ts';
import { statechartMermaid } from '../../src/trace/statechart.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { KERNELS } from '../../model/registry.ts';
import { MUTANTS } from '../../model/mutants/index.ts';
import { PROPERTIES, findProperty } from '../../properties/registry.ts';
import { BUILTIN_SCENARIOS, listenRace } from '../../src/scenarios/builtin.ts';
import { runMain } from '../cli/in-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'tlm-docs-'));

describe('docs/INVARIANTS.md', () => {
  // The same generation `docs --check` does: fails `npm test` when the committed file is stale.
  const expected = generateInvariantsDoc(invariantsDocOptions());

  it('is up to date (run "npx tcp-listen-model docs" to regenerate it)', () => {
    expect(docsStale(INVARIANTS_PATH, expected)).toBeNull();
  });

  it('has the statechart, then every property with its lines, kind and a verdict on every kernel', () => {
    expect(expected).toContain('```mermaid\n' + statechartMermaid() + '\n```');
    for (const p of PROPERTIES) {
      const at = expected.indexOf(`\n## ${p.id}\n`);
      expect(at, p.id).toBeGreaterThan(expected.indexOf('stateDiagram-v2'));
      const section = expected.slice(at, expected.indexOf('\n## ', at + 1) >>> 0);
      expect(section).toContain(p.sentence);
      expect(section).toContain(`**Kind:** ${p.kind}`);
      for (const line of [...p.kernel['4.3'], ...p.kernel['6.18']]) expect(section).toContain(`\`${line}\``);
      for (const k of KERNELS) expect(section).toMatch(new RegExp(`${k.id}: (holds|violated|violated as expected|not applicable|expected violation not found) \\(\\d+ runs\\)`));
    }
  });

  it('lists every catalogued mutant under the property that kills it, with a diagram', () => {
    for (const m of MUTANTS) expect(expected).toContain(m.id);
    if (MUTANTS.length) expect(expected.match(/^#### linux-[\d.]+\//gm)?.length ?? 0).toBeGreaterThan(0);
  });

  it('shows the both-fail counterexample and a witness place under the expected violation', () => {
    const at = expected.indexOf('\n## some-concurrent-listener-succeeds\n');
    const section = expected.slice(at);
    expect(section).toContain('### Expected violation');
    expect(section).toMatch(/#### Counterexample on linux-4\.3\n\nScenario `listen-race-2`[\s\S]*?```mermaid\nsequenceDiagram/);
    expect(section).toContain('#### Real-kernel witness');
  });

  // In this process: its generation is the one above, remembered, rather than worked out again.
  it('docs --check exits 1 on a stale file and 0 after docs rewrote it', async () => {
    const path = join(dir, 'INVARIANTS.md');
    writeFileSync(path, expected.replace('holds', 'HOLDS'));
    const stale = await runMain(['docs', '--check', '--out', path]);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/INVARIANTS\.md is stale \(first difference at line \d+\); run "npx tcp-listen-model docs"/);
    writeFileSync(path, expected);
    expect(docsStale(path, expected)).toBeNull();
    const fresh = await runMain(['docs', '--check', '--out', path]);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/INVARIANTS\.md is up to date\n$/);
    expect(docsStale(join(dir, 'absent.md'), expected)).toMatch(/does not exist/);
  });
});

describe('the generator on small inputs', () => {
  const small = (o: Partial<InvariantsDocOptions> = {}): string => generateInvariantsDoc({
    properties: [findProperty('some-concurrent-listener-succeeds')!, findProperty('inuse-counts-hashed')!],
    kernels: [linux43], mutants: [], scenarios: [listenRace(2)], runs: 100, mutantMaxStates: 20_000, seed: 1, witness: null, ...o,
  });

  it('is deterministic', () => {
    expect(small()).toBe(small());
  });

  it('says so when nothing is measured or catalogued', () => {
    const doc = small();
    expect(doc).toContain('Mutants: no mutants catalogued yet.');
    expect(doc).toContain('No mutants catalogued yet.');
    expect(doc).toContain('#### Real-kernel witness\n\nNot measured yet.');
  });

  it('shows the witness figures of the scenario the violation is seen in', () => {
    const witness = parseWitness([
      { scenario: 'listen-race-2', kernel: '6.18.2', trials: 20000, outcomes: { '{"T0":"0","T1":"EADDRINUSE"}': 9990, '{"T0":"EADDRINUSE","T1":"0"}': 10008, '{"T0":"EADDRINUSE","T1":"EADDRINUSE"}': 2 } },
      { scenario: 'other', trials: 1, outcomes: {} },
    ], 'w.json');
    const doc = small({ witness });
    expect(doc).toContain('Scenario `listen-race-2` on Linux 6.18.2: 20000 trials.');
    expect(doc).toContain('| `{"T0":"EADDRINUSE","T1":"0"}` | 10008 | 50.0% |');
    expect(doc).toContain('| `{"T0":"EADDRINUSE","T1":"EADDRINUSE"}` | 2 | 0.010% |');
    expect(doc).not.toContain('Scenario `other`');
  });

  it('lists a mutant under the property that kills it', () => {
    const mutant = MUTANTS[0];
    if (!mutant) return;
    const doc = generateInvariantsDoc({
      properties: PROPERTIES, kernels: [linux43], mutants: [mutant], scenarios: BUILTIN_SCENARIOS, runs: 20, mutantMaxStates: 20_000, seed: 1, witness: null,
    });
    expect(doc).toContain(`#### ${mutant.id}`);
    expect(doc).toMatch(/\| mutants it kills \|/);
  });

  it('reads witness files strictly', () => {
    const p = join(dir, 'witness.json');
    expect(readWitness(join(dir, 'none.json'))).toBeNull();
    writeFileSync(p, JSON.stringify({ scenario: 'listen-race-2', trials: 'many', outcomes: {} }));
    expect(() => readWitness(p)).toThrow(/witness\.json: \/trials must be a whole number/);
    writeFileSync(p, JSON.stringify({ scenario: 'listen-race-2', trials: 3, outcomes: { a: 1.5 } }));
    expect(() => readWitness(p)).toThrow(/\/outcomes\/a must be a whole number/);
    expect(readFileSync(INVARIANTS_PATH, 'utf8').length).toBeGreaterThan(1000);
  });
});
