/**
 * The report as a person sees it: a rolled-back rehearsal rendered, opened in headless Chromium (Debian's
 * package, installed by scripts/install-chromium.sh) and screenshotted into a temporary directory. The chart must have
 * rendered: an SVG with a size, a green-weight line with points, a visible rollback marker.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunReport, runRehearsal } from '../../cli/rehearsal.ts';
import { renderReport } from '../../cli/report.ts';
import { SCENARIOS } from '../../cli/scenarios.ts';
import { type Moto, startMoto } from '../support/moto.ts';
import { ROOT } from './run-cli.ts';

const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'traffic-shift-report-browser-'));
const SCREENSHOT = join(dir, 'report-rolled-back.png');
const profile = join(dir, 'chromium-profile');
let browser: BrowserContext;
let moto: Moto;
let report: RunReport;

beforeAll(async () => {
  // Prepare: Chromium from the project's own script (a minute the first time, then a no-op). Its output is
  // kept out of the test log; on failure execFileSync's error carries the script's stderr.
  execFileSync('bash', [join(ROOT, 'scripts/install-chromium.sh')], { stdio: 'pipe' });
  moto = await startMoto();
  report = await runRehearsal({ scenario: SCENARIOS['error-regression'], endpoint: moto.endpoint });
  // A fresh profile directory for this run (launchPersistentContext owns it; no leftovers from other runs).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await moto?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the report in a browser', () => {
  it('renders the chart of a rolled-back rehearsal: green-weight line, rollback marker, screenshot', async () => {
    // Prepare
    const file = join(dir, 'report-rolled-back.html');
    writeFileSync(file, renderReport(report));
    const page = await browser.newPage();

    // Act
    await page.goto(pathToFileURL(file).href);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Assess
    const chart = await page.locator('svg#chart').boundingBox();
    expect(chart?.width).toBeGreaterThan(600);
    expect(chart?.height).toBeGreaterThan(300);
    const points = ((await page.locator('#green-weight').getAttribute('points')) ?? '')
      .trim()
      .split(/\s+/);
    expect(points.length).toBeGreaterThanOrEqual(2);
    const greenLine = await page.locator('#green-weight').boundingBox();
    expect(greenLine?.width).toBeGreaterThan(100);
    const marker = page.locator('#rollback-marker');
    await expect.poll(() => marker.isVisible()).toBe(true);
    const markerBox = await marker.boundingBox();
    expect(markerBox?.height).toBeGreaterThan(100);
    expect(await marker.textContent()).toContain('ROLLBACK');
    expect(await page.locator('#outcome').textContent()).toContain('Rolled back');
    expect(await page.locator('#error-rate-limit').count()).toBe(1);
    expect(await page.locator('#verdicts circle').count()).toBe(report.timeline.length);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    await page.close();
  }, 120_000);
});
