// The generated diagrams in a real browser: a report built from a real check (the both-fail
// counterexample as a sequence diagram, the statechart from the machine), and every Mermaid
// block of README.md and docs/INVARIANTS.md, each rendered by the Mermaid the report inlines.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowser } from './browser.ts';
import { writeReport } from '../../src/report/html.ts';
import { realReportInput } from './real-input.ts';

const root = join(import.meta.dirname, '../..');
const mermaidBlocks = (file: string) => [...readFileSync(join(root, file), 'utf8').matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]);

describe('generated diagrams in headless Chromium', () => {
  const browser = useBrowser();

  it.skipIf(!hasChromium)('renders a real counterexample: both threads, the tables, the race window, the violation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-real-'));
    const page = await browser.get().newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('**/*', (r) => (r.request().url().startsWith('file:') ? r.continue() : r.abort('blockedbyclient')));
      const input = realReportInput();
      await page.goto(pathToFileURL(writeReport(dir, input)).href);
      await page.waitForSelector('body[data-rendered]', { timeout: 20_000 });
      expect(await page.getAttribute('body', 'data-rendered')).toBe('ok');
      const texts = await page.locator('.mermaid > svg').evaluateAll((els) => els.map((el) => el.textContent ?? ''));
      expect(texts).toHaveLength(1 + input.counterexamples.length);
      expect(texts[0]).toContain('raceWindow');
      const seq = texts[1];
      for (const s of ['T0: listen(A)', 'T1: listen(B)', 'bhash (bind buckets)', 'lhash (listening hash)', 'under head lock', 'race window: A, B', '✗ violated: some-concurrent-listener-succeeds']) {
        expect(seq).toContain(s);
      }
      // The entity code comes out as the character it stands for.
      expect(seq).toContain('EADDRINUSE; the port has no listener');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it.skipIf(!hasChromium)('renders every Mermaid block of README.md and docs/INVARIANTS.md', async () => {
    const blocks = [...mermaidBlocks('README.md'), ...mermaidBlocks('docs/INVARIANTS.md')];
    expect(blocks.length).toBeGreaterThan(3);
    const page = await browser.get().newPage();
    try {
      await page.setContent('<!DOCTYPE html><html><body></body></html>');
      await page.addScriptTag({ path: createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js') });
      const results = await page.evaluate(async (sources) => {
        const m = (globalThis as unknown as { mermaid: { initialize(o: object): void; render(id: string, src: string): Promise<{ svg: string }> } }).mermaid;
        m.initialize({ startOnLoad: false });
        const out: string[] = [];
        for (let i = 0; i < sources.length; i++) {
          try {
            const { svg } = await m.render(`d${i}`, sources[i]);
            out.push(svg.includes('<svg') ? 'ok' : `diagram ${i}: no svg`);
          } catch (e) {
            out.push(`diagram ${i}: ${(e as Error).message}`);
          }
        }
        return out;
      }, blocks);
      expect(results.filter((r) => r !== 'ok')).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
