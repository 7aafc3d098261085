/**
 * The absolute checks (checks.ts) on their own, at each Pass/Fail/Inconclusive boundary (found by
 * `npm run mutation`): exactly minRequests is judged and one fewer is not, a value exactly at its limit passes,
 * an error rate above the limit fails only when the Wilson lower bound is strictly above it, and each reason
 * says what was seen against which limit (the operator reads it in the history and the report).
 */
import { describe, expect, it } from 'vitest';
import {
  assessScope,
  Check,
  type ErrorRateJudgement,
  judgeErrorRate,
  judgeLatency,
  type LatencyJudgement,
  OVERALL_SCOPE,
  type Thresholds,
} from '../../../functions/core/checks.ts';
import type { Measure } from '../../../functions/core/measure.ts';
import { wilsonLowerBound } from '../../../functions/core/stats.ts';
import { Verdict } from '../../../functions/core/types.ts';
import { DEFAULT_THRESHOLDS } from './fixtures.ts';

const measure = (overrides: Partial<Measure> = {}): Measure => ({
  requests: 1_000,
  statusRequests: 1_000,
  errors: 0,
  latencySamples: 60,
  latencyAvgMs: 20,
  latencyMaxMs: 400,
  latencyP99Ms: null,
  ...overrides,
});

const errorRate = (
  overrides: Partial<Measure>,
  judgement: Partial<ErrorRateJudgement> = {}
): ReturnType<typeof judgeErrorRate> =>
  judgeErrorRate({
    check: Check.ErrorRate,
    scope: 'orders',
    measure: measure(overrides),
    limitPercent: 1,
    limitText: '1%',
    thresholds: { minRequests: 50, confidence: 0.9 },
    countShortfall: false,
    ...judgement,
  });

