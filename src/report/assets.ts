// The static parts of the report page: the vendored Mermaid bundle, the stylesheet and the small
// browser script. Kept apart from html.ts so the renderer reads as markup.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { rootPath } from '../paths.ts';

let mermaidSource: string | undefined;

/**
 * The Mermaid browser bundle, made safe to sit inside an inline <script>. Read once per process:
 * it is 3.5 MB and a check may render several reports. The build copies it into dist/ (so the
 * package needs no mermaid, whose tree is some 100 MB); an unbuilt checkout reads the dependency.
 */
export function inlineMermaid(): string {
  if (mermaidSource === undefined) {
    const built = rootPath('dist', 'mermaid.min.js');
    const path = existsSync(built) ? built : createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
    mermaidSource = scriptSafe(readFileSync(path, 'utf8'), 'mermaid.min.js');
  }
  return mermaidSource;
}

/**
 * Make JavaScript safe as the body of an inline <script>. "</script" would end the element early;
 * "<\/" means the same inside JS strings, regexes and comments, so it is rewritten. A "<!--"
 * together with "<script" could switch the HTML parser into its double-escaped state, which no
 * textual rewrite fixes without knowing the JS grammar, so that case is refused.
 */
export function scriptSafe(js: string, name: string): string {
  const out = js.replace(/<\/(script)/gi, '<\\/$1');
  if (out.includes('<!--') && /<script/i.test(out)) {
    throw new Error(`${name} contains both "<!--" and "<script"; it cannot be inlined safely`);
  }
  return out;
}

const FONT =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "DejaVu Sans", Arial, sans-serif';

