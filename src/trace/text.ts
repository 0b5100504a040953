// A trace as a plain-text table: one row a step, with the thread, the kernel line, what the
// step did and only the fields it changed. Rows marked `*` run while some socket is in the race
// window (TCP_LISTEN published, port not yet validated by get_port).

import type { TraceStep } from '../engine/run.ts';

export interface TextTraceOptions {
  /** Show steps merged into the one before them (default: fold them into that row). */
  showMerged?: boolean;
  /** The violation the trace ends in: stated as the table's last line, so a pasted table says what broke. */
  violation?: TraceViolation | null;
}

/** What a trace violates: the property, at which step, and why. */
export interface TraceViolation {
  propertyId: string;
  message: string;
  step: number;
}

/** The closing line of a counterexample: the property by id, the step, the message. */
export function violationLine(v: TraceViolation): string {
  return `violated: ${v.propertyId} at step ${v.step}: ${v.message}`;
}

/** Rows of a trace; merged steps are folded into the row of the step they follow. */
export function traceRows(trace: readonly TraceStep[], o: TextTraceOptions = {}): TraceStep[][] {
  const rows: TraceStep[][] = [];
  for (const s of trace) {
    if (s.merged && !o.showMerged && rows.length > 0) rows[rows.length - 1].push(s);
    else rows.push([s]);
  }
  return rows;
}

export function formatTraceText(trace: readonly TraceStep[], o: TextTraceOptions = {}): string {
  const rows = traceRows(trace, o).map((group) => {
    const head = group[0];
    const last = group[group.length - 1];
    const changes = group.flatMap((s) => s.changes.map((c) => `${c.field}: ${c.from} -> ${c.to}`));
    const did = group.map((s) => s.stepId).join(' + ');
    return {
      n: group.length > 1 ? `${head.n}-${last.n}` : String(head.n),
      race: group.some((s) => s.raceWindow.length > 0) ? '*' : '',
      thread: head.thread,
      op: head.op,
      where: head.where,
      did: did + (last.returned !== undefined ? `  => returns ${last.returned}` : ''),
      changes,
    };
  });
  const w = {
    n: Math.max(1, ...rows.map((r) => r.n.length)),
    thread: Math.max(6, ...rows.map((r) => r.thread.length)),
    op: Math.max(2, ...rows.map((r) => r.op.length)),
    where: Math.max(5, ...rows.map((r) => r.where.length)),
  };
  const lines = [
    `${'#'.padStart(w.n)}   ${'thread'.padEnd(w.thread)}  ${'op'.padEnd(w.op)}  ${'where'.padEnd(w.where)}  step / changes`,
  ];
  for (const r of rows) {
    lines.push(`${r.n.padStart(w.n)} ${r.race.padEnd(1)} ${r.thread.padEnd(w.thread)}  ${r.op.padEnd(w.op)}  ${r.where.padEnd(w.where)}  ${r.did}`);
    const pad = ' '.repeat(w.n + 3 + w.thread + 2 + w.op + 2 + w.where + 2);
    for (const c of r.changes) lines.push(`${pad}  ${c}`);
  }
  if (o.violation) lines.push('', violationLine(o.violation));
  return lines.join('\n');
}
