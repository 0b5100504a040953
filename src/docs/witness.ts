// Real-kernel witness figures for the docs: how often a racy outcome really happened. Read from
// the committed docs/witness.json (written by hand or from a `witness` run), never measured while
// the docs are generated, so the page stays the same from one generation to the next.
//
// Shape: one record or a list of records {scenario, kernel?, trials, outcomes: {outcome: count}},
// with no date in it.

import { existsSync } from 'node:fs';
import { readInputFile } from '../read-json.ts';

export interface WitnessRecord {
  scenario: string;
  /** The kernel it ran on, e.g. "6.18.2"; optional. */
  kernel?: string;
  trials: number;
  /** Outcome (e.g. '{"T0":"EADDRINUSE","T1":"EADDRINUSE"}') -> trials that ended so. */
  outcomes: Record<string, number>;
}

/** Parses witness data; throws a one-line Error naming the field at fault. */
export function parseWitness(data: unknown, source: string): WitnessRecord[] {
  const list = Array.isArray(data) ? data : [data];
  return list.map((r, i) => {
    const at = Array.isArray(data) ? `/${i}` : '';
    const o = r as Partial<WitnessRecord> | null;
    if (typeof o !== 'object' || o === null) throw new Error(`${source}: ${at || '(top level)'} must be an object`);
    if (typeof o.scenario !== 'string') throw new Error(`${source}: ${at}/scenario must be a string`);
    if (o.kernel !== undefined && typeof o.kernel !== 'string') throw new Error(`${source}: ${at}/kernel must be a string`);
    if (!Number.isInteger(o.trials) || o.trials! < 0) throw new Error(`${source}: ${at}/trials must be a whole number`);
    if (typeof o.outcomes !== 'object' || o.outcomes === null) throw new Error(`${source}: ${at}/outcomes must be an object`);
    for (const [k, n] of Object.entries(o.outcomes)) {
      if (!Number.isInteger(n) || n < 0) throw new Error(`${source}: ${at}/outcomes/${k} must be a whole number`);
    }
    return { scenario: o.scenario, ...(o.kernel ? { kernel: o.kernel } : {}), trials: o.trials!, outcomes: o.outcomes };
  });
}

/** The records in `path`, or null when there is no such file ("not measured yet"). */
export function readWitness(path: string): WitnessRecord[] | null {
  if (!existsSync(path)) return null;
  const text = readInputFile(path, 'witness file');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseWitness(data, path);
}

/** "0.0123%"-style share with a fixed number of digits, independent of the locale. */
function share(n: number, of: number): string {
  if (of === 0) return '-';
  const p = (100 * n) / of;
  return `${p >= 1 ? p.toFixed(1) : p.toPrecision(2)}%`;
}

/** A Markdown table of one record, most frequent outcome first (ties by outcome text). */
export function witnessMarkdown(r: WitnessRecord): string {
  const rows = Object.entries(r.outcomes).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return [
    `Scenario \`${r.scenario}\`${r.kernel ? ` on Linux ${r.kernel}` : ''}: ${r.trials} trials.`,
    '',
    '| outcome | trials | share |',
    '| --- | ---: | ---: |',
    ...rows.map(([k, n]) => `| \`${k.replace(/\|/g, '\\|')}\` | ${n} | ${share(n, r.trials)} |`),
  ].join('\n');
}
