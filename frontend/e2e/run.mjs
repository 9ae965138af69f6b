// End-to-end: the built app in Chromium (Debian's package, driven by playwright-core) against the
// real stack (Temporal dev server + worker + API, temp SQLite). Takes the screenshots in
// docs/screenshots/ at 1280 px and 390 px. `node e2e/run.mjs` (after `npm run build`).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { ROOT, startStack } from './stack.mjs';
import { scenarios } from './scenarios.mjs';

const SHOTS = join(ROOT, 'docs', 'screenshots');
const FAILURES = join(ROOT, 'frontend', 'e2e', '.tmp');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

if (!existsSync(join(ROOT, 'frontend', 'dist', 'index.html'))) {
  console.error('frontend/dist is missing: run `npm run build` first');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  process.exit(2);
}

const only = process.argv.slice(2);
const started = Date.now();
const stack = await startStack({ temporal: true, customers: 40 });
console.log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)}s at ${stack.baseURL}`);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
});
mkdirSync(SHOTS, { recursive: true });
mkdirSync(FAILURES, { recursive: true });

const context = await browser.newContext({ baseURL: stack.baseURL, viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
page.setDefaultTimeout(15_000);
const consoleErrors = [];
page.on('pageerror', (err) => consoleErrors.push(String(err)));

/** A screenshot of the current page at desktop and phone widths. */
async function shoot(name) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: join(SHOTS, `${name}-1280.png`) });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(SHOTS, `${name}-390.png`) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

const ctx = { page, context, stack, shoot, state: {} };
let failed = 0;
for (const [name, scenario] of scenarios) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  const t = Date.now();
  try {
    await scenario(ctx);
    console.log(`✓ ${name} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
  } catch (error) {
    failed += 1;
    const file = join(FAILURES, `${name.replace(/\W+/g, '-')}.png`);
    await page.screenshot({ path: file }).catch(() => {});
    console.error(`✗ ${name}: ${error.stack ?? error}\n  at ${page.url()} (screenshot ${file})`);
    const log = readFileSync(join(stack.dir, 'stack.log'), 'utf8').split('\n').slice(-60).join('\n');
    console.error(`--- last lines of the stack's log (API, worker, Temporal) ---\n${log}`);
    break; // later scenarios build on earlier ones
  }
}
if (consoleErrors.length) {
  console.error(`uncaught errors in the page:\n  ${consoleErrors.join('\n  ')}`);
  failed += 1;
}
await browser.close();
await stack.stop();
console.log(`${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
process.exit(failed ? 1 : 0);
