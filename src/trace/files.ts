// Writes counterexamples to a folder: per counterexample one JSON trace (for `replay`) and one
// Markdown page (the text table and the sequence diagram, for people and for links). Check, the
// explorer and the mutant table all call `writeCounterexamples` with what they found.
//
// Nothing is overwritten without `force`: every target is checked before the first is written,
// so a refused batch leaves the folder as it was.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { showOp } from '../../model/system.ts';
import { findProperty } from '../../properties/registry.ts';
import { formatTraceJson, toTraceFile, type TraceFile, type TraceSource } from './json.ts';
import { traceToMermaid } from './mermaid.ts';
import { formatTraceText } from './text.ts';

/**
 * A counterexample to write, and how it was found (shown in the page, kept in the JSON). `name`
 * replaces the default file name (e.g. "outcome-1" for an explorer outcome, which violates nothing).
 */
export type CounterexampleOutput = TraceSource & { found?: TraceFile['found']; name?: string };

interface OutputFile {
  path: string;
  content: string;
}

/** Refusal to replace an existing file; its message is one line. */
export class FileExistsError extends Error {}

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

/** Longest file name stem: a file name has at most 255 bytes, and "-NN.json" must still fit. */
const MAX_STEM = 200;

/** A long stem (a scenario named by a long string) is cut and given a hash of the whole, so two
 * long names stay apart and the file is always writable. */
const capStem = (s: string) => (s.length <= MAX_STEM ? s : `${s.slice(0, MAX_STEM - 9)}-${createHash('sha256').update(s).digest('hex').slice(0, 8)}`);

/** "<property>.<scenario>.<variant>": what it breaks, where, on which kernel. */
function counterexampleName(cx: TraceSource): string {
  return [cx.run.violation?.propertyId ?? 'run', cx.scenario.name, cx.variant].map(slug).join('.');
}

/** The Markdown page of one counterexample. `jsonPath` is where its trace is written. */
export function counterexampleMarkdown(cx: CounterexampleOutput, jsonPath: string): string {
  const v = cx.run.violation;
  const prop = v ? findProperty(v.propertyId) : undefined;
  const sched = cx.schedule.map((s) => `T${s.thread} x${s.steps}`).join(', ') || '(none)';
  const threads = cx.scenario.threads.map((ops, t) => `T${t}: ${ops.map(showOp).join(', ')}`).join('; ');
  const setup = (cx.scenario.setup ?? []).map(showOp).join(', ');
  const lines = [
    `# ${v ? `${v.propertyId}: violated` : 'run'} on ${cx.variant}`,
    '',
    ...(prop ? [`> ${prop.sentence}`, ''] : []),
    `- scenario: \`${cx.scenario.name}\`${cx.scenario.description ? ` (${cx.scenario.description})` : ''}`,
    ...(setup ? [`- setup: ${setup}`] : []),
    `- threads: ${threads}`,
    `- schedule: ${sched}, then each thread to completion in order${cx.merge === false ? ' (steps not merged)' : ''}`,
    `- results: ${Object.entries(cx.run.results).map(([t, r]) => `${t} ${r.join(' ')}`).join(', ')}`,
    ...(v ? [`- violated at step ${v.step}: ${v.message}`] : []),
    `- replay: \`npx tcp-listen-model replay ${jsonPath}\``,
    ...(cx.found?.command ? [`- found by: \`${cx.found.command}\``] : []),
    '',
    '## Steps',
    '',
    '`*` marks rows during which some socket is in the race window; under each row are the fields the step changed.',
    '',
    '```text',
    formatTraceText(cx.run.trace, { violation: v }),
    '```',
    '',
    '## Sequence diagram',
    '',
    '```mermaid',
    traceToMermaid(cx.run.trace, { scenario: cx.scenario, violation: v }),
    '```',
    '',
  ];
  return lines.join('\n');
}

/** The two files of each counterexample; equal names get "-2", "-3", ... in order. */
export function counterexampleFiles(dir: string, cxs: readonly CounterexampleOutput[]): OutputFile[] {
  const used = new Map<string, number>();
  return cxs.flatMap((cx) => {
    const base = capStem(cx.name !== undefined ? slug(cx.name) : counterexampleName(cx));
    const k = (used.get(base) ?? 0) + 1;
    used.set(base, k);
    const name = k === 1 ? base : `${base}-${k}`;
    const json = join(dir, `${name}.json`);
    return [
      { path: json, content: formatTraceJson(toTraceFile(cx, cx.found)) },
      { path: join(dir, `${name}.md`), content: counterexampleMarkdown(cx, json) },
    ];
  });
}

/** Writes the files, creating `dir`; without `force`, refuses (before writing any) if one exists. */
function writeOutputFiles(files: readonly OutputFile[], o: { force?: boolean } = {}): string[] {
  if (!o.force) {
    const taken = files.filter((f) => existsSync(f.path));
    if (taken.length) {
      const more = taken.length > 1 ? ` (and ${taken.length - 1} more)` : '';
      throw new FileExistsError(`${taken[0].path} already exists${more}; refusing to overwrite it (use --force to replace)`);
    }
  }
  for (const f of files) {
    mkdirSync(join(f.path, '..'), { recursive: true });
    try {
      writeFileSync(f.path, f.content, { flag: o.force ? 'w' : 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(`${f.path} already exists; refusing to overwrite it (use --force to replace)`);
      throw e;
    }
  }
  return files.map((f) => f.path);
}

/** One JSON trace and one Markdown page per counterexample, in `dir`. Returns the paths written. */
export function writeCounterexamples(dir: string, cxs: readonly CounterexampleOutput[], o: { force?: boolean } = {}): string[] {
  return writeOutputFiles(counterexampleFiles(dir, cxs), o);
}