export const CSS = `
:root {
  --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --bg: #ffffff;
  --accent: #0969da; --accent-soft: #ddf4ff;
  --race: #9a6700; --race-soft: #fff8c5; --race-line: #d4a72c;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--soft); color: var(--fg); font: 15px/1.5 ${FONT}; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 24px 64px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 20px 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
.subtitle { color: var(--muted); margin: 0 0 14px; }
header.page { margin-bottom: 20px; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 0; padding: 0; list-style: none; }
nav.toc { margin-top: 14px; font-size: 14px; color: var(--muted); }
nav.toc ol { display: inline; padding: 0; margin: 0; list-style: none; }
nav.toc li { display: inline; }
nav.toc li + li::before { content: " \\00b7 "; color: var(--line); padding: 0 4px; }
section.card { background: var(--bg); border: 1px solid var(--line); border-radius: 10px; padding: 20px 22px; margin: 0 0 20px; }
.empty { color: var(--muted); margin: 0; }

table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; background: var(--soft); }
tbody tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdicts td.id { white-space: nowrap; }
.verdicts td.id code { font-size: 12.5px; }
.verdicts .cx-link { display: block; font-size: 12.5px; margin-top: 2px; white-space: nowrap; }
.kind { color: var(--muted); white-space: nowrap; }

.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.badge .count { font-variant-numeric: tabular-nums; margin-right: 4px; }
.v-holds { background: #dafbe1; color: #116329; border-color: #aceebb; }
.v-violated { background: #ffebe9; color: #a40e26; border-color: #ffcecb; }
.v-expected { background: #fbefff; color: #6639ba; border-color: #ecd8ff; }
.v-unproven, .v-other { background: #eaeef2; color: #424a53; border-color: #d1d9e0; }

figure.diagram { margin: 0; }
.diff-cols { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; }
.diff-col h3 { text-transform: none; letter-spacing: 0; color: var(--fg); margin-top: 4px; }
.diff-col ul.outcomes { list-style: none; margin: 0; padding: 0; }
.diff-col li.outcome { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; margin: 0 0 8px; background: var(--soft); }
.diff-col li.outcome.only.lost { border-color: #cf222e; background: #ffebe9; }
.diff-col li.outcome.only.gained { border-color: #1a7f37; background: #dafbe1; }
.diff-col li.outcome .tag { display: block; font-size: 12px; font-weight: 600; color: var(--muted); }
.diff-col .witness-link { font-size: 12.5px; margin-left: 6px; white-space: nowrap; }
.witness { border-left: 4px solid var(--line); padding: 4px 0 4px 14px; margin: 18px 0 0; }
.witness.lost { border-left-color: #cf222e; }
.witness.gained { border-left-color: #1a7f37; }
.witness h3 { text-transform: none; letter-spacing: 0; color: var(--fg); margin: 0 0 8px; }
ul.verdict-changes, ul.same { margin: 0 0 12px; }
@media (max-width: 800px) { .diff-cols { grid-template-columns: minmax(0, 1fr); } }
.mermaid { overflow-x: auto; text-align: center; min-height: 40px; }
.mermaid:not(.is-rendered):not(.is-error) { color: var(--muted); font-size: 13px; padding: 16px; }
.mermaid.is-error { text-align: left; color: #a40e26; background: #ffebe9; border-radius: 6px; padding: 10px 12px; white-space: pre-wrap; font-family: var(--mono); font-size: 12.5px; }
.mermaid svg { height: auto; }
details.diagram-source { margin-top: 8px; font-size: 13px; }
details.diagram-source summary { cursor: pointer; color: var(--muted); }
details.diagram-source pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow: auto; max-height: 360px; }

.cx-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 12px; margin-bottom: 8px; }
.cx-head h2 { margin: 0; }
.cx-head .anchor { color: var(--line); font-weight: 400; }
.cx-head .anchor:hover { color: var(--accent); text-decoration: none; }
blockquote.sentence { margin: 0 0 14px; padding: 8px 14px; border-left: 4px solid var(--accent); background: var(--accent-soft); border-radius: 0 6px 6px 0; }
.replay { display: flex; align-items: center; gap: 10px; margin: 0 0 16px; font-size: 13px; color: var(--muted); }
.replay code { flex: 1; min-width: 0; overflow-x: auto; white-space: pre; color: var(--fg); background: #24292f0d; border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; user-select: all; }

.steps-layout { display: grid; grid-template-columns: minmax(0, 7fr) minmax(300px, 5fr); gap: 18px; align-items: start; }
.steps-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; }
table.steps td { font-size: 13.5px; }
table.steps td.n { color: var(--muted); width: 1%; }
table.steps td.where code { white-space: nowrap; }
table.steps ul.changes { margin: 0; padding: 0; list-style: none; }
table.steps ul.changes li { font-family: var(--mono); font-size: 12px; color: var(--muted); }
tr.step { cursor: pointer; }
tr.step:hover td { background: #f3f6f9; }
tr.step.race td { background: var(--race-soft); }
tr.step.race td:first-child { box-shadow: inset 4px 0 0 var(--race-line); }
tr.step.race:hover td { background: #fff3b0; }
tr.step.is-selected td { background: var(--accent-soft); }
tr.step.is-selected td:first-child { box-shadow: inset 4px 0 0 var(--accent); }
tr.step.race.is-selected td { background: var(--accent-soft); }
tr.step.race.is-selected td:first-child { box-shadow: inset 4px 0 0 var(--accent), inset 8px 0 0 var(--race-line); }
tr.step:focus { outline: none; }
tr.step:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.race-tag { display: inline-block; margin-left: 6px; padding: 0 6px; border-radius: 4px; font-size: 11px; font-weight: 600; color: var(--race); background: #fff1a8; border: 1px solid var(--race-line); white-space: nowrap; vertical-align: 1px; }
.thread { display: inline-block; padding: 0 7px; border-radius: 4px; font-size: 12.5px; font-weight: 600; white-space: nowrap; }
.t0 { background: #ddf4ff; color: #0550ae; }
.t1 { background: #ffebe9; color: #a40e26; }
.t2 { background: #dafbe1; color: #116329; }
.t3 { background: #fbefff; color: #6639ba; }
.t4 { background: #fff1e5; color: #953800; }
.t5 { background: #eaeef2; color: #424a53; }

aside.state-panel { position: sticky; top: 12px; border: 1px solid var(--line); border-radius: 8px; background: var(--bg); max-height: calc(100vh - 24px); display: flex; flex-direction: column; }
.state-view { display: flex; flex-direction: column; min-height: 0; }
.state-view[hidden] { display: none; }
.state-view header { padding: 10px 14px; border-bottom: 1px solid var(--line); background: var(--soft); border-radius: 8px 8px 0 0; font-size: 13px; }
.state-view header strong { font-size: 14px; }
.state-view header .legend { display: block; color: var(--muted); font-size: 12px; margin-top: 2px; }
.state-view header .legend mark { background: #fff1a8; padding: 0 4px; border-radius: 3px; color: inherit; }
pre.state { margin: 0; padding: 10px 0; overflow: auto; line-height: 1.45; }
pre.state .ln { display: block; padding: 0 14px; }
pre.state .ln.chg { background: #fff1a8; box-shadow: inset 3px 0 0 var(--race-line); }
.removed { margin: 0; padding: 8px 14px; border-top: 1px solid var(--line); font-size: 12.5px; color: #a40e26; }
.removed code { font-size: 12px; }
noscript p { background: #fff8c5; border: 1px solid var(--race-line); border-radius: 8px; padding: 10px 14px; }

@media (max-width: 900px) {
  .steps-layout { grid-template-columns: minmax(0, 1fr); }
  aside.state-panel { position: static; max-height: none; }
}
@media print {
  body { background: #fff; }
  nav.toc, details.diagram-source { display: none; }
  section.card { break-inside: avoid-page; border: 0; padding: 0; }
  aside.state-panel { position: static; max-height: none; }
}
`;

