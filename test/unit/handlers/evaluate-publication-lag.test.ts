/**
 * EvaluateMetrics against CloudWatch publishing each minute 120 s after it ends (aws-facts.md §1.1, the
 * cost bench's what-if): the run learns the lag (core/publication.ts), so after one missed look its looks
 * come when the minute is there, and it advances at the same instant as with today's schedule.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { afterShift, afterSyncCheck, newRunState } from '../../../functions/core/run.ts';
import type { MetricQuery, RunState } from '../../../functions/core/state.ts';
import type { MetricReading, PeriodSample } from '../../../functions/core/types.ts';
import { weightsFor } from '../../../functions/core/weights.ts';
import { evaluateMetrics } from '../../../functions/handlers/evaluate-metrics.ts';
import { FakeClock, FakeMetrics } from '../../support/fake-ports.ts';
import { inputWith, pairWith } from '../core/fixtures.ts';

/**
 * 1,001 requests a minute with `errorsAt(minute start)` 5xx among them, with the per-period values the
 * CloudWatch adapter reports.
 */
function readingWith(errorsAt: (startMs: number) => number) {
  return (query: MetricQuery): MetricReading => ({
    kind: 'ok',
    services: query.targets.map((target) => {
      const parts: PeriodSample[] = [];
      for (let ms = Date.parse(query.window.start); ms < Date.parse(query.window.end); ms += 60_000)
        parts.push({
          start: new Date(ms).toISOString(),
          http2xx: 1_001 - errorsAt(ms),
          http3xx: null,
          http4xx: null,
          http5xx: errorsAt(ms),
          requestCount: 1_001,
          latencySampleCount: 1_001,
          latencyAvgMs: 40,
          latencyMaxMs: 90,
        });
      const sum = (pick: (part: PeriodSample) => number) =>
        parts.reduce((total, part) => total + pick(part), 0);
      return {
        discoveryName: target.discoveryName,
        http2xx: sum((part) => part.http2xx as number),
        http3xx: null,
        http4xx: null,
        http5xx: sum((part) => part.http5xx as number),
        requestCount: 1_001 * parts.length,
        latencySampleCount: 1_001 * parts.length,
        latencyAvgMs: 40,
        latencyMaxMs: 90,
        latencyP99Ms: null,
        periodStarts: parts.map((part) => part.start),
        periods: parts.map((part) => ({
          start: part.start,
          requests: 1_001,
          errors: part.http5xx as number,
        })),
        byPeriod: parts,
      };
    }),
  });
}

let lagSeconds = 120;
let metrics: FakeMetrics;
let clock: FakeClock;

beforeEach(() => {
  metrics = new FakeMetrics();
  lagSeconds = 120;
  const healthy = readingWith(() => 1);
  // Only the minutes that ended lagSeconds ago or earlier are there.
  metrics.reading = (query) => {
    const publishedEnd = Math.floor((clock.now().getTime() - lagSeconds * 1_000) / 60_000) * 60_000;
    const end = Math.max(
      Date.parse(query.window.start),
      Math.min(Date.parse(query.window.end), publishedEnd)
    );
    return healthy({ ...query, window: { ...query.window, end: new Date(end).toISOString() } });
  };
});

/** Step 25 % synced, the clock at its first look. */
function firstLook(): RunState {
  const input = inputWith({
    plan: { steps: [25, 100], bakeSeconds: 600, finalBakeSeconds: 600 },
    metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
  });
  const identity = {
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:ts:orders',
    executionName: 'orders',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ts',
    startedAt: clock.now().toISOString(),
    generation: 1,
    continuedFrom: null,
  };
  const started = newRunState(input, identity, [pairWith({ blue: 100, green: 0 })]);
  const weights = started.snapshot.map((pair) => weightsFor(pair, 25));
  const shifted = afterShift(started, 25, weights, ['/change/C1'], clock.now());
  clock.advance(60);
  const synced = afterSyncCheck(shifted, true, clock.now());
  clock.advance(synced.waitSeconds);
  return synced;
}

/** Looks until the step advances: when, after how many looks, how many of them judged nothing. */
async function untilAdvance(forgetLag: boolean) {
  clock = new FakeClock('2026-03-02T10:00:10.000Z');
  let state = firstLook();
  let looks = 0;
  let missed = 0;
  while (looks < 100) {
    if (forgetLag) {
      const { publicationLag: _lag, ...rest } = state;
      state = rest;
    }
    state = await evaluateMetrics(state, { metrics, clock });
    looks += 1;
    if (state.evaluation === null) missed += 1;
    if (state.decision?.action === 'advance') break;
    clock.advance(state.waitSeconds);
  }
  return { at: clock.now().toISOString(), looks, missed, evaluations: state.status.evaluations };
}

describe('Handler: evaluateMetrics with minutes published 120 s late', () => {
  it('advances at the same instant as today, with no more looks (a judged look moves the lag back at once)', async () => {
    // Act
    const learned = await untilAdvance(false);
    const today = await untilAdvance(true);

    // Assess: today every look misses once; so does the run (PROBE_AFTER_HITS 1: detection first)
    expect(learned.at).toBe(today.at);
    expect(learned.evaluations).toBe(today.evaluations);
    expect(today.missed).toBe(today.looks - today.missed);
    expect(learned.missed).toBeGreaterThanOrEqual(1);
    expect(learned.looks).toBeLessThanOrEqual(today.looks);
  });

  it("judges minutes published past the next minute's first look at the bound (150 s), where today never judges", async () => {
    // Prepare: 140 s late: at 150 s the window computed with today's 90-s lag already ends a minute later
    lagSeconds = 140;

    // Act
    const learned = await untilAdvance(false);
    const today = await untilAdvance(true);

    // Assess
    expect(learned.missed).toBeLessThanOrEqual(learned.evaluations + 1);
    expect(learned.evaluations).toBe(10);
    expect(today.evaluations).toBe(0);
    expect(today.looks).toBe(100);
  });
});
