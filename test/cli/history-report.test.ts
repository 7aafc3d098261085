/**
 * `traffic-shift report ARN`: the report rebuilt from GetExecutionHistory. moto answers that call with
 * static data, so the history here is scripted (realistic events and Task outputs) behind a mocked client.
 */
import {
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandInput,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { fetchHistory, historyReport, reportFromHistories } from '../../cli/history-report.ts';
import { renderReport } from '../../cli/report.ts';
import { HistoryScript, SNAPSHOT } from './scripted-history.ts';

const sfnMock = mockClient(SFNClient);
const START = new Date('2026-03-02T09:00:00Z');

beforeEach(() => {
  sfnMock.reset();
});

/** Serves each execution's events in pages of `pageSize`, as the API does with nextToken. */
function serve(histories: Record<string, HistoryEvent[]>, pageSize = 25): void {
  sfnMock.on(GetExecutionHistoryCommand).callsFake((input: GetExecutionHistoryCommandInput) => {
    const events = histories[input.executionArn ?? ''];
    if (events === undefined)
      throw Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' });
    const from = Number(input.nextToken ?? 0);
    const page = events.slice(from, from + pageSize);
    return {
      events: page,
      ...(from + pageSize < events.length ? { nextToken: String(from + pageSize) } : {}),
    };
  });
}

function rolledBackRun(): HistoryScript {
  // 10 % passes its bake, 50 % fails twice in a row: rollback.
  return new HistoryScript('orders-api-20260302T090000Z', START)
    .shift()
    .evaluateUntilDecided(2_000, 2)
    .shift()
    .evaluateUntilDecided(2_000, 120)
    .rollback();
}

describe('history report', () => {
  it('pages through the whole history with the execution data included', async () => {
    // Prepare
    const run = rolledBackRun();
    serve({ [run.executionArn]: run.events }, 10);

    // Act
    const events = await fetchHistory(new SFNClient({ region: 'eu-west-1' }), run.executionArn);

    // Assess
    expect(events).toEqual(run.events);
    const calls = sfnMock.commandCalls(GetExecutionHistoryCommand);
    expect(calls.length).toBe(Math.ceil(run.events.length / 10));
    for (const call of calls)
      expect(call.args[0].input).toMatchObject({ includeExecutionData: true, reverseOrder: false });
  });

  it('a rolled-back run: shifts, every evaluation with its numbers, the rollback marker, weights back at the snapshot', async () => {
    // Prepare
    const run = rolledBackRun();
    serve({ [run.executionArn]: run.events });

    // Act
    const report = await historyReport(new SFNClient({ region: 'eu-west-1' }), run.executionArn);

    // Assess
    expect(report).toMatchObject({
      outcome: 'rolled-back',
      exitCode: 2,
      migrationId: 'orders-api',
      executionArn: run.executionArn,
    });
    expect(report.markers.filter((m) => m.kind === 'shift').map((m) => m.label)).toEqual([
      '10%',
      '50%',
    ]);
    expect(report.markers.some((m) => m.kind === 'rollback')).toBe(true);
    const evaluations = run.events.filter(
      (e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'EvaluateMetrics'
    );
    expect(report.timeline).toHaveLength(evaluations.length);
    const failed = report.timeline.filter((point) => point.verdict === 'Fail');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed[0]?.errorRatePercent).toBeCloseTo(6, 5);
    expect(failed[0]?.requests).toBe(2_000);
    expect(report.reason).toMatch(/failures/);
    expect(report.finalPairs).toEqual(SNAPSHOT);
    expect(report.atSnapshot).toBe(true);
    expect(report.plannedSteps).toEqual([10, 50, 100]);
    expect(report.historyEvents).toBe(run.events.length);
    expect(report.stateTransitions).toBe(
      run.events.filter((e) => e.type?.endsWith('StateEntered')).length
    );
    expect(report.limits).toEqual({
      errorRateMaxPercent: 1,
      latencyAvgMaxMs: 250,
      minRequests: 50,
    });
    expect(report.startedAt).toBe(START.toISOString());
  });

  it('renders into the same HTML report with the chart and the rollback marker', async () => {
    // Prepare
    const run = rolledBackRun();
    serve({ [run.executionArn]: run.events });

    // Act
    const html = renderReport(
      await historyReport(new SFNClient({ region: 'eu-west-1' }), run.executionArn)
    );

    // Assess
    expect(html).toContain('<svg id="chart"');
    expect(html).toMatch(/<polyline id="green-weight" class="green-line" points="[^"]+ [^"]+"/);
    expect(html).toContain('id="rollback-marker"');
    expect(html).toContain('Rolled back');
  });

  it('an execution stopped with KeepWeights: aborted, the weights it last wrote, the reason says they stay', () => {
    // Prepare
    const run = new HistoryScript('orders-api-keep', START)
      .shift()
      .evaluate(2_000, 2)
      .abort('KeepWeights', 'hold at 10 % over the weekend');

    // Act
    const report = reportFromHistories([{ executionArn: run.executionArn, events: run.events }]);

    // Assess
    expect(report.outcome).toBe('aborted');
    expect(report.exitCode).toBe(3);
    expect(report.reason).toContain('KeepWeights');
    expect(report.reason).toContain('the weights stay as they are');
    expect(report.markers.at(-1)).toMatchObject({ kind: 'abort' });
    expect(report.finalPairs[0]?.green.Weight).toBe(10);
    expect(report.atSnapshot).toBe(false);
    expect(renderReport(report)).toContain('id="abort-marker"');
  });

  it('weights read from Route 53 replace the ones the run last wrote', () => {
    // Prepare
    const run = new HistoryScript('orders-api-abort', START)
      .shift()
      .evaluate(2_000, 2)
      .abort('OperatorAbort', 'stop');

    // Act
    const report = reportFromHistories([{ executionArn: run.executionArn, events: run.events }], {
      currentPairs: SNAPSHOT,
    });

    // Assess
    expect(report.finalPairs).toEqual(SNAPSHOT);
    expect(report.atSnapshot).toBe(true);
    expect(report.reason).toContain('restores the snapshot');
  });

  it('follows a continuation: one report over both executions, completed at 100 %', async () => {
    // Prepare
    const first = new HistoryScript('orders-api-long', START)
      .shift()
      .evaluateUntilDecided(2_000, 2);
    const { successorName } = first.continueAsNew();
    const second = new HistoryScript(successorName, first.now, first.state)
      .shift()
      .evaluateUntilDecided(2_000, 2)
      .shift()
      .evaluateUntilDecided(2_000, 2)
      .complete();
    serve({ [first.executionArn]: first.events, [second.executionArn]: second.events });

    // Act
    const report = await historyReport(new SFNClient({ region: 'eu-west-1' }), first.executionArn);

    // Assess
    expect(successorName).toBe('orders-api-long-c2');
    expect(report.outcome).toBe('completed');
    expect(report.markers.filter((m) => m.kind === 'shift').map((m) => m.label)).toEqual([
      '10%',
      '50%',
      '100%',
    ]);
    expect(report.historyEvents).toBe(first.events.length + second.events.length);
    expect(report.finalPairs[0]?.green.Weight).toBe(100);
  });

  it('a running execution is reported as running', () => {
    // Prepare
    const run = new HistoryScript('orders-api-now', START).shift().evaluate(2_000, 2);

    // Act
    const report = reportFromHistories([{ executionArn: run.executionArn, events: run.events }]);

    // Assess
    expect(report.outcome).toBe('running');
    expect(report.reason).toContain('still running');
    expect(renderReport(report)).toContain('Running');
  });
});