/**
 * The browser side: step selection and Mermaid rendering. Plain ES2017 in a string because the
 * project compiles without the DOM lib. Diagrams are rendered one at a time with mermaid.render
 * from the textContent of each escaped source <pre> (textContent undoes the HTML escaping
 * exactly, and nothing goes through Mermaid's own entity decoding). `data-rendered` on <body>
 * tells tests and tools when it is done.
 */
export const CLIENT_JS = `
(function () {
  'use strict';
  var body = document.body;

  function selectStep(row) {
    var cx = row.closest('.cx');
    if (!cx) return;
    var n = row.getAttribute('data-step');
    cx.querySelectorAll('tr.step').forEach(function (r) {
      var on = r === row;
      r.classList.toggle('is-selected', on);
      if (on) r.setAttribute('aria-current', 'true'); else r.removeAttribute('aria-current');
    });
    cx.querySelectorAll('.state-view').forEach(function (v) {
      v.hidden = v.getAttribute('data-step') !== n;
    });
  }

  document.querySelectorAll('table.steps').forEach(function (table) {
    table.addEventListener('click', function (ev) {
      var row = ev.target.closest && ev.target.closest('tr.step');
      if (row) selectStep(row);
    });
    table.addEventListener('keydown', function (ev) {
      var row = ev.target.closest && ev.target.closest('tr.step');
      if (!row) return;
      var next = null;
      if (ev.key === 'ArrowDown' || ev.key === 'j') next = row.nextElementSibling;
      else if (ev.key === 'ArrowUp' || ev.key === 'k') next = row.previousElementSibling;
      else if (ev.key === 'Enter' || ev.key === ' ') next = row;
      if (!next) return;
      ev.preventDefault();
      selectStep(next);
      next.focus();
    });
  });

  function message(e) {
    var m = e && e.message ? e.message : String(e);
    return m.replace(/\\s+/g, ' ').trim();
  }

  // Mermaid scales a diagram down to the page width; a wide one would get unreadable labels,
  // so stop shrinking at 70% and let the container scroll instead.
  function keepReadable(svg) {
    var vb = svg && svg.viewBox && svg.viewBox.baseVal;
    if (vb && vb.width > 0) svg.style.minWidth = Math.round(vb.width * 0.7) + 'px';
  }

  async function renderAll() {
    if (typeof mermaid === 'undefined') throw new Error('the Mermaid script did not load');
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      theme: 'base',
      themeVariables: {
        fontFamily: ${JSON.stringify(FONT)},
        fontSize: '14px',
        primaryColor: '#eef2f7',
        primaryBorderColor: '#8c959f',
        primaryTextColor: '#1f2328',
        lineColor: '#57606a',
        secondaryColor: '#f6f8fa',
        tertiaryColor: '#ffffff',
        noteBkgColor: '#fff8c5',
        noteBorderColor: '#d4a72c',
        noteTextColor: '#1f2328',
        actorBkg: '#ddf4ff',
        actorBorder: '#54aeff',
        actorTextColor: '#0a3069',
        activationBkgColor: '#b6e3ff',
        activationBorderColor: '#0969da',
        sequenceNumberColor: '#ffffff'
      },
      fontFamily: ${JSON.stringify(FONT)},
      maxTextSize: 5000000,
      suppressErrorRendering: true,
      sequence: { useMaxWidth: true, mirrorActors: true },
      state: { useMaxWidth: true }
    });
    var figures = document.querySelectorAll('figure.diagram');
    var errors = [];
    for (var i = 0; i < figures.length; i++) {
      var target = figures[i].querySelector('.mermaid');
      var source = figures[i].querySelector('.mermaid-source').textContent;
      var id = 'report-mmd-' + i;
      try {
        var out = await mermaid.render(id, source);
        target.innerHTML = out.svg;
        if (out.bindFunctions) out.bindFunctions(target);
        keepReadable(target.querySelector('svg'));
        target.classList.add('is-rendered');
      } catch (e) {
        errors.push('diagram ' + (i + 1) + ': ' + message(e));
        target.classList.add('is-error');
        target.textContent = 'This diagram could not be rendered: ' + message(e);
        var details = figures[i].querySelector('details');
        if (details) details.open = true;
        // Mermaid may leave its scratch element behind when parsing fails.
        var scratch = document.getElementById('d' + id);
        if (scratch) scratch.remove();
      }
    }
    return errors;
  }

  renderAll().then(function (errors) {
    body.dataset.rendered = errors.length ? 'error: ' + errors.join('; ') : 'ok';
  }, function (e) {
    body.dataset.rendered = 'error: ' + message(e);
  });
})();
`;
