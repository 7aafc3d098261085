/**
 * The dashboard's per-minute lines as EvaluateMetrics writes them: after a quiet wait one look judges every
 * new minute (core/cadence-fold.ts) and logs one `minute judged` line per minute, in order, with that
 * minute's own counts; the line stays far below Logs Insights' 200 extracted fields; and the weight widget's
 * aggregation shows a rollback logged in the same minute as an evaluation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MigrationEntry } from '../../../functions/core/registry.ts';
import type { RunState } from '../../../functions/core/state.ts';
import { weightsFor } from '../../../functions/core/weights.ts';
import { evaluateMetrics } from '../../../functions/handlers/evaluate-metrics.ts';
import { rollback } from '../../../functions/handlers/rollback.ts';
import { MINUTE_JUDGED } from '../../../functions/lib/dashboard-fields.ts';
import { preflightEntry } from '../../../functions/lib/ownership.ts';
import { captureLogs } from '../../support/captured-logs.ts';
import { statsOf, widgetTitled } from '../../support/dashboard-queries.ts';
import { FakeClock, FakeMetrics, FakeRegistry, FakeRouter } from '../../support/fake-ports.ts';
import { readingWith } from '../../support/minute-readings.ts';
import { syncedFirstStep } from '../../support/synced-step.ts';
import { inputWith, pairWith } from '../core/fixtures.ts';

type Line = Record<string, unknown>;

let printed: string[];
let clock: FakeClock;
let metrics: FakeMetrics;
let logs: ReturnType<typeof captureLogs>;

beforeEach(() => {
  logs = captureLogs();
  printed = logs.printed;
  clock = new FakeClock('2026-03-02T10:00:10.000Z');
  metrics = new FakeMetrics();
});

afterEach(() => logs.release());

/** The lines printed since `from`, parsed. */
function linesSince(from: number): Line[] {
  return printed
    .slice(from)
    .flatMap((chunk) => chunk.split('\n'))
    .filter((text) => text.trim() !== '')
    .map((text) => JSON.parse(text) as Line);
}

/** Step `percent` synced, the clock at its first evaluation (the default three-minute quiet waits). */
async function firstLook(percent: number): Promise<{ state: RunState; router: FakeRouter }> {
  const input = inputWith({
    plan: { steps: [percent, 100], bakeSeconds: 600, finalBakeSeconds: 600 },
    metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
  });
  const pair = pairWith({ blue: 100, green: 0 }, { hostedZoneId: 'Z0123456789ABC' });
  const { state, weights } = syncedFirstStep(clock, input, pair);
  // Route 53 as the shift left it.
  const router = new FakeRouter([pair]);
  await router.applyWeights([pair], weights);
  return { state, router };
}

/** The registry entry after the shift: this run owns its records (phase running). */
function ownedBy(state: RunState): FakeRegistry {
  const registry = new FakeRegistry();
  const entry: MigrationEntry = {
    ...preflightEntry(state.input, state.run, { kind: 'step-functions' }),
    phase: 'running',
    snapshot: state.snapshot,
    // The weights the shift wrote.
    expected: state.snapshot.map((pair) => weightsFor(pair, state.status.greenPercent)),
    version: 1,
  };
  registry.entries.set(entry.migrationId, entry);
  for (const key of entry.recordSetKeys) registry.locks.set(key, entry.migrationId);
  return registry;
}

