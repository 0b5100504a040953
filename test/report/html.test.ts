import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { anchorIds, escapeHtml, groupDigits, renderReportHtml, writeReport } from '../../src/report/html.ts';
import { scriptSafe } from '../../src/report/assets.ts';
import { removedPaths, stateLines, toPlainJson } from '../../src/report/state-view.ts';
import type { ReportInput } from '../../src/report/types.ts';
import { SAMPLE, SEQUENCE, STATECHART } from './sample.ts';

const html = renderReportHtml(SAMPLE);

/** The page without the inlined Mermaid bundle: the part this project writes. */
function ownMarkup(page: string): string {
  const start = page.indexOf('<script>');
  const end = page.indexOf('</script>', start);
  return page.slice(0, start) + page.slice(end);
}

/** Undo escapeHtml, as the browser's textContent does. */
function unescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('renderReportHtml', () => {
  it('escapes a hostile title, subtitle and every other text field', () => {
    const evil = '<script>alert("x")</script>&\'';
    const input: ReportInput = {
      ...SAMPLE,
      title: evil,
      subtitle: evil,
      verdicts: [{ id: evil, sentence: evil, kind: evil, verdict: 'holds', runs: 1 }],
      counterexamples: [
        {
          ...SAMPLE.counterexamples[0],
          title: evil,
          sentence: evil,
          propertyId: evil,
          replay: evil,
          steps: [{ n: 1, thread: evil, where: evil, did: evil, changes: [evil], raceWindow: true, state: { k: evil } }],
        },
      ],
    };
    const out = ownMarkup(renderReportHtml(input));
    expect(out).not.toContain('<script>alert');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(out).toContain(`<title>${escapeHtml(evil)}</title>`);
    // Exactly the two script elements the page owns: Mermaid and the report script.
    expect(renderReportHtml(input).match(/<script\b/gi)).toHaveLength(2);
  });

  it('keeps Mermaid sources in escaped <pre> blocks that decode back exactly', () => {
    const sources = [...html.matchAll(/<pre class="mermaid-source">\n([\s\S]*?)<\/pre>/g)].map((m) => unescape(m[1]));
    expect(sources).toEqual([STATECHART, SEQUENCE, SAMPLE.counterexamples[1].sequenceDiagram]);
    expect(html).toContain('&quot;about to&quot; listen &amp; &lt;lost&gt;');
  });

  it('shows every verdict with its badge and every counterexample with its parts', () => {
    for (const v of SAMPLE.verdicts) {
      expect(html).toContain(`<code>${escapeHtml(v.id)}</code>`);
      expect(html).toContain(escapeHtml(v.sentence));
      expect(html).toMatch(new RegExp(`<span class="badge v-[a-z]+">${v.verdict}</span>`));
    }
    expect(html).toContain('<span class="badge v-expected">violated as expected</span>');
    expect(html).toContain('<span class="badge v-violated">violated</span>');
    expect(html).toContain('<td class="num">25,000</td>');
    for (const cx of SAMPLE.counterexamples) {
      expect(html).toContain(`<section class="card cx" id="${cx.id}">`);
      expect(html).toContain(`href="#${cx.id}"`);
      expect(html).toContain(escapeHtml(cx.title));
      expect(html).toContain(escapeHtml(cx.replay));
      expect(html.match(new RegExp(`<tr class="step[^"]*" data-step=`, 'g'))!.length).toBeGreaterThan(0);
    }
    // One .mermaid target per diagram: the statechart and one per counterexample.
    expect(html.match(/<div class="mermaid"/g)).toHaveLength(1 + SAMPLE.counterexamples.length);
  });

  it('marks race-window steps and shows the first step state, others hidden', () => {
    const cx = SAMPLE.counterexamples[0];
    const rows = html.match(/<tr class="step[^"]*"/g)!;
    expect(rows.slice(0, cx.steps.length)).toEqual([
      '<tr class="step is-selected"',
      '<tr class="step race"',
      '<tr class="step race"',
      '<tr class="step"',
    ]);
    expect(html.match(/<span class="race-tag">/g)).toHaveLength(3);
    const views = html.match(/<div class="state-view" data-step="\d+"( hidden)?>/g)!;
    expect(views.slice(0, 4)).toEqual([
      '<div class="state-view" data-step="0">',
      '<div class="state-view" data-step="1" hidden>',
      '<div class="state-view" data-step="2" hidden>',
      '<div class="state-view" data-step="3" hidden>',
    ]);
    // Step 4 hashes A into lhash2: that line is highlighted.
    expect(html).toContain('<span class="ln chg">    &quot;0.0.0.0:1&quot;: [&quot;A&quot;]\n</span>');
  });

  it('references no external URL in src or href attributes', () => {
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(ownMarkup(html)).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
  });

  it('inlines the Mermaid bundle', () => {
    expect(html.length).toBeGreaterThan(1_000_000);
    expect(html).toContain('globalThis["mermaid"]');
    expect(html.match(/<\/script/gi)).toHaveLength(2);
  });

  it('is deterministic', () => {
    expect(renderReportHtml(structuredClone(SAMPLE))).toBe(html);
    expect(html).not.toMatch(/\b20\d\d-\d\d-\d\d/);
  });

  it('renders empty inputs without failing', () => {
    const out = renderReportHtml({ title: 't', verdicts: [], statechart: 'stateDiagram-v2\n  [*] --> A', counterexamples: [] });
    expect(out).toContain('No properties were checked.');
    expect(out).toContain('No counterexamples.');
    expect(out).toContain('Counterexamples (0)');
  });
});

