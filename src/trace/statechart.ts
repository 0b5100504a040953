// The socket lifecycle statechart as pictures, generated from the XState machine itself (never
// drawn by hand): a Mermaid stateDiagram-v2, and the machine config as plain JSON, which
// Stately's visualizer (stately.ai/viz) imports.

import { socketLifecycle } from '../../model/lifecycle/machine.ts';

/** The states during which traces flag a socket as in the race window (engine/run.ts). */
const RACE_STATES: readonly string[] = ['raceWindow', 'rejected'];

/** A state of the machine as plain data. */
interface ChartState {
  name: string;
  final: boolean;
  description?: string;
  /** Event -> target state, in the order the machine lists them. */
  on: [event: string, target: string][];
}

type TransitionConfig = string | { target?: string | string[] } | undefined;

/** The first target of an XState transition config (string, object, or a list of guarded ones). */
function targetOf(t: TransitionConfig | TransitionConfig[]): string | undefined {
  if (Array.isArray(t)) return t.length ? targetOf(t[0]) : undefined;
  if (t === undefined) return undefined;
  if (typeof t === 'string') return t.replace(/^\./, '');
  const target = Array.isArray(t.target) ? t.target[0] : t.target;
  return target?.replace(/^\./, '');
}

/** Walks socketLifecycle.config: the states, their events and targets. */
export function lifecycleStates(): { id: string; initial: string; states: ChartState[] } {
  const config = socketLifecycle.config;
  const states = Object.entries(config.states ?? {}).map(([name, raw]): ChartState => {
    const s = raw as { type?: string; description?: string; on?: Record<string, TransitionConfig | TransitionConfig[]> };
    const on = Object.entries(s.on ?? {}).flatMap(([event, t]) => {
      const target = targetOf(t);
      return target === undefined ? [] : [[event, target] as [string, string]];
    });
    return { name, final: s.type === 'final', on, ...(s.description ? { description: s.description } : {}) };
  });
  return { id: String(config.id ?? 'machine'), initial: String(config.initial), states };
}

/** Mermaid stateDiagram-v2 of the lifecycle, the race-window states highlighted. */
export function statechartMermaid(): string {
  const { initial, states } = lifecycleStates();
  const out = ['stateDiagram-v2', `  [*] --> ${initial}`];
  for (const s of states) for (const [event, target] of s.on) out.push(`  ${s.name} --> ${target}: ${event}`);
  for (const s of states) if (s.final) out.push(`  ${s.name} --> [*]`);
  for (const s of states) if (s.description) out.push(`  note right of ${s.name}: ${s.description.replace(/[\n;#]/g, ' ')}`);
  const race = states.filter((s) => RACE_STATES.includes(s.name)).map((s) => s.name);
  if (race.length) {
    out.push('  classDef race fill:#fff3b0,stroke:#d4a72c,stroke-width:2px');
    out.push(`  class ${race.join(', ')} race`);
  }
  return out.join('\n');
}

/** The machine config as JSON: id, initial, and each state's transitions (and type, description). */
export function statechartJson(): string {
  const { id, initial, states } = lifecycleStates();
  const json = {
    id,
    initial,
    states: Object.fromEntries(states.map((s) => [s.name, {
      ...(s.description ? { description: s.description } : {}),
      ...(s.final ? { type: 'final' } : {}),
      ...(s.on.length ? { on: Object.fromEntries(s.on) } : {}),
    }])),
  };
  return JSON.stringify(json, null, 2) + '\n';
}