describe("the dashboard's per-minute lines", () => {
  it('a quiet look folding three minutes logs one line per minute, in order, with each minute’s counts', async () => {
    // Prepare: requests and 5xx differ minute by minute, so a line with another minute's (or the span's)
    // counts would show.
    const requestsAt = (ms: number) => 1_000 + ((ms / 60_000) % 7) * 10;
    const errorsAt = (ms: number) => 1 + ((ms / 60_000) % 3);
    metrics.reading = readingWith(errorsAt, requestsAt);
    const first = await evaluateMetrics((await firstLook(25)).state, { metrics, clock });
    expect(first.cadence).toMatchObject({ minutes: 3, reason: 'quiet' });
    clock.advance(first.waitSeconds);
    const from = printed.length;

    // Act
    const second = await evaluateMetrics(first, { metrics, clock });

    // Assess: three minutes judged (the status counts them), three lines, one per minute
    expect(second.status.evaluations).toBe(first.status.evaluations + 3);
    const lines = linesSince(from).filter((line) => line['message'] === MINUTE_JUDGED);
    const lastEnd = Date.parse(second.evaluation?.window?.end ?? '');
    const starts = [3, 2, 1].map((back) => lastEnd - back * 60_000);
    expect(lines.map((line) => line['minute'])).toEqual(
      starts.map((ms) => new Date(ms).toISOString())
    );
    expect(
      lines.map((line) => [
        line['serviceConnectGreenRequests'],
        line['serviceConnectGreenErrors5xx'],
      ])
    ).toEqual(starts.map((ms) => [requestsAt(ms), errorsAt(ms)]));
    for (const line of lines)
      expect(line).toMatchObject({
        migrationId: 'orders',
        greenWeightPercent: 25,
        verdict: 'Pass',
      });
    // The audit line is still written once per look, and no longer carries the dashboard's fields.
    const evaluated = linesSince(from).filter((line) => line['message'] === 'evaluated');
    expect(evaluated).toHaveLength(1);
    expect(evaluated[0]).not.toHaveProperty('serviceConnectGreenRequests');
    expect(evaluated[0]).not.toHaveProperty('greenWeightPercent');
  });

  it('a minute line stays far below the 200 fields Logs Insights extracts from a JSON event', async () => {
    // Prepare
    metrics.reading = readingWith(
      () => 1,
      () => 1_000
    );
    const from = printed.length;

    // Act
    await evaluateMetrics((await firstLook(25)).state, { metrics, clock });

    // Assess: every leaf of the flattened line counted
    const leaves = (value: unknown): number =>
      value !== null && typeof value === 'object'
        ? Object.values(value).reduce((sum: number, one) => sum + leaves(one), 0)
        : 1;
    const line = linesSince(from).find((one) => one['message'] === MINUTE_JUDGED);
    expect(line).toBeDefined();
    expect(leaves(line)).toBeLessThanOrEqual(30);
  });

  it('the weight widget shows a rollback logged in the same minute as an evaluation', async () => {
    // Prepare: green at 50 %, a look judges a minute, and the run rolls back in the same minute (an alarm,
    // a failed step, a stop: the rollback's reason does not matter to the weight line)
    metrics.reading = readingWith(
      () => 1,
      () => 1_000
    );
    const { state, router } = await firstLook(50);
    const registry = ownedBy(state);
    const from = printed.length;

    // Act
    const evaluated = await evaluateMetrics(state, { metrics, clock });
    await rollback(evaluated, { router, registry, clock });

    // Assess: the widget's aggregation over the minute's weight lines (Logs Insights bins @timestamp, which
    // Lambda sets when the line is written: both lines share the minute)
    const weights = linesSince(from).filter(
      (line) => typeof line['greenWeightPercent'] === 'number'
    );
    expect(weights.map((line) => [line['message'], line['greenWeightPercent']])).toEqual([
      [MINUTE_JUDGED, 50],
      ['rolled back', 0],
    ]);
    const minutes = new Set(weights.map((line) => String(line['timestamp']).slice(0, 16)));
    expect(minutes.size).toBe(1);
    const expression = statsOf(widgetTitled(/Green weight/).properties.query).aggregations.get(
      'greenWeight'
    );
    const aggregate = { 'min(greenWeightPercent)': Math.min, 'max(greenWeightPercent)': Math.max }[
      expression as string
    ];
    expect(aggregate, expression).toBeDefined();
    expect(aggregate?.(...weights.map((line) => line['greenWeightPercent'] as number))).toBe(0);
  });

  it('a quiet look whose green read fails logs one Error line, and its refold each minute once with its counts', async () => {
    // Prepare: a quiet wait, then the look's read of green fails; a minute later the same minutes are refolded
    const good = readingWith(
      () => 1,
      () => 1_000
    );
    metrics.reading = good;
    const first = await evaluateMetrics((await firstLook(25)).state, { metrics, clock });
    expect(first.cadence).toMatchObject({ minutes: 3, reason: 'quiet' });
    clock.advance(first.waitSeconds);
    const from = printed.length;
    metrics.reading = (query) =>
      query.targets[0]?.discoveryName === 'orders'
        ? { kind: 'unavailable', reason: 'throttled' }
        : good(query);
    const failed = await evaluateMetrics(first, { metrics, clock });
    expect(failed.cadence).toMatchObject({ refold: true });
    clock.advance(failed.waitSeconds);
    metrics.reading = good;

    // Act
    const refolded = await evaluateMetrics(failed, { metrics, clock });

    // Assess: one line per evaluation the status counts; the Error line carries no counts, and every minute
    // with counts is logged once (a refold logs no minute twice, so no widget sums a minute's counts twice)
    const lines = linesSince(from).filter((line) => line['message'] === MINUTE_JUDGED);
    expect(lines).toHaveLength(refolded.status.evaluations - first.status.evaluations);
    expect(lines[0]).toMatchObject({ verdict: 'Error' });
    expect(lines[0]).not.toHaveProperty('serviceConnectGreenRequests');
    const counted = lines
      .filter((line) => typeof line['serviceConnectGreenRequests'] === 'number')
      .map((line) => line['minute']);
    expect(counted).toHaveLength(lines.length - 1);
    expect(new Set(counted).size).toBe(counted.length);
  });
});
