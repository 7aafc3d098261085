/**
 * The reports as a person sees them: a rehearsal per scenario rendered, opened in headless Chromium (Debian's
 * package, installed by scripts/install-chromium.sh) and screenshotted into a temporary directory (never the
 * user's reports/). Each page renders without console errors, its panels are visible, and its headline numbers
 * match the run's data, computed here from the data rather than read back from the report's own derivation.
 * Table-driven: a scenario is one line.
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
import { SCENARIOS, type ScenarioName } from '../../cli/scenarios.ts';
import { percentOf } from '../../functions/core/weights.ts';
import { type Moto, startMoto } from '../support/moto.ts';
import { ROOT } from './run-cli.ts';

const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'traffic-shift-report-browser-'));
const profile = join(dir, 'chromium-profile');
let browser: BrowserContext;
let moto: Moto;

interface Screen {
  scenario: ScenarioName;
  outcome: string;
  /** The terminal marker the chart must show. */
  marker: string;
  markerText: string;
}

const SCREENS: Screen[] = [
  {
    scenario: 'healthy',
    outcome: 'Completed',
    marker: '#complete-marker',
    markerText: 'COMPLETED',
  },
  {
    scenario: 'error-regression',
    outcome: 'Rolled back',
    marker: '#rollback-marker',
    markerText: 'ROLLBACK',
  },
  {
    scenario: 'low-traffic',
    outcome: 'Rolled back',
    marker: '#rollback-marker',
    markerText: 'ROLLBACK',
  },
  // One gate approved, the gate before 100 % left unanswered: its default action (rollback) at the timeout.
  {
    scenario: 'gated',
    outcome: 'Rolled back',
    marker: '#rollback-marker',
    markerText: 'ROLLBACK',
  },
];

/** The headline figures from the run's data itself: weights read at the end, shifts, evaluations. */
function expectedHeadlines(report: RunReport) {
  const share = (pairs: RunReport['finalPairs']) =>
    pairs[0] === undefined ? 0 : percentOf(pairs[0]);
  const shifts = report.markers
    .filter((marker) => marker.kind === 'shift')
    .map((marker) => Number.parseFloat(marker.label));
  const end = share(report.finalPairs);
  return {
    peak: Math.max(share(report.snapshot), end, ...shifts),
    end,
    evaluations: report.timeline.length,
  };
}

beforeAll(async () => {
  // Prepare: Chromium from the project's own script (a minute the first time, then a no-op). Its output is
  // kept out of the test log; on failure execFileSync's error carries the script's stderr.
  execFileSync('bash', [join(ROOT, 'scripts/install-chromium.sh')], { stdio: 'pipe' });
  moto = await startMoto();
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

describe('the reports in a browser', () => {
  it.each(SCREENS)(
    '$scenario: renders without console errors, panels visible, headlines match the data',
    async (screen) => {
      // Prepare
      const report = await runRehearsal({
        scenario: SCENARIOS[screen.scenario],
        endpoint: moto.endpoint,
      });
      const file = join(dir, `report-${screen.scenario}.html`);
      const screenshot = join(dir, `report-${screen.scenario}.png`);
      writeFileSync(file, renderReport(report));
      const page = await browser.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(error.message));

      // Act
      await page.goto(pathToFileURL(file).href);
      await page.screenshot({ path: screenshot, fullPage: true });

      // Assess: the page
      expect(consoleErrors).toEqual([]);
      expect(await page.locator('#outcome').textContent()).toContain(screen.outcome);
      expect(await page.locator('#self-check').count()).toBe(0);
      // Assess: the panels
      const chart = await page.locator('svg#chart').boundingBox();
      expect(chart?.width).toBeGreaterThan(600);
      expect(chart?.height).toBeGreaterThan(500);
      for (const panel of [
        '#green-weight',
        '#waits',
        '#verdicts',
        '#error-rate-panel',
        '#latency-panel',
        '#requests-panel',
        '#x-axis',
      ]) {
        const box = await page.locator(panel).boundingBox();
        expect(box?.width, panel).toBeGreaterThan(100);
        expect(box?.height, panel).toBeGreaterThan(5);
      }
      const marker = page.locator(screen.marker);
      await expect.poll(() => marker.isVisible()).toBe(true);
      expect((await marker.boundingBox())?.height).toBeGreaterThan(100);
      expect(await marker.textContent()).toContain(screen.markerText);
      expect(await page.locator('#verdicts circle').count()).toBe(report.timeline.length);
      expect(await page.locator('#request-bars rect').count()).toBe(
        report.timeline.filter((point) => typeof point.requests === 'number').length
      );
      expect(await page.locator('#waits .wait').count()).toBeGreaterThan(0);
      // Assess: the headline numbers against the data
      const expected = expectedHeadlines(report);
      const number = async (id: string) =>
        Number.parseFloat((await page.locator(id).textContent()) ?? 'NaN');
      expect(await number('#peak-green')).toBeCloseTo(expected.peak, 1);
      expect(await number('#end-green')).toBeCloseTo(expected.end, 1);
      expect(await number('#evaluation-count')).toBe(expected.evaluations);
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
      await page.close();
    },
    180_000
  );
});
