// A trace as a Mermaid sequenceDiagram: one lifeline per thread plus the two shared tables, the
// bind hash ("bhash") and the listening hash ("lhash"). One message per trace row (a step and
// the steps merged into it), as in the text table.
//
// Locks are drawn as activation bars: on a thread's lifeline while it holds lock_sock, on a
// table's lifeline while a thread holds its lock (the head lock for get_port / put_port, the
// listening-bucket lock for hash / unhash). Rows during which some socket is in the race window
// sit in a yellow band; the row that violates the property sits in a red one, with a note.

import type { Change, TraceStep } from '../engine/run.ts';
import type { Scenario } from '../../model/scenario.ts';
import { showOp } from '../../model/system.ts';
import type { StateChange } from '../../model/state.ts';
import { NO_REF } from '../../model/state-schema.ts';
import { traceRows, type TraceViolation } from './text.ts';

export interface MermaidTraceOptions {
  /** Labels each thread's lifeline with its ops and shows the setup. */
  scenario?: Scenario;
  violation?: TraceViolation | null;
}

const BHASH = 'bhash';
const LHASH = 'lhash';

const RACE_BAND = 'rgba(255, 213, 79, 0.35)';
const FAIL_BAND = 'rgba(255, 99, 99, 0.35)';

/** Mermaid ends a message at "#" and ";": write them as its entity codes. */
export function mermaidText(s: string): string {
  return s.replace(/[#;]/g, (c) => (c === '#' ? '#35;' : '#59;')).replace(/\r?\n/g, '<br/>');
}

/** A Mermaid participant id: letters, digits and underscores only. */
const pid = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');

type Table = typeof BHASH | typeof LHASH;

/** Lock changes a step recorded explicitly (lock_sock always; table locks when held across steps). */
interface LockMove {
  on: 'thread' | Table;
  take: boolean;
  what: string;
}

/** The lock a change takes or drops, from its field's kind (a reference to the holder thread). */
function lockMove(c: Change): LockMove | null {
  const at = c.at;
  if (!at || !isLock(at) || (at.from !== NO_REF && at.to !== NO_REF)) return null;
  const take = at.from === NO_REF;
  switch (at.section) {
    case 'socket': return { on: 'thread', take, what: `lock_sock(${at.record})` };
    case 'tb': return { on: BHASH, take, what: `head lock ${at.record}` };
    case 'lhash': return { on: LHASH, take, what: `listening lock ${at.record}` };
    default: return null;
  }
}

const lockMoves = (s: TraceStep): LockMove[] => s.changes.map(lockMove).filter((m) => m !== null);

const isLock = (at: StateChange) => at.kind.kind === 'ref' && at.kind.lock === true;
const isLockField = (c: Change) => c.at !== undefined && isLock(c.at);

/**
 * The shared table a step works on, and the lock it runs under when it takes and drops that
 * lock within the step (4.3's get_port runs whole under the head lock, hash and unhash under
 * the listening-bucket lock; a SYN lookup runs under RCU, no lock).
 */
function tableOf(s: TraceStep): { table: Table; lock?: string } | null {
  if (/get-port|put-port/.test(s.stepId)) return { table: BHASH, lock: 'head lock' };
  if (/^(hash|unhash)\b/.test(s.stepId)) return { table: LHASH, lock: 'listening lock' };
  if (/^lookup\b/.test(s.stepId)) return { table: LHASH };
  if (s.changes.some((c) => c.at && (c.at.section === 'tb' || c.at.section === 'tb2' || c.at.field === 'bindHash' || c.at.field === 'bind2Hash'))) return { table: BHASH };
  if (s.changes.some((c) => c.at && (c.at.section === 'lhash' || c.at.field === 'lhash'))) return { table: LHASH };
  return null;
}

const showChange = (c: Change) => `${c.field}: ${c.from} → ${c.to}`;

export function traceToMermaid(trace: readonly TraceStep[], o: MermaidTraceOptions = {}): string {
  const threads = o.scenario
    ? o.scenario.threads.map((ops, t) => ({ name: `T${t}`, label: `T${t}: ${ops.map(showOp).join(', ')}` }))
    : [...new Set(trace.map((s) => s.thread))].map((name) => ({ name, label: name }));
  const parts = [...threads.map((t) => pid(t.name)), BHASH, LHASH];
  const span = `${parts[0]},${parts[parts.length - 1]}`;
  const out = ['sequenceDiagram'];
  for (const t of threads) out.push(`  participant ${pid(t.name)} as ${mermaidText(t.label)}`);
  out.push(`  participant ${BHASH} as bhash (bind buckets)`, `  participant ${LHASH} as lhash (listening hash)`);
  const setup = o.scenario?.setup ?? [];
  if (setup.length) out.push(`  Note over ${span}: ${mermaidText(`setup: ${setup.map(showOp).join(', ')}`)}`);

  // Open activations per lifeline: Mermaid refuses to deactivate an inactive one.
  const active = new Map<string, number>();
  const activate = (p: string, indent: string) => { active.set(p, (active.get(p) ?? 0) + 1); out.push(`${indent}activate ${p}`); };
  const deactivate = (p: string, indent: string) => {
    if (!active.get(p)) return;
    active.set(p, active.get(p)! - 1);
    out.push(`${indent}deactivate ${p}`);
  };

  let inRace = false;
  let raceSockets = '';
  let violationShown = false;
  for (const row of traceRows(trace)) {
    const head = row[0], last = row[row.length - 1];
    const race = row.flatMap((s) => s.raceWindow);
    if (race.length > 0 && !inRace) { out.push(`  rect ${RACE_BAND}`); inRace = true; }
    if (race.length === 0 && inRace) { out.push('  end'); inRace = false; raceSockets = ''; }
    const indent = inRace ? '    ' : '  ';
    const v = o.violation;
    const fails = !!v && !violationShown && v.step >= head.n && v.step <= last.n;
    const ind = fails ? indent + '  ' : indent;
    if (fails) out.push(`${indent}rect ${FAIL_BAND}`);

    const t = pid(head.thread);
    const moves = row.flatMap(lockMoves);
    for (const m of moves) if (m.take) activate(m.on === 'thread' ? t : m.on, ind);
    const n = row.length > 1 ? `${head.n}-${last.n}` : `${head.n}`;
    const held = moves.filter((m) => m.on !== 'thread').map((m) => `${m.take ? 'takes' : 'drops'} ${m.what}`);
    const target = row.map(tableOf).find((x) => x !== null) ?? null;
    // A table lock taken or held explicitly (across steps) is already drawn; else the step holds it whole.
    const atomicLock = target?.lock && !moves.some((m) => m.on === target.table) && !active.get(target.table) ? target.lock : undefined;
    const label = [
      `[${n}] ${row.map((s) => s.stepId).join(' + ')}`,
      head.where,
      ...(atomicLock ? [`under ${atomicLock}`] : []),
      ...held,
    ].join(' · ') + (last.returned !== undefined ? ` ⇒ returns ${last.returned}` : '');
    const changes = row.flatMap((s) => s.changes).filter((c) => !isLockField(c)).map(showChange);
    if (target) {
      const [on, off] = atomicLock ? ['+', '-'] : ['', ''];
      out.push(`${ind}${t}->>${on}${target.table}: ${mermaidText(label)}`);
      out.push(`${ind}${target.table}-->>${off}${t}: ${changes.length ? changes.map(mermaidText).join('<br/>') : 'no change'}`);
    } else {
      out.push(`${ind}${t}->>${t}: ${mermaidText(label)}`);
      if (changes.length) out.push(`${ind}Note right of ${t}: ${changes.map(mermaidText).join('<br/>')}`);
    }
    for (const m of moves) if (!m.take) deactivate(m.on === 'thread' ? t : m.on, ind);
    // Said after the row that changed who is in the window (raceWindow is the state after a step).
    const nowIn = [...new Set(race)].join(', ');
    if (inRace && nowIn !== raceSockets) {
      out.push(`${ind}Note over ${span}: race window: ${mermaidText(nowIn)} TCP_LISTEN, port not validated yet`);
      raceSockets = nowIn;
    }
    if (fails) {
      out.push(`${ind}Note over ${span}: ${mermaidText(`✗ violated: ${v!.propertyId}: ${v!.message}`)}`);
      out.push(`${indent}end`);
      violationShown = true;
    }
  }
  if (inRace) out.push('  end');
  if (o.violation && !violationShown) {
    out.push(`  rect ${FAIL_BAND}`, `    Note over ${span}: ${mermaidText(`✗ violated: ${o.violation.propertyId} at step ${o.violation.step}: ${o.violation.message}`)}`, '  end');
  }
  return out.join('\n');
}
