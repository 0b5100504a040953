// Headless Chromium for the browser tests: Debian's chromium, launched with the flags this
// workplace's closed network needs. Without it the tests skip, and say so.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`[browser tests] SKIPPED: ${CHROMIUM} not found; run .ci/install-chromium.sh (Debian package "chromium") to enable them.`);
}

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
];

/** A browser shared by the tests of one describe block; `get()` returns it once launched. */
export function useBrowser(): { get(): Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (hasChromium) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 20_000);
  afterAll(async () => {
    await browser?.close();
  });
  return { get: () => browser! };
}
