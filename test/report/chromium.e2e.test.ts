// End to end: write a report, open it from disk in headless Chromium with the network cut off,
// and check every diagram rendered, nothing errored, and the step panel follows the selection.
// Set REPORT_E2E_OUT=<dir> to keep the report and screenshot for a look.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowser } from './browser.ts';
import { writeReport } from '../../src/report/html.ts';
import { SAMPLE } from './sample.ts';

describe('report in headless Chromium', () => {
  const browser = useBrowser();

  it.skipIf(!hasChromium)(
    'renders every diagram offline, without console errors, and the step panel works',
    async () => {
      const keep = process.env.REPORT_E2E_OUT;
      const base = keep ?? mkdtempSync(join(tmpdir(), 'report-e2e-'));
      const reportDir = join(base, 'report');
      const shotDir = join(base, 'screenshots');
      mkdirSync(shotDir, { recursive: true });
      const page = await browser.get().newPage({ viewport: { width: 1280, height: 900 } });
      try {
        const file = writeReport(reportDir, SAMPLE, { overwrite: true });
        const blocked: string[] = [];
        const consoleErrors: string[] = [];
        await page.route('**/*', (route) => {
          const url = route.request().url();
          if (url.startsWith('file:')) return route.continue();
          blocked.push(url);
          return route.abort('blockedbyclient');
        });
        page.on('console', (msg) => {
          if (msg.type() === 'error') consoleErrors.push(msg.text());
        });
        page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));

        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('body[data-rendered]', { timeout: 15_000 });
        expect(await page.getAttribute('body', 'data-rendered')).toBe('ok');

        const containers = await page.locator('.mermaid').count();
        expect(containers).toBe(1 + SAMPLE.counterexamples.length);
        const withSvg = await page.locator('.mermaid').evaluateAll(
          (els) => els.filter((el) => el.querySelector(':scope > svg') !== null).length,
        );
        expect(withSvg).toBe(containers);
        // A rendered diagram has real size and text (not an empty or error SVG).
        const sizes = await page.locator('.mermaid > svg').evaluateAll((els) =>
          els.map((el) => {
            const r = el.getBoundingClientRect();
            return { w: r.width, h: r.height, text: el.textContent ?? '' };
          }),
        );
        for (const s of sizes) {
          expect(s.w).toBeGreaterThan(100);
          expect(s.h).toBeGreaterThan(50);
        }
        expect(sizes[0].text).toContain('LISTEN_START');
        expect(sizes[1].text).toContain('thread 1 (B)');

        // Selecting a step shows its state; keyboard moves the selection.
        const cx = page.locator('section.cx').first();
        await cx.locator('tr.step').nth(3).click();
        await expect.poll(() => cx.locator('.state-view:not([hidden])').getAttribute('data-step')).toBe('3');
        expect(await cx.locator('.state-view:not([hidden]) pre.state').textContent()).toContain('"0.0.0.0:1": ["A"]');
        await page.keyboard.press('ArrowUp');
        expect(await cx.locator('.state-view:not([hidden])').getAttribute('data-step')).toBe('2');
        expect(await cx.locator('tr.step.is-selected').getAttribute('data-step')).toBe('2');
        expect(await cx.locator('.state-view').count()).toBe(SAMPLE.counterexamples[0].steps.length);

        expect(consoleErrors).toEqual([]);
        expect(blocked).toEqual([]);

        const shot = join(shotDir, 'report.png');
        await page.screenshot({ path: shot, fullPage: true });
        expect(statSync(shot).size).toBeGreaterThan(10_000);
        expect(readFileSync(shot).subarray(1, 4).toString('latin1')).toBe('PNG');
        // Also the top of the page as a reader first sees it.
        await page.evaluate('window.scrollTo(0, 0)');
        await page.screenshot({ path: join(shotDir, 'viewport.png') });
      } finally {
        await page.close();
        if (!keep) rmSync(base, { recursive: true, force: true });
      }
    },
    30_000,
  );

  it.skipIf(!hasChromium)(
    'reports a diagram that fails to render in data-rendered and still renders the others',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'report-e2e-bad-'));
      const page = await browser.get().newPage();
      try {
        await page.route('**/*', (route) =>
          route.request().url().startsWith('file:') ? route.continue() : route.abort('blockedbyclient'),
        );
        const file = writeReport(dir, { ...SAMPLE, statechart: 'stateDiagram-v2\n  A --> --> B' });
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('body[data-rendered]', { timeout: 15_000 });
        expect(await page.getAttribute('body', 'data-rendered')).toMatch(/^error: diagram 1: /);
        expect(await page.locator('.mermaid.is-error').count()).toBe(1);
        expect(await page.locator('.mermaid > svg').count()).toBe(SAMPLE.counterexamples.length);
        expect(await page.locator('details.diagram-source[open]').count()).toBe(1);
      } finally {
        await page.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    20_000,
  );
});
