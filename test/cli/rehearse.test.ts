/**
 * `traffic-shift rehearse` end to end, as a person runs it: the real binary, its own moto server, the real
 * state machine and handlers, exit codes, the JSON summary and the report file. Time compressed (--pace 0),
 * except where Ctrl-C needs a run slow enough to interrupt.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScenarioName } from '../../cli/scenarios.ts';
import { runCli, startCli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'traffic-shift-rehearse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Summary {
  command: string;
  scenario: string;
  outcome: string;
  exitCode: number;
  reason: string;
  atSnapshot: boolean;
  report: string;
  steps: { planned: number[]; taken: number[] };
  evaluations: { total: number; Fail?: number; Pass?: number; Inconclusive?: number };
  greenPercent: { snapshot: number; final: number };
  weights: {
    name: string;
    snapshot: { blue: number; green: number };
    final: { blue: number; green: number } | null;
  }[];
}

async function rehearse(name: ScenarioName, ...extra: string[]) {
  const report = join(dir, `${name}-${extra.join('') || 'default'}.html`);
  const result = await runCli([
    'rehearse',
    '--scenario',
    name,
    '--pace',
    '0',
    '--json',
    '--report',
    report,
    ...extra,
  ]);
  return { result, report, summary: JSON.parse(result.stdout) as Summary };
}

describe.concurrent('traffic-shift rehearse', () => {
  it.each([
    { name: 'healthy', code: 0, outcome: 'completed' },
    { name: 'error-regression', code: 2, outcome: 'rolled-back' },
    { name: 'latency-regression', code: 2, outcome: 'rolled-back' },
    { name: 'low-traffic', code: 2, outcome: 'rolled-back' },
    { name: 'abort', code: 3, outcome: 'aborted' },
    // One gate approved (scripted), one unanswered until its timeout: default action rollback.
    { name: 'gated', code: 2, outcome: 'rolled-back' },
  ] as const)(
    '$name: exits $code, summary says $outcome, the report is written',
    async ({ name, code, outcome }) => {
      // Act
      const { result, report, summary } = await rehearse(name);

      // Assess
      expect(result.code, result.stderr).toBe(code);
      expect(summary).toMatchObject({
        command: 'rehearse',
        scenario: name,
        outcome,
        exitCode: code,
      });
      expect(summary.report).toBe(report);
      const html = readFileSync(report, 'utf8');
      expect(html).toContain('<svg id="chart"');
      expect(html).toContain('id="green-weight"');
      if (outcome === 'completed') {
        expect(summary.greenPercent.final).toBe(100);
        expect(summary.steps.taken).toEqual(summary.steps.planned);
      } else {
        // Rolled back or aborted: every record is back at its snapshot weights.
        expect(summary.atSnapshot).toBe(true);
        for (const pair of summary.weights) expect(pair.final).toEqual(pair.snapshot);
        expect(html).toContain(
          outcome === 'aborted' ? 'id="abort-marker"' : 'id="rollback-marker"'
        );
      }
    },
    60_000
  );

  it('error-regression: the Fail verdicts are in the summary and the reason names the limit', async () => {
    // Act
    const { summary } = await rehearse('error-regression');

    // Assess
    expect(summary.evaluations.Fail).toBeGreaterThan(0);
    expect(summary.reason).toMatch(/^sequential test: overall (errorRate|baselineErrorRate): 5xx /);
    expect(Math.max(...summary.steps.taken)).toBe(25);
  }, 60_000);

  it('--abort-at-step 1 on healthy stops during the 5 % bake: exit 3, weights back at the snapshot', async () => {
    // Act
    const { result, summary } = await rehearse('healthy', '--abort-at-step', '1');

    // Assess
    expect(result.code, result.stderr).toBe(3);
    expect(summary.outcome).toBe('aborted');
    expect(summary.steps.taken).toEqual([1, 5]);
    expect(summary.atSnapshot).toBe(true);
    expect(summary.greenPercent.final).toBe(0);
    expect(result.stderr).toContain('stopping the execution (--abort-at-step 1)');
  }, 60_000);

  it('without --json: live progress lines, then a summary naming the outcome and the report', async () => {
    // Prepare
    const report = join(dir, 'text.html');

    // Act
    const result = await runCli([
      'rehearse',
      '--scenario',
      'latency-regression',
      '--pace',
      '0',
      '--report',
      report,
    ]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/\+0:00:00 {2}shift +1% green/);
    expect(result.stdout).toMatch(/Fail +25% {2}err [\d.]+% · lat \d+ ms/);
    expect(result.stdout).toContain('ROLLED BACK');
    expect(result.stdout).toContain(`report      ${report}`);
    expect(result.stdout).toContain(
      "migration registry table traffic-shift-migrations created in moto's DynamoDB"
    );
    // Not a terminal: plain text, no escape codes.
    expect(result.stdout).not.toContain('\u001b[');
    expect(existsSync(report)).toBe(true);
  }, 60_000);

  it('Ctrl-C (SIGINT) during a slow run stops the execution; on-execution-end restores; exit 3', async () => {
    // Prepare
    const report = join(dir, 'interrupted.html');
    const run = startCli([
      'rehearse',
      '--scenario',
      'healthy',
      '--pace',
      '20',
      '--json',
      '--report',
      report,
    ]);
    await run.waitFor(/shift +1% green/, 45_000);

    // Act
    run.child.kill('SIGINT');
    const result = await run.done;

    // Assess
    expect(result.code, result.stderr).toBe(3);
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary.outcome).toBe('aborted');
    expect(summary.atSnapshot).toBe(true);
    for (const pair of summary.weights) expect(pair.final).toEqual(pair.snapshot);
    expect(result.stderr).toContain('SIGINT: stopping the execution');
    expect(result.stderr).toMatch(/on-end +restore/);
    expect(readFileSync(report, 'utf8')).toContain('id="abort-marker"');
  }, 90_000);
});