describe('Function: judgeErrorRate', () => {
  it.each([
    {
      name: 'no request data at all: Inconclusive over 0, counted as the scope says',
      given: { requests: null, statusRequests: null },
      want: {
        verdict: Verdict.Inconclusive,
        value: null,
        sampleSize: 0,
        counted: false,
        reason: 'no request data (no traffic): requests (0) < minRequests (50)',
      },
    },
    {
      name: 'one request fewer than minRequests: Inconclusive, the small sample rate kept',
      given: { requests: 49, statusRequests: 49, errors: 49 },
      want: {
        verdict: Verdict.Inconclusive,
        value: 100,
        sampleSize: 49,
        counted: false,
        reason: 'requests (49) < minRequests (50)',
      },
    },
    {
      name: 'a shortfall without any status request has no rate (not NaN)',
      given: { requests: 10, statusRequests: 0, errors: 0 },
      want: {
        verdict: Verdict.Inconclusive,
        value: null,
        sampleSize: 0,
        counted: false,
        reason: 'requests (0) < minRequests (50)',
      },
    },
    {
      name: 'a shortfall judged on RequestCount when there are no status codes',
      given: { requests: 49, statusRequests: null },
      want: {
        verdict: Verdict.Inconclusive,
        value: null,
        sampleSize: 49,
        counted: false,
        reason: 'requests (49) < minRequests (50)',
      },
    },
    {
      name: 'traffic without status codes: Inconclusive and always counted (unjudged is not error-free)',
      given: { requests: 1_812, statusRequests: null },
      want: {
        verdict: Verdict.Inconclusive,
        value: null,
        sampleSize: 1_812,
        counted: true,
        reason: 'no HTTPCode_Target_* datapoints (RequestCount 1,812): error rate not measurable',
      },
    },
    {
      name: 'exactly minRequests, exactly at the limit: Pass',
      given: { requests: 100, statusRequests: 100, errors: 1 },
      want: {
        verdict: Verdict.Pass,
        value: 1,
        sampleSize: 100,
        counted: true,
        reason: 'error rate 1.00% <= 1% over 100 requests',
      },
    },
    {
      name: 'exactly minRequests requests are judged',
      given: { requests: 50, statusRequests: 50, errors: 0 },
      want: {
        verdict: Verdict.Pass,
        value: 0,
        sampleSize: 50,
        counted: true,
        reason: 'error rate 0.00% <= 1% over 50 requests',
      },
    },
    {
      name: 'clearly above the limit: Fail with the lower bound',
      given: { requests: 2_000, statusRequests: 2_000, errors: 100 },
      want: {
        verdict: Verdict.Fail,
        value: 5,
        sampleSize: 2_000,
        counted: true,
        reason: `error rate 5.00% > 1% over 2,000 requests (lower bound ${(100 * wilsonLowerBound(100, 2_000, 0.9)).toFixed(2)}% at 90%)`,
      },
    },
    {
      name: 'above the limit by a handful of errors: Inconclusive, not significant',
      given: { requests: 100, statusRequests: 100, errors: 2 },
      want: {
        verdict: Verdict.Inconclusive,
        value: 2,
        sampleSize: 100,
        counted: true,
        reason: `error rate 2.00% > 1% over 100 requests, not significant (lower bound ${(100 * wilsonLowerBound(2, 100, 0.9)).toFixed(2)}% at 90% <= 1%)`,
      },
    },
  ])('$name', ({ given, want }) => {
    // Act
    const assessment = errorRate(given);

    // Assess
    expect(assessment).toEqual({ check: Check.ErrorRate, scope: 'orders', limit: 1, ...want });
  });

  it('the error rate is judged over the requests with a status code, not over RequestCount', () => {
    // 10 errors of 500 status requests is 2 %; over all 5,000 requests it would be 0.2 %.
    expect(errorRate({ requests: 5_000, statusRequests: 500, errors: 10 }).value).toBe(2);
  });

  it('a lower bound exactly at the limit is not a Fail (Fail only strictly above)', () => {
    // Prepare: the limit set to the lower bound itself, which is below the observed 5 %.
    const limitPercent = 100 * wilsonLowerBound(100, 2_000, 0.9);

    // Act
    const assessment = errorRate(
      { requests: 2_000, statusRequests: 2_000, errors: 100 },
      { limitPercent }
    );

    // Assess
    expect(assessment.verdict).toBe(Verdict.Inconclusive);
  });

  it('the confidence reaches the lower bound and prints as a percentage', () => {
    // Act
    const assessment = errorRate(
      { requests: 2_000, statusRequests: 2_000, errors: 100 },
      { thresholds: { minRequests: 50, confidence: 0.995 } }
    );

    // Assess
    expect(assessment.reason).toContain(
      `(lower bound ${(100 * wilsonLowerBound(100, 2_000, 0.995)).toFixed(2)}% at 99.5%)`
    );
  });

  it('the overall scope counts its shortfalls', () => {
    expect(errorRate({ requests: null }, { countShortfall: true }).counted).toBe(true);
    expect(errorRate({ requests: 49, statusRequests: 49 }, { countShortfall: true }).counted).toBe(
      true
    );
  });
});

const latency = (overrides: Partial<LatencyJudgement>) =>
  judgeLatency({
    check: Check.LatencyAvg,
    scope: 'orders',
    label: 'latency avg',
    requests: 1_000,
    samples: 60,
    valueMs: 100,
    limitMs: 100,
    limitText: '100 ms',
    minRequests: 50,
    countShortfall: false,
    missing: 'no latency average in the window',
    ...overrides,
  });

describe('Function: judgeLatency', () => {
  it.each([
    {
      name: 'exactly at the limit: Pass',
      given: { valueMs: 100 },
      want: {
        verdict: Verdict.Pass,
        value: 100,
        counted: true,
        reason: 'latency avg 100 ms <= 100 ms over 1,000 requests (60 samples)',
      },
    },
    {
      name: 'a tenth of a millisecond over the limit: Fail',
      given: { valueMs: 100.1 },
      want: {
        verdict: Verdict.Fail,
        value: 100.1,
        counted: true,
        reason: 'latency avg 100.1 ms > 100 ms over 1,000 requests (60 samples)',
      },
    },
    {
      name: 'exactly minRequests requests are judged',
      given: { requests: 50, valueMs: 250 },
      want: {
        verdict: Verdict.Fail,
        value: 250,
        counted: true,
        reason: 'latency avg 250 ms > 100 ms over 50 requests (60 samples)',
      },
    },
    {
      name: 'one request fewer than minRequests: Inconclusive, the value kept',
      given: { requests: 49, valueMs: 250 },
      want: {
        verdict: Verdict.Inconclusive,
        value: 250,
        counted: false,
        reason: 'requests (49) < minRequests (50)',
      },
    },
    {
      name: 'traffic without a value: Inconclusive, counted, with the reason given',
      given: { valueMs: null },
      want: {
        verdict: Verdict.Inconclusive,
        value: null,
        counted: true,
        reason: 'no latency average in the window',
      },
    },
  ])('$name', ({ given, want }) => {
    // Act
    const assessment = latency(given);

    // Assess
    expect(assessment).toEqual({
      check: Check.LatencyAvg,
      scope: 'orders',
      limit: 100,
      sampleSize: given.requests ?? 1_000,
      ...want,
    });
  });

  it('the overall scope counts its shortfalls', () => {
    expect(latency({ requests: 49, countShortfall: true }).counted).toBe(true);
  });
});

