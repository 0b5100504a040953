import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMachine, transition } from 'xstate';
import { LIFE, REFUSED } from '../../model/lifecycle/table.ts';
import { lifecycleStates, statechartJson, statechartMermaid } from '../../src/trace/statechart.ts';
import { cli } from './fixtures.ts';

/** Every move of the compiled table, as "from --> to: EVENT". */
const tableEdges = () => {
  const out: string[] = [];
  LIFE.states.forEach((from, s) => LIFE.events.forEach((event, e) => {
    const to = LIFE.next[s * LIFE.events.length + e];
    if (to !== REFUSED) out.push(`${from} --> ${LIFE.states[to]}: ${event}`);
  }));
  return out.sort();
};

describe('the lifecycle statechart', () => {
  it('as Mermaid has exactly the moves of the compiled table, the initial and the final state', () => {
    const lines = statechartMermaid().split('\n').map((l) => l.trim());
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines.filter((l) => /^\w+ --> \w+: \w+$/.test(l)).sort()).toEqual(tableEdges());
    expect(lines).toContain(`[*] --> ${LIFE.states[LIFE.initial]}`);
    expect(lines).toContain('closed --> [*]');
    expect(lines).toContain('class raceWindow, rejected race');
  });

  it('as JSON is a machine config that XState turns back into the same machine', () => {
    const config = JSON.parse(statechartJson());
    expect(Object.keys(config)).toEqual(['id', 'initial', 'states']);
    const machine = createMachine(config);
    const edges: string[] = [];
    for (const from of Object.keys(config.states)) {
      const snap = machine.resolveState({ value: from, context: undefined as never });
      for (const event of LIFE.events) {
        if (!snap.can({ type: event })) continue;
        const [after] = transition(machine, snap, { type: event });
        edges.push(`${from} --> ${String(after.value)}: ${event}`);
      }
    }
    expect(edges.sort()).toEqual(tableEdges());
    expect(lifecycleStates().states.filter((s) => s.final).map((s) => s.name)).toEqual(['closed']);
  });

  it('is the one the README shows', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    expect(readme).toContain('```mermaid\n' + statechartMermaid() + '\n```');
  });

  it('is printed by the statechart command', () => {
    expect(cli('statechart').stdout).toBe(statechartMermaid() + '\n');
    expect(JSON.parse(cli('statechart', '--format', 'json').stdout)).toEqual(JSON.parse(statechartJson()));
    const bad = cli('statechart', '--format', 'svg');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of mermaid, json/);
  });
});
