/**
 * Blue drained at 100 % green (core/blue-drained.ts): when a look finds it, what it keeps, and that judging
 * the synthetic empty blue is judging a real read of blue with no datapoints (the adapter's own shape).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { specsFor } from '../../../functions/adapters/service-connect-queries.ts';
import { samplesOf } from '../../../functions/adapters/service-connect-samples.ts';
import {
  blueDrainedFrom,
  drainedBlueReading,
  isBlueDrained,
} from '../../../functions/core/blue-drained.ts';
import { foldReading } from '../../../functions/core/cadence-fold.ts';
import { metricStatistics } from '../../../functions/core/metric-statistics.ts';
import { afterEvaluation } from '../../../functions/core/run.ts';
import type { RunState } from '../../../functions/core/state.ts';
import type {
  BlueLatency,
  DiscoveryTarget,
  MetricReading,
  PeriodSample,
} from '../../../functions/core/types.ts';
import { evaluate } from '../../../functions/core/verdict.ts';
import { inputWith, sample, statusAt } from './fixtures.ts';

const WINDOW = { start: '2026-03-02T10:05:00.000Z', end: '2026-03-02T10:07:00.000Z' };
const FOUND = '2026-03-02T10:04:00.000Z';
const MIN_REQUESTS = 50;
const AT_100 = { greenPercent: 100, blueDrainedFrom: null };
const blueWith = (...services: ReturnType<typeof sample>[]): MetricReading => ({
  kind: 'ok',
  services,
});

describe('Function: isBlueDrained', () => {
  it.each([
    { greenPercent: 100, blueDrainedFrom: FOUND, drained: true },
    { greenPercent: 100, blueDrainedFrom: null, drained: false },
    // A state written before the field existed.
    { greenPercent: 100, drained: false },
    // Blue has weight below 100 %: a stale flag never stops its read.
    { greenPercent: 75, blueDrainedFrom: FOUND, drained: false },
  ])('at $greenPercent % with blueDrainedFrom $blueDrainedFrom: $drained', (status) => {
    expect(isBlueDrained(status)).toBe(status.drained);
  });
});

describe('Function: blueDrainedFrom', () => {
  it.each([
    { name: 'no datapoints', blue: blueWith(sample('orders-blue')), from: WINDOW.end },
    {
      name: `${MIN_REQUESTS - 1} requests over two names`,
      blue: blueWith(
        sample('orders-blue', { http2xx: 40 }),
        sample('orders-legacy', { http2xx: 8, http5xx: 1 })
      ),
      from: WINDOW.end,
    },
    {
      name: `${MIN_REQUESTS} requests (a baseline)`,
      blue: blueWith(
        sample('orders-blue', { http2xx: 40 }),
        sample('orders-legacy', { http2xx: 10 })
      ),
      from: null,
    },
    {
      name: `${MIN_REQUESTS} requests by RequestCount alone`,
      blue: blueWith(sample('orders-blue', { requestCount: MIN_REQUESTS })),
      from: null,
    },
    { name: 'a failed read', blue: { kind: 'unavailable', reason: 'Throttling' }, from: null },
    { name: 'no blue read', blue: null, from: null },
  ] as { name: string; blue: MetricReading | null; from: string | null }[])(
    'a look at 100 % whose blue read has $name: $from',
    ({ blue, from }) => {
      expect(
        blueDrainedFrom({ status: AT_100, blue, window: WINDOW, minRequests: MIN_REQUESTS })
      ).toBe(from);
    }
  );

  it('once found, kept at 100 % whatever blue shows later (blue is no longer read)', () => {
    const busy = blueWith(sample('orders-blue', { http2xx: 10_000 }));
    const status = { greenPercent: 100, blueDrainedFrom: FOUND };
    expect(blueDrainedFrom({ status, blue: busy, window: WINDOW, minRequests: MIN_REQUESTS })).toBe(
      FOUND
    );
    expect(blueDrainedFrom({ status, blue: null, window: WINDOW, minRequests: MIN_REQUESTS })).toBe(
      FOUND
    );
  });

  it('below 100 % never drained, and a flag carried there is cleared', () => {
    const quiet = blueWith(sample('orders-blue'));
    for (const status of [
      { greenPercent: 75, blueDrainedFrom: null },
      { greenPercent: 75, blueDrainedFrom: FOUND },
    ]) {
      expect(
        blueDrainedFrom({ status, blue: quiet, window: WINDOW, minRequests: MIN_REQUESTS })
      ).toBeNull();
    }
  });
});

// ---------- The synthetic empty blue is the adapter's read of blue with no datapoints ----------

const BLUE_TARGETS: DiscoveryTarget[] = [
  { discoveryName: 'orders-blue' },
  { discoveryName: 'orders-legacy', clusterName: 'legacy', serviceName: 'web' },
];
const INPUT = inputWith({
  plan: { steps: [25, 100], bakeSeconds: 600, finalBakeSeconds: 600 },
  metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: BLUE_TARGETS },
  thresholds: { latencyAvgMaxMs: 400, minEvidenceMinutes: 2 },
});
const blueQuery = {
  namespace: INPUT.metrics.namespace,
  targets: BLUE_TARGETS,
  window: WINDOW,
  periodSeconds: 60,
  ...(metricStatistics(INPUT).blue as NonNullable<ReturnType<typeof metricStatistics>['blue']>),
};

/** What CloudWatchMetricSource makes of a blue read with no datapoints: series absent, or present and empty. */
const realEmptyReads: { name: string; reading: MetricReading }[] = [
  {
    name: 'no series',
    reading: { kind: 'ok', services: samplesOf(blueQuery, () => undefined, null) },
  },
  {
    name: 'empty series',
    reading: {
      kind: 'ok',
      services: samplesOf(blueQuery, () => ({ timestamps: [], values: [] }), null),
    },
  },
];

