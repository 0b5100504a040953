// The self-contained HTML report: verdicts, the socket-lifecycle statechart, and each
// counterexample as a sequence diagram plus a step table whose rows show the model state after
// the step. One file, no network at view time, same input → same bytes.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_JS, CSS, inlineMermaid, scriptSafe } from './assets.ts';
import { removedPaths, stateLines } from './state-view.ts';
import { match } from 'ts-pattern';
import type { CounterexampleSection, CounterexampleStep, DiffColumn, DiffScenarioView, DiffView, ReportInput, Verdict, VerdictRow, WriteReportOptions } from './types.ts';

export type { ReportInput, WriteReportOptions } from './types.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for HTML content and quoted attribute values alike. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Digit grouping without toLocaleString, whose output depends on the machine's locale. */
export function groupDigits(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [int, frac] = String(Math.abs(n)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

const verdictClass = (v: Verdict): string =>
  match(v)
    .with('holds', () => 'v-holds')
    .with('violated', () => 'v-violated')
    .with('violated as expected', () => 'v-expected')
    .with('not proven', () => 'v-unproven')
    // Shown as they are, unstyled.
    .with('expected violation not found', 'not applicable', () => 'v-other')
    .exhaustive();
const VERDICT_ORDER: readonly Verdict[] = ['violated', 'violated as expected', 'not proven', 'holds'];

function verdictBadge(verdict: Verdict): string {
  return `<span class="badge ${verdictClass(verdict)}">${escapeHtml(verdict)}</span>`;
}

// Ids the page uses for its own sections; counterexample anchors must not take them.
const PAGE_IDS = ['report-verdicts', 'report-statechart', 'report-counterexamples', 'report-diff'];

/**
 * Anchor ids for the counterexamples: the given id where it is usable, otherwise a cleaned one,
 * made unique so every "counterexample" link lands on its own section.
 */
export function anchorIds(ids: string[]): string[] {
  const taken = new Set(PAGE_IDS);
  return ids.map((raw, i) => {
    let base = raw.replace(/[^A-Za-z0-9_.:-]+/g, '-').replace(/^-+|-+$/g, '');
    if (!/^[A-Za-z]/.test(base)) base = `cx-${base || i + 1}`;
    let id = base;
    for (let k = 2; taken.has(id); k++) id = `${base}-${k}`;
    taken.add(id);
    return id;
  });
}

/** A diagram: an empty target filled in the browser, and its escaped source to render from. */
function diagram(source: string, label: string): string {
  // The HTML parser drops one newline right after <pre>; emitting one keeps the text exact.
  return `<figure class="diagram">
<div class="mermaid" role="img" aria-label="${escapeHtml(label)}">Rendering diagram…</div>
<details class="diagram-source"><summary>Mermaid source</summary><pre class="mermaid-source">
${escapeHtml(source)}</pre></details>
</figure>`;
}

function summary(verdicts: VerdictRow[]): string {
  const counts = new Map<Verdict, number>();
  for (const v of verdicts) counts.set(v.verdict, (counts.get(v.verdict) ?? 0) + 1);
  const known = VERDICT_ORDER.filter((v) => counts.has(v));
  const other = [...counts.keys()].filter((v) => !VERDICT_ORDER.includes(v)).sort();
  const items = [...known, ...other].map(
    (v) =>
      `<li><span class="badge ${verdictClass(v)}"><span class="count">${counts.get(v)}</span>${escapeHtml(v)}</span></li>`,
  );
  return items.length ? `<ul class="summary" aria-label="Verdict summary">${items.join('')}</ul>` : '';
}

function verdictTable(verdicts: VerdictRow[], cxAnchor: Map<string, string>): string {
  if (verdicts.length === 0) return '<p class="empty">No properties were checked.</p>';
  const rows = verdicts.map((v) => {
    const anchor = cxAnchor.get(v.id);
    const link = anchor ? `<a class="cx-link" href="#${escapeHtml(anchor)}">counterexample ↓</a>` : '';
    return `<tr>
<td class="id"><code>${escapeHtml(v.id)}</code></td>
<td>${escapeHtml(v.sentence)}</td>
<td class="kind">${escapeHtml(v.kind)}</td>
<td>${verdictBadge(v.verdict)}${link}</td>
<td class="num">${escapeHtml(groupDigits(v.runs))}</td>
</tr>`;
  });
  return `<table class="verdicts">
<thead><tr><th>Property</th><th>Sentence</th><th>Kind</th><th>Verdict</th><th class="num">Runs</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function threadClasses(steps: CounterexampleStep[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of steps) if (!out.has(s.thread)) out.set(s.thread, `t${out.size % 6}`);
  return out;
}

function stepRow(step: CounterexampleStep, i: number, threadClass: string): string {
  const changes = step.changes.length
    ? `<ul class="changes">${step.changes.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>`
    : '';
  const race = step.raceWindow ? '<span class="race-tag">race window</span>' : '';
  const cls = ['step', step.raceWindow ? 'race' : '', i === 0 ? 'is-selected' : ''].filter(Boolean).join(' ');
  return `<tr class="${cls}" data-step="${i}" tabindex="0"${i === 0 ? ' aria-current="true"' : ''}>
<td class="n num">${escapeHtml(step.n)}</td>
<td><span class="thread ${threadClass}">${escapeHtml(step.thread)}</span></td>
<td class="where"><code>${escapeHtml(step.where)}</code></td>
<td>${escapeHtml(step.did)}${race}</td>
<td>${changes}</td>
</tr>`;
}

function stateView(steps: CounterexampleStep[], i: number): string {
  const step = steps[i];
  const prev = i > 0 ? steps[i - 1].state : undefined;
  const lines = stateLines(step.state, prev)
    // Newline inside each block span: copy/paste and textContent keep the lines, and a trailing
    // newline in a block adds no blank line.
    .map((l) => `<span class="ln${l.changed ? ' chg' : ''}">${escapeHtml(l.text)}\n</span>`)
    .join('');
  const removed = i > 0 ? removedPaths(step.state, prev) : [];
  const removedHtml = removed.length
    ? `<p class="removed">Removed: ${removed.map((p) => `<code>${escapeHtml(p)}</code>`).join(', ')}</p>`
    : '';
  const legend = i > 0 ? '<span class="legend"><mark>highlighted</mark> lines changed in this step</span>' : '';
  return `<div class="state-view" data-step="${i}"${i === 0 ? '' : ' hidden'}>
<header><strong>State after step ${escapeHtml(step.n)}</strong> · ${escapeHtml(step.thread)} at <code>${escapeHtml(step.where)}</code>${legend}</header>
<pre class="state">${lines}</pre>${removedHtml}
</div>`;
}

function counterexample(cx: CounterexampleSection, anchor: string): string {
  const threads = threadClasses(cx.steps);
  const rows = cx.steps.map((s, i) => stepRow(s, i, threads.get(s.thread) ?? 't0'));
  const races = cx.steps.filter((s) => s.raceWindow).length;
  const stepsBlock = cx.steps.length
    ? `<div class="steps-layout">
<div class="steps-wrap">
<table class="steps" aria-label="Steps of ${escapeHtml(cx.title)}">
<thead><tr><th class="num">#</th><th>Thread</th><th>Where</th><th>Did</th><th>Changes</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</div>
<aside class="state-panel" aria-label="Model state after the selected step">
${cx.steps.map((_, i) => stateView(cx.steps, i)).join('\n')}
</aside>
</div>`
    : '<p class="empty">This counterexample has no steps.</p>';
  const stepsNote = `${cx.steps.length} step${cx.steps.length === 1 ? '' : 's'}${
    races ? `, ${races} in a race window` : ''
  }; select a step to see the model state after it.`;
  return `<section class="card cx" id="${escapeHtml(anchor)}">
<div class="cx-head"><h2>${escapeHtml(cx.title)} <a class="anchor" href="#${escapeHtml(anchor)}" aria-label="Link to this counterexample">#</a></h2><code>${escapeHtml(cx.propertyId)}</code></div>
<blockquote class="sentence">${escapeHtml(cx.sentence)}</blockquote>
<div class="replay"><span>Replay</span><code>${escapeHtml(cx.replay)}</code></div>
${diagram(cx.sequenceDiagram, `Sequence diagram of ${cx.title}`)}
<h3>Steps</h3>
<p class="subtitle">${stepsNote}</p>
${stepsBlock}
</section>`;
}

/** The anchor of an outcome's witness: scenario index, side, outcome index. */
const witnessId = (n: number, side: 'from' | 'to', i: number) => `witness-${n + 1}-${side}-${i + 1}`;
const sideMark = (side: 'from' | 'to') => (side === 'from' ? 'lost' : 'gained');

/** One side of a scenario: its outcomes, the ones only it reaches marked and linked to their witness. */
function diffColumn(c: DiffColumn, side: 'from' | 'to', n: number): string {
  const items = c.outcomes.map((x, i) => x.only
    ? `<li class="outcome only ${sideMark(side)}"><span class="tag">only here (${sideMark(side)})</span><code>${escapeHtml(x.text)}</code>${x.sequenceDiagram ? ` <a class="witness-link" href="#${witnessId(n, side, i)}">witness ↓</a>` : ''}</li>`
    : `<li class="outcome"><code>${escapeHtml(x.text)}</code></li>`);
  return `<div class="diff-col ${side}" data-side="${side}">
<h3><code>${escapeHtml(c.variant)}</code> · ${escapeHtml(c.summary)}</h3>
<ul class="outcomes">${items.join('\n')}</ul>
</div>`;
}

/**
 * The witnesses of the outcomes only one side reaches, lost then gained, each under its outcome.
 * A sequence diagram is 1,100-2,300 px wide at a readable size: two never fit side by side, so
 * each takes the card's width, right under the two columns.
 */
function diffWitnesses(d: DiffScenarioView, n: number): string {
  return (['from', 'to'] as const).flatMap((side) => d[side].outcomes.flatMap((x, i) => x.sequenceDiagram ? [`<div class="witness ${sideMark(side)}" id="${witnessId(n, side, i)}">
<h3>${sideMark(side) === 'lost' ? 'Lost' : 'Gained'}: only on <code>${escapeHtml(d[side].variant)}</code> · <code>${escapeHtml(x.text)}</code></h3>
${diagram(x.sequenceDiagram, `Shortest witness of ${x.text} on ${d[side].variant} in ${d.scenario}`)}
</div>`] : [])).join('\n');
}

function diffScenario(d: DiffScenarioView, n: number): string {
  const changes = d.verdictChanges.length
    ? `<ul class="verdict-changes">${d.verdictChanges.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>` : '';
  return `<section class="card diff-scenario" data-state="${escapeHtml(d.state)}">
<h2>${escapeHtml(d.scenario)} <span class="badge ${d.state === 'DIFFERS' ? 'v-violated' : d.state === 'same' ? 'v-holds' : 'v-unproven'}">${escapeHtml(d.state)}</span></h2>
${changes}
<div class="diff-cols">
${diffColumn(d.from, 'from', n)}
${diffColumn(d.to, 'to', n)}
</div>
${diffWitnesses(d, n)}
</section>`;
}

/** The diff view: scenarios that differ in full, the same ones as one list. */
function diffSections(diff: DiffView): string {
  const shown = diff.scenarios.filter((d) => d.state !== 'same');
  const same = diff.scenarios.filter((d) => d.state === 'same');
  const sameList = same.length
    ? `<section class="card"><h2>The same on both sides (${same.length})</h2><ul class="same">${same.map((d) => `<li><code>${escapeHtml(d.scenario)}</code>: ${escapeHtml(d.from.summary)}</li>`).join('')}</ul></section>` : '';
  return `<div id="report-diff">
${shown.length ? shown.map((d, n) => diffScenario(d, n)).join('\n') : `<section class="card"><p class="empty">No scenario differs between ${escapeHtml(diff.from)} and ${escapeHtml(diff.to)}.</p></section>`}
${sameList}
</div>`;
}

/** Render the whole report as one self-contained HTML document. */
export function renderReportHtml(input: ReportInput): string {
  const anchors = anchorIds(input.counterexamples.map((c) => c.id));
  const cxAnchor = new Map<string, string>();
  input.counterexamples.forEach((c, i) => {
    if (!cxAnchor.has(c.propertyId)) cxAnchor.set(c.propertyId, anchors[i]);
  });
  const toc = input.counterexamples
    .map((c, i) => `<li><a href="#${escapeHtml(anchors[i])}">${escapeHtml(c.title)}</a></li>`)
    .join('');
  const cxSections = input.counterexamples.length
    ? input.counterexamples.map((c, i) => counterexample(c, anchors[i])).join('\n')
    : '<section class="card"><p class="empty">No counterexamples.</p></section>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tcp-listen-model">
<title>${escapeHtml(input.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header class="page">
<h1>${escapeHtml(input.title)}</h1>
${input.subtitle ? `<p class="subtitle">${escapeHtml(input.subtitle)}</p>` : ''}
${summary(input.verdicts)}
${input.diff ? '' : `<nav class="toc" aria-label="Contents">Contents: <ol><li><a href="#report-verdicts">Verdicts</a></li><li><a href="#report-statechart">Socket lifecycle</a></li><li><a href="#report-counterexamples">Counterexamples (${input.counterexamples.length})</a></li>${toc}</ol></nav>`}
</header>
<noscript><p>This report draws its diagrams and step states with JavaScript; the diagram sources are still readable under “Mermaid source”.</p></noscript>
${input.diff ? diffSections(input.diff) : `<section class="card" id="report-verdicts">
<h2>Verdicts</h2>
${verdictTable(input.verdicts, cxAnchor)}
</section>
<section class="card" id="report-statechart">
<h2>Socket lifecycle</h2>
${diagram(input.statechart, 'Statechart of the socket lifecycle')}
</section>
<div id="report-counterexamples">
${cxSections}
</div>`}
</main>
<script>${inlineMermaid()}</script>
<script>${scriptSafe(CLIENT_JS, 'the report script')}</script>
</body>
</html>
`;
}

/**
 * Write `<dir>/report.html` and return its path. Refuses (one-line Error) when the file exists
 * unless `overwrite` is set: the path may be a report the user wants to keep.
 */
export function writeReport(dir: string, input: ReportInput, options: WriteReportOptions = {}): string {
  const html = renderReportHtml(input);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'report.html');
  try {
    // 'wx' makes the existence check and the create one atomic step.
    writeFileSync(path, html, { flag: options.overwrite ? 'w' : 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`${path} already exists; refusing to overwrite it (set overwrite to replace it)`);
    }
    throw e;
  }
  return path;
}
