/**
 * EvaluateMetrics with the cadence (core/cadence.ts): after a quiet wait one read covers every new minute and
 * each is judged as a one-minute look would have judged it; a pending operator request keeps one-minute looks.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MigrationEntry } from '../../../functions/core/registry.ts';
import type { RunState } from '../../../functions/core/state.ts';
import { evaluateMetrics } from '../../../functions/handlers/evaluate-metrics.ts';
import { logger } from '../../../functions/lib/powertools.ts';
import { FakeClock, FakeMetrics, FakeRegistry } from '../../support/fake-ports.ts';
import { readingWith } from '../../support/minute-readings.ts';
import { syncedFirstStep } from '../../support/synced-step.ts';
import { inputWith } from '../core/fixtures.ts';

let metrics: FakeMetrics;
let clock: FakeClock;
let registry: FakeRegistry;

beforeEach(() => {
  metrics = new FakeMetrics();
  clock = new FakeClock('2026-03-02T10:00:10.000Z');
  registry = new FakeRegistry();
  metrics.reading = readingWith(() => 1);
});

/** Step 25 % synced, the clock at its first evaluation. */
function firstLook(): RunState {
  const input = inputWith({
    plan: { steps: [25, 100], bakeSeconds: 600, finalBakeSeconds: 600 },
    metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
    // Two-minute quiet waits (the former default): the reads below are worked out for them.
    thresholds: { minEvidenceMinutes: 2 },
  });
  return syncedFirstStep(clock, input).state;
}

