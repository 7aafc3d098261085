/**
 * The Pass/Fail boundaries of evaluate that the scenario tables leave open (found by `npm run mutation`): each
 * threshold exactly at, and one past, its limit, and each baseline limit in the regime where the other term of
 * its max() is smaller, so `blue + delta` and `blue x ratio` are both pinned.
 */
import { describe, expect, it } from 'vitest';
import { wilsonLowerBound } from '../../../functions/core/stats.ts';
import type {
  Assessment,
  BlueLatency,
  MetricReading,
  ServiceSample,
} from '../../../functions/core/types.ts';
import { Verdict } from '../../../functions/core/types.ts';
import { Check, evaluate, OVERALL_SCOPE } from '../../../functions/core/verdict.ts';
import { inputWith, sample, traffic, WINDOW } from './fixtures.ts';

const ok = (...services: ServiceSample[]): MetricReading => ({ kind: 'ok', services });
const MIN_REQUESTS = 50;

function overall(assessments: readonly Assessment[], check: Check): Assessment | undefined {
  return assessments.find((a) => a.scope === OVERALL_SCOPE && a.check === check);
}

describe('Function: evaluate, boundaries', () => {
  describe('minRequests: exactly minRequests is judged, one fewer is not', () => {
    const input = inputWith({ thresholds: { minRequests: MIN_REQUESTS, latencyAvgMaxMs: 100 } });

    it.each([
      { requests: MIN_REQUESTS, verdict: Verdict.Pass },
      { requests: MIN_REQUESTS - 1, verdict: Verdict.Inconclusive },
    ])(
      'green error rate and latency over $requests requests: $verdict',
      ({ requests, verdict }) => {
        // Act
        const { assessments } = evaluate(ok(traffic('orders', requests, 0)), null, input, WINDOW);

        // Assess
        expect(overall(assessments, Check.ErrorRate)?.verdict).toBe(verdict);
        expect(overall(assessments, Check.LatencyAvg)?.verdict).toBe(verdict);
      }
    );

    it.each([
      { blueRequests: MIN_REQUESTS, verdict: Verdict.Pass, blueLatency: true },
      { blueRequests: MIN_REQUESTS - 1, verdict: Verdict.Inconclusive, blueLatency: false },
    ])(
      'a baseline from blue over $blueRequests requests: $verdict',
      ({ blueRequests, verdict, blueLatency }) => {
        // Act
        const evaluation = evaluate(
          ok(traffic('orders', 1_000, 0)),
          ok(traffic('orders', blueRequests, 0)),
          input,
          WINDOW
        );

        // Assess
        expect(overall(evaluation.assessments, Check.BaselineErrorRate)?.verdict).toBe(verdict);
        expect(overall(evaluation.assessments, Check.BaselineLatencyAvg)?.verdict).toBe(verdict);
        expect(evaluation.blueLatency).toEqual(
          blueLatency ? { avgMs: 20, samples: blueRequests, windowEnd: WINDOW.end } : null
        );
      }
    );
  });

  describe('baseline latency limit: max(blue x ratio, blue + delta)', () => {
    it.each([
      // blue + delta above blue x ratio: 100 + 100 = 200 > 150
      { blueMs: 100, ratio: 1.5, deltaMs: 100, limitMs: 200, greenMs: 200, verdict: Verdict.Pass },
      { blueMs: 100, ratio: 1.5, deltaMs: 100, limitMs: 200, greenMs: 201, verdict: Verdict.Fail },
      // blue x ratio above blue + delta: 400 x 1.5 = 600 > 450
      { blueMs: 400, ratio: 1.5, deltaMs: 50, limitMs: 600, greenMs: 600, verdict: Verdict.Pass },
      { blueMs: 400, ratio: 1.5, deltaMs: 50, limitMs: 600, greenMs: 601, verdict: Verdict.Fail },
    ])(
      'blue $blueMs ms, ratio $ratio, delta $deltaMs ms: limit $limitMs ms, green $greenMs ms is $verdict',
      ({ blueMs, ratio, deltaMs, limitMs, greenMs, verdict }) => {
        // Prepare
        const input = inputWith({
          thresholds: { baseline: { latencyAvgMaxRatio: ratio, latencyAvgMinDeltaMs: deltaMs } },
        });

        // Act
        const { assessments } = evaluate(
          ok(traffic('orders', 1_000, 0, { latencyAvgMs: greenMs })),
          ok(traffic('orders', 1_000, 0, { latencyAvgMs: blueMs })),
          input,
          WINDOW
        );

        // Assess
        expect(overall(assessments, Check.BaselineLatencyAvg)).toMatchObject({
          verdict,
          limit: limitMs,
          value: greenMs,
        });
      }
    );

    it('applies the same formula to a remembered baseline', () => {
      // Prepare
      const input = inputWith({
        thresholds: { baseline: { latencyAvgMaxRatio: 1.5, latencyAvgMinDeltaMs: 100 } },
      });
      const remembered: BlueLatency = { avgMs: 100, samples: 500, windowEnd: WINDOW.start };

      // Act
      const { assessments } = evaluate(
        ok(traffic('orders', 1_000, 0, { latencyAvgMs: 201 })),
        ok(traffic('orders', 1, 0, { latencyAvgMs: 100 })),
        input,
        WINDOW,
        remembered
      );

      // Assess
      expect(overall(assessments, Check.BaselineLatencyAvg)).toMatchObject({
        verdict: Verdict.Fail,
        limit: 200,
      });
    });
  });

  describe('baseline error-rate limit: max(blue x ratio, blue + delta)', () => {
    it.each([
      // blue 1 % (10 of 1,000): + delta 1 -> 2 % above x 1.5 -> 1.5 %
      { blueErrors: 10, ratio: 1.5, delta: 1, limit: 2 },
      // blue 10 % (100 of 1,000): x 2 -> 20 % above + delta 1 -> 11 %
      { blueErrors: 100, ratio: 2, delta: 1, limit: 20 },
    ])(
      'blue $blueErrors errors of 1,000, ratio $ratio, delta $delta: limit $limit %',
      ({ blueErrors, ratio, delta, limit }) => {
        // Prepare
        const input = inputWith({
          thresholds: {
            errorRateMaxPercent: 100,
            baseline: { errorRateMaxRatio: ratio, errorRateMinDeltaPercent: delta },
          },
        });

        // Act
        const { assessments } = evaluate(
          ok(traffic('orders', 1_000, 0)),
          ok(traffic('orders', 1_000, blueErrors)),
          input,
          WINDOW
        );

        // Assess
        expect(overall(assessments, Check.BaselineErrorRate)).toMatchObject({
          verdict: Verdict.Pass,
          limit,
        });
      }
    );
  });

  describe('absolute limits: at the limit passes, above fails', () => {
    it.each([
      { check: Check.LatencyAvg, field: 'latencyAvgMs', limit: 'latencyAvgMaxMs' },
      { check: Check.LatencyMax, field: 'latencyMaxMs', limit: 'latencyMaxMs' },
      { check: Check.LatencyP99, field: 'latencyP99Ms', limit: 'latencyP99MaxMs' },
    ] as const)('$check', ({ check, field, limit }) => {
      // Prepare: a namespace with percentiles (p99 is refused on AWS/ECS)
      const input = inputWith({
        metrics: { namespace: 'AWS/ApplicationELB' },
        thresholds: { [limit]: 300 },
      });
      const judge = (ms: number) =>
        overall(
          evaluate(ok(traffic('orders', 1_000, 0, { [field]: ms })), null, input, WINDOW)
            .assessments,
          check
        );

      // Act + Assess
      expect(judge(300)).toMatchObject({ verdict: Verdict.Pass, limit: 300, value: 300 });
      expect(judge(301)).toMatchObject({ verdict: Verdict.Fail, limit: 300, value: 301 });
    });

    it('error rate exactly at errorRateMaxPercent passes', () => {
      // Act: 10 of 1,000 = 1 %
      const evaluation = evaluate(ok(traffic('orders', 1_000, 10)), null, inputWith(), WINDOW);

      // Assess
      expect(evaluation.verdict).toBe(Verdict.Pass);
      expect(overall(evaluation.assessments, Check.ErrorRate)).toMatchObject({
        value: 1,
        limit: 1,
      });
    });
  });

  describe('significance and reasons', () => {
    it('is Inconclusive, not Fail, when the Wilson lower bound is exactly at the limit', () => {
      // Prepare: green 50 errors in 1,000; a baseline limit of exactly its lower bound (blue has no errors)
      const lowerPercent = 100 * wilsonLowerBound(50, 1_000, 0.9);
      const input = inputWith({
        thresholds: {
          errorRateMaxPercent: 100,
          baseline: { errorRateMaxRatio: 1, errorRateMinDeltaPercent: lowerPercent },
        },
      });

      // Act
      const { assessments } = evaluate(
        ok(traffic('orders', 1_000, 50)),
        ok(traffic('orders', 1_000, 0)),
        input,
        WINDOW
      );

      // Assess
      expect(overall(assessments, Check.BaselineErrorRate)).toMatchObject({
        verdict: Verdict.Inconclusive,
        limit: lowerPercent,
        value: 5,
      });
    });

    it('reports the observed rate of a window below minRequests', () => {
      // Act: 2 of 40
      const { assessments } = evaluate(ok(traffic('orders', 40, 2)), null, inputWith(), WINDOW);

      // Assess
      expect(overall(assessments, Check.ErrorRate)).toMatchObject({
        verdict: Verdict.Inconclusive,
        value: 5,
        sampleSize: 40,
      });
    });

    it('prints ratios with at most two decimals', () => {
      // Prepare
      const input = inputWith({ thresholds: { baseline: { latencyAvgMaxRatio: 1.234 } } });

      // Act
      const { assessments } = evaluate(
        ok(traffic('orders', 1_000, 0)),
        ok(traffic('orders', 1_000, 0)),
        input,
        WINDOW
      );

      // Assess
      expect(overall(assessments, Check.BaselineLatencyAvg)?.reason).toContain('x 1.23,');
    });

    it('says green has no latency average when it has samples but no average', () => {
      // Act
      const { assessments } = evaluate(
        ok(traffic('orders', 1_000, 0, { latencyAvgMs: null })),
        ok(traffic('orders', 1_000, 0)),
        inputWith(),
        WINDOW
      );

      // Assess
      expect(overall(assessments, Check.BaselineLatencyAvg)).toMatchObject({
        verdict: Verdict.Inconclusive,
        reason: 'no latency average in the window',
      });
    });

    it('says blue has no latency average, not too few samples, when it has exactly minRequests samples', () => {
      // Act
      const { assessments } = evaluate(
        ok(traffic('orders', 1_000, 0)),
        ok(sample('orders', { http2xx: 1_000, latencySampleCount: MIN_REQUESTS })),
        inputWith({ thresholds: { minRequests: MIN_REQUESTS } }),
        WINDOW
      );

      // Assess
      expect(overall(assessments, Check.BaselineLatencyAvg)?.reason).toBe(
        'no blue latency average in the window: no baseline'
      );
    });
  });
});

describe('Function: evaluate, which periods count toward the bake', () => {
  it.each([
    { name: 'a period starting at the window end belongs to the next window', at: WINDOW.end },
    { name: 'a period after the window end too', at: '2025-01-01T00:08:00.000Z' },
    { name: 'a period before the window start too', at: '2025-01-01T00:01:00.000Z' },
  ])('$name', ({ at }) => {
    // Act: green has data in the window's first minute and at `at`.
    const evaluation = evaluate(
      ok({ ...traffic('orders', 1_000, 0), periodStarts: [WINDOW.start, at] }),
      null,
      inputWith({}),
      WINDOW
    );

    // Assess: one minute of data, judged until the end of that minute.
    expect(evaluation).toMatchObject({
      judgedDataSeconds: 60,
      judgedUntil: '2025-01-01T00:03:00.000Z',
    });
  });
});
