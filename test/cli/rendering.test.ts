/**
 * The pieces the commands print and write: the HTML report (escaping, the green series, the chart parts),
 * the terminal progress and summary, the status view, execution names, ARNs and console links.
 */
import { describe, expect, it } from 'vitest';
import { whatOnEndDoes } from '../../cli/commands/abort.ts';
import { consoleUrl, executionName, resolveStateMachineArn } from '../../cli/commands/common.ts';
import { renderStatus, statusView } from '../../cli/commands/status.ts';
import { reportFromHistories } from '../../cli/history-report.ts';
import { bar, firstClause, ProgressPrinter } from '../../cli/progress.ts';
import type { RunReport } from '../../cli/rehearsal.ts';
import {
  escapeHtml,
  formatDuration,
  greenSeries,
  niceTicks,
  reasonLines,
  renderReport,
  trimNumber,
} from '../../cli/report.ts';
import { renderSummary, summaryJson } from '../../cli/run-summary.ts';
import { useColor } from '../../cli/terminal-style.ts';
import type { ExecutionDescription } from '../../functions/core/state.ts';
import { HistoryScript, SNAPSHOT } from './scripted-history.ts';

const START = new Date('2026-03-02T09:00:00Z');

function rolledBack(): { script: HistoryScript; report: RunReport } {
  const script = new HistoryScript('orders-api-1', START)
    .shift()
    .evaluateUntilDecided(2_000, 2)
    .shift()
    .evaluateUntilDecided(2_000, 120)
    .rollback();
  return {
    script,
    report: reportFromHistories([{ executionArn: script.executionArn, events: script.events }]),
  };
}