describe('Handler: evaluateMetrics with the cadence', () => {
  it('after a quiet wait, reads the two new minutes once and judges each as a one-minute look', async () => {
    // Prepare: the first look, quiet
    const first = await evaluateMetrics(firstLook(), { metrics, clock });
    expect(first.cadence).toMatchObject({ minutes: 2, reason: 'quiet' });
    expect(first.waitSeconds).toBe(120);
    clock.advance(first.waitSeconds);
    const readsBefore = metrics.calls.length;

    // Act
    const second = await evaluateMetrics(first, { metrics, clock });

    // Assess: one green and one blue read over both minutes; two verdicts counted, two minutes baked
    const reads = metrics.calls.slice(readsBefore);
    expect(reads.map((read) => read.window)).toEqual([
      { start: first.evaluation?.window?.end, end: second.evaluation?.window?.end },
      { start: first.evaluation?.window?.end, end: second.evaluation?.window?.end },
    ]);
    expect(second.status.evaluations).toBe(first.status.evaluations + 2);
    expect(second.status.bakedSeconds).toBe(first.status.bakedSeconds + 120);
    expect(second.evaluation?.window).toEqual({
      start: new Date(Date.parse(second.evaluation?.window?.end ?? '') - 60_000).toISOString(),
      end: second.evaluation?.window?.end,
    });
    expect(second.decision?.action).toBe('observe');
  });

  it("logs one minute's figures after a quiet wait: blue's counts from the same minute as green's, the baseline's inputs", async () => {
    // Prepare: blue's 5xx differ minute by minute (1, 2, 3, ...), so a count of the whole span or of another
    // minute than green's would show.
    const first = await evaluateMetrics(firstLook(), { metrics, clock });
    expect(first.cadence?.minutes).toBe(2);
    clock.advance(first.waitSeconds);
    const blueErrorsAt = (startMs: number) => 1 + ((startMs / 60_000) % 5);
    const green = readingWith(() => 1);
    const blue = readingWith(blueErrorsAt);
    metrics.reading = (query) =>
      query.targets[0]?.discoveryName === 'orders-blue' ? blue(query) : green(query);
    const info = vi.spyOn(logger, 'info');

    // Act
    const second = await evaluateMetrics(first, { metrics, clock });

    // Assess: the dashboard's line of the look's own (last) minute, for both sides
    const line = info.mock.calls
      .filter(([message]) => message === 'minute judged')
      .at(-1)?.[1] as Record<string, unknown>;
    const window = second.evaluation?.window as { start: string; end: string };
    expect(Date.parse(window.end) - Date.parse(window.start)).toBe(60_000);
    const baseline = second.evaluation?.assessments.find((a) => a.check === 'baselineErrorRate');
    expect(baseline?.blue).toEqual({
      requests: 1_001,
      errors5xx: blueErrorsAt(Date.parse(window.start)),
    });
    expect(line).toMatchObject({
      minute: window.start,
      serviceConnectGreenRequests: 1_001,
      serviceConnectGreenErrors5xx: 1,
      serviceConnectBlueRequests: baseline?.blue?.requests,
      serviceConnectBlueErrors5xx: baseline?.blue?.errors5xx,
    });
    info.mockRestore();
  });

  it('counts a failed read after a quiet wait as one Error, as a one-minute look would', async () => {
    // Prepare: quiet after the first look, then CloudWatch fails
    const first = await evaluateMetrics(firstLook(), { metrics, clock });
    expect(first.cadence?.minutes).toBe(2);
    clock.advance(first.waitSeconds);
    metrics.reading = { kind: 'unavailable', reason: 'GetMetricData failed: throttled' };

    // Act
    const second = await evaluateMetrics(first, { metrics, clock });

    // Assess
    expect(second.evaluation?.verdict).toBe('Error');
    expect(second.status.consecutiveErrors).toBe(1);
    expect(second.status.evaluations).toBe(first.status.evaluations + 1);
    expect(second.status.windowFrom).toBe(first.status.windowFrom);
  });

  it('looks every minute while an operator request is pending', async () => {
    // Prepare: a pause in the registry
    registry.entries.set('orders', {
      control: {
        revision: 1,
        pause: {
          at: clock.now().toISOString(),
          by: 'ana',
          until: '2026-03-03T00:00:00.000Z',
          onTimeout: 'resume',
        },
        promote: null,
        audit: [],
      },
    } as unknown as MigrationEntry);

    // Act
    const first = await evaluateMetrics(firstLook(), { metrics, clock, registry });

    // Assess
    expect(first.cadence).toMatchObject({
      minutes: 1,
      reason: 'operator request or gate pending',
    });
    expect(first.waitSeconds).toBe(60);
  });

  it("counts blue's failed read at a quiet look as one Error, green's minutes still judged one by one (D1)", async () => {
    // Prepare: quiet after the first look, then blue's read fails
    const first = await evaluateMetrics(firstLook(), { metrics, clock });
    expect(first.cadence?.minutes).toBe(2);
    clock.advance(first.waitSeconds);
    const healthy = readingWith(() => 1);
    metrics.reading = (query) =>
      query.targets[0]?.discoveryName === 'orders-blue'
        ? { kind: 'unavailable', reason: 'GetMetricData failed: throttled' }
        : healthy(query);

    // Act
    const second = await evaluateMetrics(first, { metrics, clock });

    // Assess: two minutes judged, one Error (the look's own minute), the first minute baked
    expect(second.evaluation?.verdict).toBe('Error');
    expect(second.status.evaluations).toBe(first.status.evaluations + 2);
    expect(second.status.consecutiveErrors).toBe(1);
    expect(second.status.bakedSeconds).toBe(first.status.bakedSeconds + 60);
  });

  it("reads the minutes again a minute after green's failed read at a quiet look, one by one (D2)", async () => {
    // Prepare: quiet after the first look, then green's read fails once
    const first = await evaluateMetrics(firstLook(), { metrics, clock });
    clock.advance(first.waitSeconds);
    metrics.reading = { kind: 'unavailable', reason: 'GetMetricData failed: throttled' };
    const failed = await evaluateMetrics(first, { metrics, clock });
    metrics.reading = readingWith(() => 1);

    // Act
    expect(failed.cadence).toMatchObject({ minutes: 1, through: first.cadence?.through });
    expect(failed.waitSeconds).toBe(60);
    clock.advance(failed.waitSeconds);
    const again = await evaluateMetrics(failed, { metrics, clock });

    // Assess: the three minutes since the last judged one, each its own Pass
    expect(again.status.evaluations).toBe(failed.status.evaluations + 3);
    expect(again.status.bakedSeconds).toBe(first.status.bakedSeconds + 180);
    expect(again.evaluation?.window).toEqual({
      start: new Date(Date.parse(again.evaluation?.window?.end ?? '') - 60_000).toISOString(),
      end: again.evaluation?.window?.end,
    });
  });

  it("feeds a quiet look's minutes the sequential test's backlog, as a one-minute look would (T3)", async () => {
    // Prepare: after a quiet first look, the error-rate test has not folded the two minutes before the
    // cursor (a ramp), and those minutes were all errors (the minutes after it: one 5xx each)
    const first = await evaluateMetrics(firstLook(), { metrics, clock });
    expect(first.cadence?.minutes).toBe(2);
    const cursorMs = Date.parse(first.status.windowFrom ?? '');
    const sequential = first.status.sequential ?? {};
    const errorRate = sequential['errorRate'];
    const behind = {
      ...first,
      status: {
        ...first.status,
        sequential: {
          ...sequential,
          errorRate: {
            ...(errorRate as NonNullable<typeof errorRate>),
            consumedUntil: new Date(cursorMs - 120_000).toISOString(),
          },
        },
      },
    };
    metrics.reading = readingWith((ms) => (ms < cursorMs ? 1_001 : 1));
    clock.advance(first.waitSeconds);

    // Act
    const second = await evaluateMetrics(behind, { metrics, clock });

    // Assess: the test folded the two backlog minutes (all errors) before the look's two minutes
    expect(second.status.sequential?.['errorRate']).toMatchObject({
      minutes: 4,
      requests: 4 * 1_001,
      errors: 2 * 1_001 + 2,
      consumedUntil: second.evaluation?.window?.end,
    });
  });
});