describe('Function: assessScope', () => {
  // The parsed defaults; p99 is refused with AWS/ECS by the input, not by the checks.
  const thresholds = (overrides: Partial<Thresholds> = {}): Thresholds => ({
    ...DEFAULT_THRESHOLDS,
    ...overrides,
  });

  it('checks the error rate always, and each latency only where a limit is configured', () => {
    // Act
    const checks = (t: Thresholds) => assessScope('orders', measure(), t).map((a) => a.check);

    // Assess
    expect(checks(thresholds())).toEqual([Check.ErrorRate]);
    expect(checks(thresholds({ latencyMaxMs: 500 }))).toEqual([Check.ErrorRate, Check.LatencyMax]);
    expect(
      checks(thresholds({ latencyAvgMaxMs: 50, latencyMaxMs: 500, latencyP99MaxMs: 300 }))
    ).toEqual([Check.ErrorRate, Check.LatencyAvg, Check.LatencyMax, Check.LatencyP99]);
  });

  it('judges each latency by its own value, label and missing-value reason', () => {
    // Act
    const assessments = assessScope(
      'orders',
      measure({ latencyAvgMs: 20, latencyMaxMs: 600, latencyP99Ms: null }),
      thresholds({
        errorRateMaxPercent: 0.5,
        latencyAvgMaxMs: 50,
        latencyMaxMs: 500,
        latencyP99MaxMs: 300,
      })
    );

    // Assess
    expect(assessments.map((a) => [a.check, a.verdict, a.limit, a.reason])).toEqual([
      [Check.ErrorRate, Verdict.Pass, 0.5, 'error rate 0.00% <= 0.5% over 1,000 requests'],
      [
        Check.LatencyAvg,
        Verdict.Pass,
        50,
        'latency avg 20 ms <= 50 ms over 1,000 requests (60 samples)',
      ],
      [
        Check.LatencyMax,
        Verdict.Fail,
        500,
        'latency max 600 ms > 500 ms over 1,000 requests (60 samples)',
      ],
      [Check.LatencyP99, Verdict.Inconclusive, 300, 'source publishes no p99'],
    ]);
  });

  it.each([
    { field: 'latencyAvgMs', missing: 'no latency average in the window' },
    { field: 'latencyMaxMs', missing: 'no latency maximum in the window' },
  ] as const)('reports a missing $field as such', ({ field, missing }) => {
    // Act
    const assessments = assessScope(
      'orders',
      measure({ [field]: null }),
      thresholds({ latencyAvgMaxMs: 50, latencyMaxMs: 500 })
    );

    // Assess
    expect(assessments.map((a) => a.reason)).toContain(missing);
  });

  it.each([
    { scope: OVERALL_SCOPE, counted: true },
    { scope: 'orders', counted: false },
  ])('a shortfall in scope $scope counted: $counted', ({ scope, counted }) => {
    // Act
    const assessments = assessScope(
      scope,
      measure({ requests: null, statusRequests: null }),
      thresholds({ latencyAvgMaxMs: 50 })
    );

    // Assess: no traffic data is 0 requests for the latency guard too.
    expect(assessments.map((a) => [a.verdict, a.sampleSize, a.counted])).toEqual([
      [Verdict.Inconclusive, 0, counted],
      [Verdict.Inconclusive, 0, counted],
    ]);
  });
});