describe('helpers', () => {
  it('escapeHtml escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('groupDigits does not depend on the locale', () => {
    expect([0, 999, 1000, 1234567, -25000, 1.5].map(groupDigits)).toEqual(['0', '999', '1,000', '1,234,567', '-25,000', '1.5']);
  });

  it('anchorIds keeps good ids, cleans bad ones and makes them unique', () => {
    expect(anchorIds(['cx-a', 'cx-a', 'has space', '9lives', '', 'report-verdicts'])).toEqual([
      'cx-a',
      'cx-a-2',
      'has-space',
      'cx-9lives',
      'cx-5',
      'report-verdicts-2',
    ]);
  });

  it('scriptSafe defuses </script and refuses the double-escape trap', () => {
    expect(scriptSafe('s = "</SCRIPT>"', 'x')).toBe('s = "<\\/SCRIPT>"');
    expect(() => scriptSafe('a = "<!--"; b = "<script>"', 'x')).toThrow(/cannot be inlined/);
  });

  it('stateLines pretty-prints and marks changed lines only', () => {
    const before = { a: 1, list: ['x'], nested: { keep: true, gone: 1 } };
    const after = { a: 2, list: ['x', 'y'], nested: { keep: true }, added: { z: null } };
    expect(stateLines(after, before)).toEqual([
      { text: '{', changed: false },
      { text: '  "a": 2,', changed: true },
      { text: '  "list": ["x", "y"],', changed: true },
      { text: '  "nested": {', changed: false },
      { text: '    "keep": true', changed: false },
      { text: '  },', changed: false },
      { text: '  "added": {', changed: true },
      { text: '    "z": null', changed: true },
      { text: '  }', changed: true },
      { text: '}', changed: false },
    ]);
    expect(stateLines(after).every((l) => !l.changed)).toBe(true);
    expect(removedPaths(after, before)).toEqual(['nested.gone']);
    expect(removedPaths({ q: [1] }, { q: [1, 2], 'odd key': 0 })).toEqual(['q[1]', '["odd key"]']);
  });

  it('toPlainJson survives values JSON.stringify would choke on', () => {
    const cyclic: Record<string, unknown> = { n: 10n, m: new Map([[1, 'one']]), s: new Set([NaN]), u: undefined };
    cyclic.self = cyclic;
    expect(toPlainJson(cyclic)).toEqual({ n: '10n', m: { '1': 'one' }, s: ['NaN'], self: '[Circular]' });
  });
});

describe('writeReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the directory and writes report.html', () => {
    const path = writeReport(join(dir, 'a', 'b'), SAMPLE);
    expect(path).toBe(join(dir, 'a', 'b', 'report.html'));
    expect(readFileSync(path, 'utf8')).toBe(html);
  });

  it('refuses to overwrite an existing file unless asked', () => {
    const sub = join(dir, 'keep');
    writeReport(sub, SAMPLE);
    writeFileSync(join(sub, 'report.html'), 'mine');
    expect(() => writeReport(sub, SAMPLE)).toThrow(/already exists/);
    expect(() => writeReport(sub, SAMPLE)).toThrow(/^[^\n]+$/);
    expect(readFileSync(join(sub, 'report.html'), 'utf8')).toBe('mine');
    writeReport(sub, SAMPLE, { overwrite: true });
    expect(readFileSync(join(sub, 'report.html'), 'utf8')).toBe(html);
    expect(existsSync(sub)).toBe(true);
  });
});
