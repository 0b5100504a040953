// The diff view of the report page (`report --from V1 --to V2`) in headless Chromium: both
// columns are there for each scenario that differs, every outcome only one side reaches has its
// witness drawn beside it, and no diagram fails. Set REPORT_E2E_OUT=<dir> to keep the page and
// its screenshots for a look.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowser } from './browser.ts';
import { writeReport, renderReportHtml } from '../../src/report/html.ts';
import { reportFromDiff } from '../../src/report/from-diff.ts';
import { diffVariants } from '../../src/diff/diff.ts';
import { findVariant } from '../../model/registry.ts';
import { builtinScenario } from '../../src/scenarios/builtin.ts';
import { PROPERTIES } from '../../properties/registry.ts';

const result = diffVariants({
  from: findVariant('linux-4.3')!, to: findVariant('linux-6.18')!, properties: PROPERTIES,
  scenarios: ['bind-beside-reuseport-listener', 'mixed-three', 'listen-race-2'].map((n) => builtinScenario(n)!),
});
const input = reportFromDiff(result, { title: 'tcp-listen-model diff: linux-4.3 → linux-6.18', subtitle: 'three built-in scenarios' });

describe('the diff view, as data and markup', () => {
  it('has both outcome sets of each scenario, and a diagram for exactly the outcomes one side alone reaches', () => {
    const d = input.diff!;
    const bb = d.scenarios.find((s) => s.scenario === 'bind-beside-reuseport-listener')!;
    expect(bb.state).toBe('DIFFERS');
    expect(bb.from.outcomes.map((x) => [x.text, x.only])).toEqual([['T0 0 EADDRINUSE; listening: A', true]]);
    expect(bb.to.outcomes.map((x) => [x.text, x.only])).toEqual([['T0 EADDRINUSE 0; listening: A, B', true]]);
    for (const s of d.scenarios) {
      for (const c of [s.from, s.to]) for (const x of c.outcomes) expect(x.sequenceDiagram !== undefined, x.text).toBe(x.only);
      const only = result.scenarios.find((r) => r.scenario.name === s.scenario)!.only.length;
      expect([...s.from.outcomes, ...s.to.outcomes].filter((x) => x.only)).toHaveLength(only);
    }
    expect(d.scenarios.find((s) => s.scenario === 'listen-race-2')!.state).toBe('same');
    const html = renderReportHtml(input);
    expect(html).toContain('id="report-diff"');
    expect(html).not.toContain('id="report-verdicts"');
    expect(html.match(/class="diff-col from"/g)).toHaveLength(2);
    expect(html.match(/class="diff-col to"/g)).toHaveLength(2);
    expect(html).toMatch(/The same on both sides \(1\)[^]*listen-race-2/);
  });
});

describe('the diff view in headless Chromium', () => {
  const browser = useBrowser();

  it.skipIf(!hasChromium)('renders both columns and every witness diagram, offline and without errors', async () => {
    const keep = process.env.REPORT_E2E_OUT;
    const base = keep ?? mkdtempSync(join(tmpdir(), 'report-diff-e2e-'));
    mkdirSync(join(base, 'screenshots'), { recursive: true });
    const page = await browser.get().newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const file = writeReport(join(base, 'diff-report'), input, { overwrite: true });
      const errors: string[] = [];
      await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort('blockedbyclient')));
      page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-rendered]', { timeout: 30_000 });
      expect(await page.getAttribute('body', 'data-rendered')).toBe('ok');

      const scenarios = page.locator('section.diff-scenario');
      expect(await scenarios.count()).toBe(2);
      for (let i = 0; i < 2; i++) {
        const cols = scenarios.nth(i).locator('.diff-col');
        expect(await cols.count()).toBe(2);
        // Side by side: the "to" column starts right of the "from" column, on the same line.
        const [a, b] = [await cols.nth(0).boundingBox(), await cols.nth(1).boundingBox()];
        expect(b!.x).toBeGreaterThan(a!.x + a!.width - 1);
        expect(Math.abs(b!.y - a!.y)).toBeLessThan(2);
        expect(await cols.nth(0).locator('h3').textContent()).toContain('linux-4.3');
        expect(await cols.nth(1).locator('h3').textContent()).toContain('linux-6.18');
      }
      const only = input.diff!.scenarios.flatMap((s) => [...s.from.outcomes, ...s.to.outcomes]).filter((x) => x.only).length;
      expect(await page.locator('.witness .mermaid > svg').count()).toBe(only);
      // Each lost or gained outcome links to its own witness, right under the columns.
      const links = await page.locator('li.outcome.only a.witness-link').evaluateAll((els) => els.map((e) => e.getAttribute('href')));
      expect(links).toHaveLength(only);
      for (const href of links) expect(await page.locator(`${href} .mermaid > svg`).count()).toBe(1);
      expect(await page.locator('.mermaid.is-error').count()).toBe(0);
      const texts = await page.locator('.mermaid > svg').evaluateAll((els) => els.map((el) => el.textContent ?? ''));
      for (const t of texts) {
        expect(t).not.toMatch(/Syntax error|Parse error/i);
        expect(t).toMatch(/T0/);
      }
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(base, 'screenshots', 'diff-report.png'), fullPage: true });
      await page.screenshot({ path: join(base, 'screenshots', 'diff-viewport.png') });
    } finally {
      await page.close();
      if (!keep) rmSync(base, { recursive: true, force: true });
    }
  }, 60_000);
});