class Capture {
  text = '';
  isTTY: boolean;
  columns = 200;
  constructor(tty: boolean) {
    this.isTTY = tty;
  }
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

describe('HTML report', () => {
  it('escapes every text from the run, so a hostile reason cannot inject markup', () => {
    // Prepare
    const { report } = rolledBack();
    const hostile = {
      ...report,
      title: '<script>alert(1)</script>',
      reason: `x"><img src=x onerror=alert(1)>; y: <b>`,
    };

    // Act
    const html = renderReport(hostile);

    // Assess
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;'
    );
  });

  it('is self-contained: no script, no external stylesheet, image or font', () => {
    // Act
    const html = renderReport(rolledBack().report);

    // Assess
    expect(html).not.toMatch(/<script|<link|src="http|url\(http/i);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('the green series steps through every shift and back to the snapshot at the rollback', () => {
    // Prepare
    const { report } = rolledBack();

    // Act
    const series = greenSeries(report);

    // Assess
    expect(series.map((point) => point.percent)).toEqual([0, 10, 50, 0, 0]);
    const times = series.map((point) => point.t);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('a table row for every evaluation, limit lines, verdict dots and the rollback marker', () => {
    // Prepare
    const { report } = rolledBack();

    // Act
    const html = renderReport(report);

    // Assess
    expect(html.match(/<tr><td class="num muted">/g)).toHaveLength(report.timeline.length);
    expect(html.match(/class="verdict verdict-/g)).toHaveLength(report.timeline.length);
    expect(html).toContain('id="error-rate-limit"');
    expect(html).toContain('id="latency-limit"');
    expect(html).toContain('limit 250 ms');
    expect(html).toContain('ROLLBACK');
    expect(html).toContain('= snapshot');
  });

  it('without evaluations the panels say so instead of drawing nothing', () => {
    // Prepare
    const script = new HistoryScript('orders-api-early', START)
      .shift()
      .abort('OperatorAbort', 'changed my mind', 5);
    const report = reportFromHistories([
      { executionArn: script.executionArn, events: script.events },
    ]);

    // Act
    const html = renderReport(report);

    // Assess
    expect(html).toContain('no error-rate measurement yet');
    expect(html).toContain('no evaluation');
    expect(html).toContain('id="abort-marker"');
  });

  it('numbers and durations read naturally', () => {
    // Assess
    expect(trimNumber(250, 2)).toBe('250');
    expect(trimNumber(1.5, 2)).toBe('1.5');
    expect(trimNumber(0.1, 0)).toBe('0');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(21 * 60_000)).toBe('21 min');
    expect(formatDuration(64 * 60_000)).toBe('1 h 4 min');
    expect(niceTicks(4.7)).toEqual({ max: 6, ticks: [0, 2, 4, 6] });
    expect(niceTicks(130).ticks).toEqual([0, 50, 100, 150]);
    expect(niceTicks(0).max).toBe(1);
    expect(reasonLines('on-execution-end: execution ABORTED; records differ; orders: x')).toEqual([
      'on-execution-end: execution ABORTED; records differ',
      'orders: x',
    ]);
  });
});

describe('terminal progress and summary', () => {
  it('plain lines without escape codes when the stream is not a terminal', () => {
    // Prepare
    const stream = new Capture(false);
    const printer = new ProgressPrinter(stream);
    const { report } = rolledBack();

    // Act
    printer.handle({ at: report.startedAt, kind: 'start', message: 'scenario x' });
    printer.handle({
      at: report.markers[0]!.at,
      kind: 'shift',
      message: 'shifted',
      position: {
        stepIndex: 0,
        steps: [10, 50, 100],
        greenPercent: 10,
        weights: [{ ...SNAPSHOT[0]!, blueWeight: 90, greenWeight: 10 }],
      },
    });
    printer.handle({
      at: report.timeline[0]!.at,
      kind: 'evaluation',
      message: 'e',
      point: report.timeline[0]!,
    });
    printer.finish();

    // Assess
    expect(stream.text).not.toContain('\u001b[');
    expect(stream.text).toContain('+0:00:00  start');
    expect(stream.text).toMatch(/shift +10% green {2}orders\.example\.com 90\/10/);
    expect(stream.text).toMatch(/ 10% {2}err [\d.]+% · lat \d+ ms · 2,000 req {2}→ /);
  });

  it('on a terminal, a live status line with a progress bar, weights and the last verdict', () => {
    // Prepare
    const stream = new Capture(true);
    const printer = new ProgressPrinter(stream, { color: false, live: true });
    const { report } = rolledBack();
    const point = report.timeline.at(-1)!;

    // Act
    printer.handle({
      at: point.at,
      kind: 'evaluation',
      message: 'e',
      point,
      position: {
        stepIndex: 1,
        steps: [10, 50, 100],
        greenPercent: 50,
        weights: [{ ...SNAPSHOT[0]!, blueWeight: 50, greenWeight: 50 }],
      },
    });

    // Assess
    expect(stream.text).toContain('\r\u001b[2K');
    expect(stream.text).toContain(`${bar(2, 3)}  step 2/3 · 50% green`);
    expect(stream.text).toContain('orders.example.com 50/50');
    expect(stream.text).toMatch(/last Fail err 6\.\d+%/);
  });

  it('on a narrow terminal the status line is cut to one row, the verdict before the weights', () => {
    // Prepare
    const stream = new Capture(true);
    stream.columns = 70;
    const printer = new ProgressPrinter(stream, { color: false, live: true });
    const point = rolledBack().report.timeline.at(-1)!;

    // Act
    printer.handle({
      at: point.at,
      kind: 'evaluation',
      message: 'e',
      point,
      position: {
        stepIndex: 1,
        steps: [10, 50, 100],
        greenPercent: 50,
        weights: [{ ...SNAPSHOT[0]!, blueWeight: 50, greenWeight: 50 }],
      },
    });

    // Assess
    const status = stream.text.split('\r\u001b[2K').at(-1) ?? '';
    expect(status.length).toBeLessThanOrEqual(69);
    expect(status).toContain('last Fail');
  });

  it('the summary names the outcome, the steps, the weights and the report', () => {
    // Prepare
    const { report } = rolledBack();

    // Act
    const text = renderSummary(report, { reportPath: 'reports/x.html', realMs: 1_234 });

    // Assess
    expect(text).toContain(' ROLLED BACK ');
    expect(text).toContain('steps       10% → 50%');
    expect(text).toContain('orders.example.com  blue 100 → 100  green 0 → 0  = snapshot');
    expect(text).toContain('report      reports/x.html');
    expect(summaryJson(report)).toMatchObject({
      outcome: 'rolled-back',
      exitCode: 2,
      atSnapshot: true,
      steps: { taken: [10, 50] },
    });
  });

  it('the first clause of a reason carries the decision without its evidence', () => {
    // Assess
    expect(
      firstClause('consecutive failures (2) > maxConsecutiveFailures (1); latest evaluation: ...')
    ).toBe('consecutive failures (2) > maxConsecutiveFailures (1)');
    expect(
      firstClause(
        'overall: error rate 4.44% > 1% over 1,510 requests (lower bound 3.64%, at 95%), latency ok'
      )
    ).toBe('error rate 4.44% > 1% over 1,510 requests (lower bound 3.64%, at 95%)');
  });
});

describe('status view and abort consequences', () => {
  const description = (
    status: ExecutionDescription['status'],
    error: string | null = null
  ): ExecutionDescription => ({
    executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:shop-traffic-shift:orders-api-1',
    stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:shop-traffic-shift',
    name: 'orders-api-1',
    status,
    startDate: START.toISOString(),
    stopDate: status === 'RUNNING' ? null : new Date(START.getTime() + 600_000).toISOString(),
    input: { migrationId: 'orders-api' },
    error,
    cause: null,
    redriveCount: 0,
  });

  it('shows the step, the weights and the last verdict with its numbers', () => {
    // Prepare
    const script = new HistoryScript('orders-api-1', START)
      .shift()
      .evaluateUntilDecided(2_000, 2)
      .shift()
      .evaluate(2_000, 120);

    // Act
    const view = statusView(description('RUNNING'), script.state);
    const text = renderStatus(view, new Date(START.getTime() + 900_000));

    // Assess
    expect(view.progress).toMatchObject({
      stepIndex: 1,
      steps: [10, 50, 100],
      greenPercent: 50,
      failures: 1,
    });
    expect(text).toContain('RUNNING  orders-api');
    expect(text).toContain('step 2 of 3 · 50% green');
    expect(text).toContain('10% ✓ → [50%] → 100%');
    expect(text).toContain('orders.example.com A  blue 50  green 50');
    expect(text).toMatch(/last {7}Fail/);
    expect(text).toContain('error rate 6.00% (limit 1) over 2,000');
    expect(text).toContain(
      'console    https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/'
    );
  });

  it('an aborted execution says what on-execution-end does, in the words abort uses (one source)', () => {
    // Prepare
    const state = new HistoryScript('orders-api-1', START).shift().state;

    // Act
    const restored = renderStatus(
      statusView(description('ABORTED', 'OperatorAbort'), state),
      START
    );
    const kept = renderStatus(statusView(description('ABORTED', 'KeepWeights'), state), START);
    const early = renderStatus(statusView(description('ABORTED', 'OperatorAbort'), null), START);

    // Assess
    expect(restored).toContain(`on-end     ${whatOnEndDoes(false, state).text}`);
    expect(restored).toContain('restores the snapshot (orders.example.com blue 100 / green 0)');
    expect(kept).toContain(`on-end     ${whatOnEndDoes(true, state).text}`);
    expect(kept).toContain('keeps the current weights');
    // Stopped before preflight: abort said "nothing to restore", and so does status.
    expect(early).toContain(`on-end     ${whatOnEndDoes(false, null).text}`);
    expect(early).not.toContain('restores the snapshot');
  });

  it('abort explains the consequence: restore, keep, or nothing to restore', () => {
    // Prepare
    const state = new HistoryScript('orders-api-1', START).shift().state;

    // Act + Assess
    expect(whatOnEndDoes(false, state)).toMatchObject({ action: 'restore-snapshot' });
    expect(whatOnEndDoes(false, state).text).toContain('orders.example.com blue 100 / green 0');
    expect(whatOnEndDoes(true, state)).toMatchObject({ action: 'keep-weights' });
    expect(whatOnEndDoes(true, state).text).toContain('blue 90 / green 10');
    expect(whatOnEndDoes(false, null)).toMatchObject({ action: 'nothing-to-restore' });
  });
});

describe('names, ARNs and links', () => {
  it('execution names: the migration id sanitised, a UTC timestamp, at most 80 characters', () => {
    // Assess
    const now = new Date('2026-01-02T03:04:05.678Z');
    expect(executionName('orders-api', now)).toBe('orders-api-20260102T030405Z');
    expect(executionName('a.b c', now)).toBe('a-b-c-20260102T030405Z');
    const long = executionName('x'.repeat(200), now);
    expect(long.length).toBe(80);
    expect(long).toMatch(/^x+-20260102T030405Z$/);
  });

  it('the state machine from an ARN as given, or from --stack and --account by the template naming rule', () => {
    // Assess
    const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:shop-traffic-shift';
    expect(resolveStateMachineArn({ stateMachineArn: arn }, 'us-east-1')).toBe(arn);
    expect(resolveStateMachineArn({ stack: 'shop', account: '123456789012' }, 'eu-west-1')).toBe(
      arn
    );
    expect(resolveStateMachineArn({ stack: 'shop', account: '123456789012' }, 'cn-north-1')).toBe(
      'arn:aws-cn:states:cn-north-1:123456789012:stateMachine:shop-traffic-shift'
    );
    expect(() => resolveStateMachineArn({ stack: 'shop' }, 'eu-west-1')).toThrow(
      '--stack needs --account'
    );
    expect(() => resolveStateMachineArn({}, 'eu-west-1')).toThrow('--state-machine-arn');
    expect(() => resolveStateMachineArn({ stateMachineArn: 'nope' }, 'eu-west-1')).toThrow(
      'not a state machine ARN'
    );
  });

  it('the console link names the execution in its own region', () => {
    // Assess
    const arn = 'arn:aws:states:eu-west-1:123456789012:execution:shop-traffic-shift:orders-api-1';
    expect(consoleUrl(arn)).toBe(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${arn}`
    );
  });
});

describe('Function: useColor', () => {
  const tty = { isTTY: true, write: () => true };
  const pipe = { isTTY: false, write: () => true };
  it.each([
    { stream: 'tty', env: {}, color: true },
    { stream: 'pipe', env: {}, color: false },
    { stream: 'tty', env: { NO_COLOR: '1' }, color: false },
    { stream: 'tty', env: { TERM: 'dumb' }, color: false },
    { stream: 'pipe', env: { FORCE_COLOR: '1' }, color: true },
    { stream: 'pipe', env: { FORCE_COLOR: '' }, color: true },
    { stream: 'tty', env: { FORCE_COLOR: '1', NO_COLOR: '1' }, color: true },
    { stream: 'tty', env: { FORCE_COLOR: '0' }, color: false },
    { stream: 'tty', env: { FORCE_COLOR: 'false' }, color: false },
  ])('$stream with $env: color $color', ({ stream, env, color }) => {
    // Act + Assess
    expect(useColor(stream === 'tty' ? tty : pipe, env)).toBe(color);
  });

  it('FORCE_COLOR on a pipe colours the lines but draws no status line (it needs a terminal)', () => {
    // Prepare
    let written = '';
    const printer = new ProgressPrinter(
      {
        isTTY: false,
        write: (text: string) => {
          written += text;
          return true;
        },
      },
      { color: true }
    );

    // Act
    printer.handle({
      at: '2026-01-01T00:00:00Z',
      message: 'shifted',
      kind: 'shift',
      position: { stepIndex: 0, steps: [10, 100], greenPercent: 10, weights: [] },
    });

    // Assess
    expect(written).toContain('\u001b[');
    expect(written).not.toContain('\r');
  });
});