describe('Function: drainedBlueReading', () => {
  it.each(realEmptyReads)('is the adapter’s read of blue with $name', ({ reading }) => {
    expect(specsFor(blueQuery).length).toBeGreaterThan(0);
    expect(drainedBlueReading(BLUE_TARGETS)).toEqual(reading);
  });

  it('is not a null blue: the baseline checks (the remembered latency baseline among them) stay', () => {
    const green = greenMinutes([{ requests: 1_000, errors: 0, latencyAvgMs: 90 }]);
    const remembered = { avgMs: 80, samples: 900, windowEnd: FOUND };
    const checks = (blue: MetricReading | null) =>
      evaluate(green, blue, INPUT, WINDOW, remembered).assessments.map((a) => a.check);
    expect(checks(drainedBlueReading(BLUE_TARGETS))).toContain('baselineLatencyAvg');
    expect(checks(null)).not.toContain('baselineLatencyAvg');
  });
});

interface GreenMinute {
  requests: number;
  errors: number;
  latencyAvgMs: number;
}

/** Green's read of WINDOW, one per-period record per minute (the adapter's shape). */
function greenMinutes(minutes: readonly GreenMinute[]): MetricReading {
  const byPeriod: PeriodSample[] = minutes.map((minute, i) => ({
    start: new Date(Date.parse(WINDOW.start) + i * 60_000).toISOString(),
    http2xx: minute.requests - minute.errors,
    http3xx: null,
    http4xx: null,
    http5xx: minute.errors === 0 ? null : minute.errors,
    requestCount: minute.requests,
    latencySampleCount: minute.requests,
    latencyAvgMs: minute.latencyAvgMs,
    latencyMaxMs: minute.latencyAvgMs,
  }));
  const requests = minutes.reduce((sum, minute) => sum + minute.requests, 0);
  const errors = minutes.reduce((sum, minute) => sum + minute.errors, 0);
  const latency = minutes.reduce((sum, m) => sum + m.latencyAvgMs * m.requests, 0) / requests;
  return {
    kind: 'ok',
    services: [
      sample('orders', {
        http2xx: requests - errors,
        http5xx: errors === 0 ? null : errors,
        requestCount: requests,
        latencySampleCount: requests,
        latencyAvgMs: latency,
        latencyMaxMs: Math.max(...minutes.map((minute) => minute.latencyAvgMs)),
        periodStarts: byPeriod.map((part) => part.start),
        periods: byPeriod.map((part) => ({
          start: part.start,
          requests: (part.http2xx ?? 0) + (part.http5xx ?? 0),
          errors: part.http5xx ?? 0,
        })),
        byPeriod,
      }),
    ],
  };
}

function finalBake(remembered: BlueLatency | null, bakedSeconds: number): RunState {
  return {
    input: INPUT,
    steps: [25, 100],
    run: { executionArn: 'arn', generation: 1 },
    history: { eventsEstimate: 0, continueNow: false },
    status: {
      ...statusAt(100, '2026-03-02T10:00:00.000Z'),
      stepIndex: 1,
      windowFrom: WINDOW.start,
      bakedSeconds,
      blueLatency: remembered,
    },
  } as unknown as RunState;
}

const minuteArb = fc.record({
  requests: fc.integer({ min: 0, max: 2_000 }),
  errors: fc.integer({ min: 0, max: 60 }),
  latencyAvgMs: fc.integer({ min: 20, max: 500 }),
});
const lookArb = fc.record({
  minutes: fc
    .array(minuteArb, { minLength: 2, maxLength: 2 })
    .map((minutes) =>
      minutes.map((minute) => ({ ...minute, errors: Math.min(minute.errors, minute.requests) }))
    ),
  remembered: fc.option(
    fc.record({
      avgMs: fc.integer({ min: 10, max: 300 }),
      samples: fc.integer({ min: 50, max: 5_000 }),
    }),
    { nil: null }
  ),
  bakedSeconds: fc.constantFrom(0, 420, 540),
});

describe('Property: judging the synthetic empty blue is judging a real empty read', () => {
  it.each(realEmptyReads)(
    'the same assessments, verdict, decision, cadence and blue latency (real read with $name)',
    ({ reading: realEmpty }) => {
      fc.assert(
        fc.property(lookArb, ({ minutes, remembered, bakedSeconds }) => {
          const green = greenMinutes(minutes);
          // Green with no request at all has no latency average to build (and nothing to judge).
          if (minutes.every((m) => m.requests === 0)) return;
          const memory = remembered === null ? null : { ...remembered, windowEnd: FOUND };
          const state = finalBake(memory, bakedSeconds);
          const now = new Date(Date.parse(WINDOW.end) + 90_000);
          const look = (blue: MetricReading) => {
            const evaluation = evaluate(green, blue, INPUT, WINDOW, memory, null);
            const after = afterEvaluation(state, evaluation, now);
            const folded = foldReading(
              state,
              WINDOW,
              ['2026-03-02T10:06:00.000Z', WINDOW.end],
              { green, blue },
              now
            );
            return {
              assessments: evaluation.assessments,
              verdict: evaluation.verdict,
              reason: evaluation.reason,
              blueLatency: evaluation.blueLatency,
              decision: after.decision,
              cadence: after.cadence,
              status: after.status,
              // A quiet look's fold of the same read, minute by minute (cadence-fold.ts).
              folded: folded === null ? 'not folded' : folded.minutes,
            };
          };
          const drained = look(drainedBlueReading(BLUE_TARGETS));
          expect(drained.folded).not.toBe('not folded');
          expect(drained).toEqual(look(realEmpty));
        }),
        { numRuns: 200 }
      );
    }
  );
});
