import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { traceToMermaid, mermaidText } from '../../src/trace/mermaid.ts';
import type { TraceStep } from '../../src/engine/run.ts';
import { runSchedule, traceChange } from '../../src/engine/run.ts';
import { SOCKET_FIELDS, TB_FIELDS, type Field } from '../../model/state-schema.ts';
import { compileSystem, ScenarioError } from '../../model/system.ts';
import { KERNELS } from '../../model/registry.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { generatedScenario } from '../../src/engine/generate.ts';
import { uniformSchedule } from '../../src/engine/schedule.ts';
import { listenRace } from '../../src/scenarios/builtin.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { bothFail } from './fixtures.ts';

/** Structural checks Mermaid's parser would otherwise only report in a browser. */
function wellFormed(src: string): string[] {
  const problems: string[] = [];
  const lines = src.split('\n');
  if (lines[0] !== 'sequenceDiagram') problems.push('first line is not sequenceDiagram');
  const declared = new Set(lines.flatMap((l) => /^\s*participant (\w+) as /.exec(l)?.[1] ?? []));
  const active = new Map<string, number>();
  const move = (p: string, d: number, line: string) => {
    const n = (active.get(p) ?? 0) + d;
    if (n < 0) problems.push(`deactivates inactive ${p}: ${line}`);
    active.set(p, n);
  };
  let depth = 0;
  for (const line of lines.slice(1)) {
    const l = line.trim();
    // Text runs up to "#" or ";" in Mermaid: only entity codes may contain them.
    const text = l.replace(/#\d+;/g, '');
    if (/[#;]/.test(text)) problems.push(`raw # or ; in: ${l}`);
    if (l.startsWith('rect ')) depth++;
    else if (l === 'end') { depth--; if (depth < 0) problems.push('end without rect'); }
    else if (l.startsWith('activate ')) move(l.slice(9), 1, l);
    else if (l.startsWith('deactivate ')) move(l.slice(11), -1, l);
    else {
      const m = /^(\w+)-{1,2}>>([+-]?)(\w+): /.exec(l);
      if (m) {
        for (const p of [m[1], m[3]]) if (!declared.has(p)) problems.push(`undeclared participant ${p}`);
        if (m[2] === '+') move(m[3], 1, l);
        if (m[2] === '-') move(m[1], -1, l);
      }
    }
  }
  if (depth !== 0) problems.push(`${depth} rect block(s) left open`);
  return problems;
}

describe('the both-fail counterexample as a sequence diagram', () => {
  const cx = bothFail();
  const src = traceToMermaid(cx.run.trace, { scenario: cx.scenario, violation: cx.run.violation });
  const lines = src.split('\n').map((l) => l.trim());

  it('has one lifeline per thread, named with its op, and the two shared tables', () => {
    expect(lines).toContain('participant T0 as T0: listen(A)');
    expect(lines).toContain('participant T1 as T1: listen(B)');
    expect(lines).toContain('participant bhash as bhash (bind buckets)');
    expect(lines).toContain('participant lhash as lhash (listening hash)');
    expect(wellFormed(src)).toEqual([]);
  });

  it('shows both get_port calls under the head lock and both lock_sock holds', () => {
    const getPorts = lines.filter((l) => /^T[01]->>\+bhash: \[\d+\] get-port .* under head lock$/.test(l));
    expect(getPorts.map((l) => l.slice(0, 2)).sort()).toEqual(['T0', 'T1']);
    for (const t of ['T0', 'T1']) {
      expect(lines).toContain(`activate ${t}`);
      expect(lines).toContain(`deactivate ${t}`);
    }
  });

  it('puts both publishes and both get_ports inside the race-window band, with both sockets named', () => {
    const open = lines.findIndex((l) => l.startsWith('rect rgba(255, 213, 79'));
    const close = lines.indexOf('end', open);
    expect(open).toBeGreaterThan(0);
    const band = lines.slice(open, close);
    expect(band.filter((l) => /publish-listen/.test(l))).toHaveLength(2);
    expect(band.filter((l) => /get-port/.test(l))).toHaveLength(2);
    expect(band).toContain('Note over T0,lhash: race window: A, B TCP_LISTEN, port not validated yet');
  });

  it('highlights the failing step in its own band and names the property', () => {
    const open = lines.findIndex((l) => l.startsWith('rect rgba(255, 99, 99'));
    const band = lines.slice(open, lines.indexOf('end', open));
    const step = cx.run.violation!.step;
    expect(band.some((l) => new RegExp(`\\[(\\d+-)?${step}\\] `).test(l))).toBe(true);
    expect(band.at(-1)).toMatch(/^Note over T0,lhash: ✗ violated: some-concurrent-listener-succeeds: every listen\(\) failed/);
    // The message's ";" is written as an entity code, or Mermaid would cut the note there.
    expect(band.at(-1)).toContain('#59; the port has no listener');
  });
});

describe('locks and tables', () => {
  it('draws hash under the listening lock on lhash', () => {
    // Two listeners: with one thread alone every step is invisible and one transition runs them all.
    const sys = compileSystem(listenRace(2), linux43);
    const run = runSchedule(sys, [], { properties: PROPERTIES, trace: true });
    const src = traceToMermaid(run.trace, { scenario: listenRace(2) });
    expect(src).toMatch(/T0->>\+lhash: \[\d+(-\d+)?\] hash .* under listening lock/);
    expect(src).toMatch(/lhash-->>-T0: .*A\.lhash: unhashed → hashed/);
    expect(wellFormed(src)).toEqual([]);
  });

  it('draws a head lock held across steps as an activation of bhash, not as an atomic call', () => {
    const step = (n: number, stepId: string, changes: TraceStep['changes']): TraceStep => ({
      n, thread: 'T0', op: 'bind(A, 127.0.0.1:8080)', stepId, fn: 'f', where: 'x.c:1', file: 'x.c', line: '1', text: '', merged: false, changes, raceWindow: [],
    });
    // Changes as the run makes them: located by the schema, the lock known by its field's kind.
    const names = { sockets: ['A'], threads: ['T0'], ports: ['8080'], lifeStates: [] };
    const change = (section: 'socket' | 'tb', record: string, field: string, kind: Field, from: number, to: number) =>
      traceChange(names, { section, index: 0, record, field, kind, from, to });
    const src = traceToMermaid([
      step(1, 'head-lock', [change('tb', '8080', 'lock', TB_FIELDS.lock, 0, 1)]),
      step(2, 'get-port', [change('socket', 'A', 'num', SOCKET_FIELDS.num, 0, 1)]),
      step(3, 'head-unlock', [change('tb', '8080', 'lock', TB_FIELDS.lock, 1, 0)]),
    ]);
    const lines = src.split('\n').map((l) => l.trim());
    expect(lines).toContain('activate bhash');
    expect(lines).toContain('deactivate bhash');
    expect(lines.some((l) => l.includes('takes head lock 8080'))).toBe(true);
    expect(lines.some((l) => l.startsWith('T0->>bhash: [2] get-port'))).toBe(true);
    expect(wellFormed(src)).toEqual([]);
  });

  it('escapes what would end a Mermaid text', () => {
    expect(mermaidText('a; b #1\nc')).toBe('a#59; b #35;1<br/>c');
  });
});

describe('any run gives a well-formed diagram', () => {
  test.prop([generatedScenario(), uniformSchedule(), fc.constantFrom(...KERNELS)], { numRuns: 150, seed: 5 })(
    'balanced bands and activations, declared participants, escaped text',
    (scenario, schedule, variant) => {
      let sys;
      try {
        sys = compileSystem(scenario, variant);
      } catch (e) {
        if (e instanceof ScenarioError) return;
        throw e;
      }
      const run = runSchedule(sys, schedule, { properties: PROPERTIES, trace: true });
      expect(wellFormed(traceToMermaid(run.trace, { scenario, violation: run.violation }))).toEqual([]);
    },
  );
});
