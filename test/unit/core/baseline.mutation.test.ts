/**
 * The green-against-blue checks (baseline.ts) on their own, at each Pass/Fail/Inconclusive boundary (found by
 * `npm run mutation`): when blue is a baseline at all (exactly minRequests is, one fewer is not), which blue
 * latency stands in when the current window has none, and what each reason says about the limit it used.
 */
import { describe, expect, it } from 'vitest';
import {
  assessBaseline,
  blueLatencyOf,
  unavailableBaseline,
} from '../../../functions/core/baseline.ts';
import { Check, OVERALL_SCOPE, type Thresholds } from '../../../functions/core/checks.ts';
import type { Measure } from '../../../functions/core/measure.ts';
import { type BlueLatency, type TimeWindow, Verdict } from '../../../functions/core/types.ts';
import { DEFAULT_THRESHOLDS } from './fixtures.ts';

const WINDOW: TimeWindow = { start: '2026-01-01T10:00:00.000Z', end: '2026-01-01T10:05:00.000Z' };
const THRESHOLDS: Thresholds = DEFAULT_THRESHOLDS;

const measure = (overrides: Partial<Measure> = {}): Measure => ({
  requests: 1_000,
  statusRequests: 1_000,
  errors: 0,
  latencySamples: 60,
  latencyAvgMs: 100,
  latencyMaxMs: 400,
  latencyP99Ms: null,
  ...overrides,
});

describe('Function: blueLatencyOf', () => {
  it.each([
    { name: 'exactly minRequests', blue: measure({ requests: 50 }), window: WINDOW, avgMs: 100 },
    { name: 'one request fewer', blue: measure({ requests: 49 }), window: WINDOW, avgMs: null },
    { name: 'no traffic data', blue: measure({ requests: null }), window: WINDOW, avgMs: null },
    { name: 'no average', blue: measure({ latencyAvgMs: null }), window: WINDOW, avgMs: null },
    { name: 'no window', blue: measure(), window: null, avgMs: null },
  ])('$name: $avgMs', ({ blue, window, avgMs }) => {
    // Act
    const latency = blueLatencyOf(blue, 50, window);

    // Assess
    expect(latency).toEqual(
      avgMs === null ? null : { avgMs, samples: blue.requests, windowEnd: WINDOW.end }
    );
  });
});

describe('Function: assessBaseline, error rate', () => {
  const errorRate = (green: Measure, blue: Measure) =>
    assessBaseline(green, blue, THRESHOLDS, WINDOW, null)[0];

  it.each([
    {
      name: 'blue without status codes',
      blue: measure({ statusRequests: null }),
      reason: 'no blue HTTPCode_Target_* datapoints: no baseline',
      counts: {},
    },
    {
      name: 'blue one status request short of minRequests',
      blue: measure({ statusRequests: 49, errors: 3 }),
      reason: 'blue requests (49) < minRequests (50): no baseline',
      // Too few for a limit, but measured: blue's figures show them.
      counts: { blue: { requests: 49, errors5xx: 3 } },
    },
  ])(
    '$name: Inconclusive and not counted (too little blue must not hold the run)',
    ({ blue, reason, counts }) => {
      expect(errorRate(measure(), blue)).toEqual({
        check: Check.BaselineErrorRate,
        scope: OVERALL_SCOPE,
        verdict: Verdict.Inconclusive,
        value: null,
        limit: null,
        sampleSize: 0,
        counted: false,
        reason,
        ...counts,
      });
    }
  );

  it('blue over exactly minRequests status requests is a baseline, and the reason shows the formula', () => {
    // Act: blue 2 % -> limit max(4 %, 2.5 %) = 4 %; green 4 % is at it.
    const assessment = errorRate(
      measure({ errors: 40 }),
      measure({ requests: 50, statusRequests: 50, errors: 1 })
    );

    // Assess
    expect(assessment).toEqual({
      check: Check.BaselineErrorRate,
      scope: OVERALL_SCOPE,
      verdict: Verdict.Pass,
      value: 4,
      limit: 4,
      sampleSize: 1_000,
      counted: true,
      reason:
        'error rate 4.00% <= baseline 4.00% (max(blue 2.00% x 2, blue + 0.5)) over 1,000 requests',
      // The limit's inputs: blue's status requests and 5xx (not RequestCount).
      blue: { requests: 50, errors5xx: 1 },
    });
  });

  it("a green shortfall against a blue baseline counts (the overall verdict's evidence)", () => {
    expect(errorRate(measure({ requests: 10, statusRequests: 10 }), measure())?.counted).toBe(true);
  });
});

describe('Function: assessBaseline, latency average', () => {
  const REMEMBERED: BlueLatency = {
    avgMs: 200,
    samples: 1_500,
    windowEnd: '2026-01-01T09:55:00.000Z',
  };
  const latencyAvg = (blue: Measure, remembered: BlueLatency | null, green = measure()) =>
    assessBaseline(green, blue, THRESHOLDS, WINDOW, remembered)[1];

  it('from the current blue window: limit max(blue x ratio, blue + delta)', () => {
    // Act: blue 100 ms -> max(150, 150) = 150 ms; green 150 ms is at it.
    const assessment = latencyAvg(measure(), REMEMBERED, measure({ latencyAvgMs: 150 }));

    // Assess
    expect(assessment).toEqual({
      check: Check.BaselineLatencyAvg,
      scope: OVERALL_SCOPE,
      verdict: Verdict.Pass,
      value: 150,
      limit: 150,
      sampleSize: 1_000,
      counted: true,
      reason:
        'latency avg 150 ms <= baseline 150 ms (max(blue 100 ms x 1.5, blue + 50 ms)) over 1,000 requests (60 samples)',
    });
  });

  it('blue one request short: the remembered blue stands in, and the reason says why and from when', () => {
    // Act: remembered 200 ms -> max(300, 250) = 300 ms; green 301 ms is over it.
    const assessment = latencyAvg(
      measure({ requests: 49 }),
      REMEMBERED,
      measure({ latencyAvgMs: 301 })
    );

    // Assess
    expect(assessment).toMatchObject({
      verdict: Verdict.Fail,
      limit: 300,
      counted: true,
      reason:
        'latency avg 301 ms > remembered baseline 300 ms (max(blue 200 ms x 1.5, blue + 50 ms); blue requests (49) < minRequests (50), so blue from the window ending 2026-01-01T09:55:00.000Z over 1,500 requests) over 1,000 requests (60 samples)',
    });
  });

  it('blue with traffic but no average: the remembered blue stands in for that reason', () => {
    expect(latencyAvg(measure({ latencyAvgMs: null }), REMEMBERED)?.reason).toContain(
      '; no blue latency average in the window, so blue from the window ending'
    );
  });

  it.each([
    {
      name: 'blue short of minRequests',
      blue: measure({ requests: 49 }),
      reason: 'blue requests (49) < minRequests (50): no baseline',
    },
    {
      // Unknown is not 0: without status codes or latency blue's RequestCount is not read (the adapter).
      name: 'blue without traffic or latency data',
      blue: measure({ requests: null, statusRequests: null, latencyAvgMs: null }),
      reason: 'no blue status-code or latency datapoints: no baseline',
    },
    {
      name: 'blue with an average but no request datapoints',
      blue: measure({ requests: null, statusRequests: null }),
      reason: 'no blue status-code or RequestCount datapoints: no baseline',
    },
    {
      name: 'blue without an average',
      blue: measure({ latencyAvgMs: null }),
      reason: 'no blue latency average in the window: no baseline',
    },
    {
      name: 'blue over exactly minRequests without an average (enough requests, so not a shortfall)',
      blue: measure({ requests: 50, latencyAvgMs: null }),
      reason: 'no blue latency average in the window: no baseline',
    },
  ])('$name and nothing remembered: Inconclusive, not counted', ({ blue, reason }) => {
    expect(latencyAvg(blue, null)).toEqual({
      check: Check.BaselineLatencyAvg,
      scope: OVERALL_SCOPE,
      verdict: Verdict.Inconclusive,
      value: null,
      limit: null,
      sampleSize: 0,
      counted: false,
      reason,
    });
  });

  it('green without an average against a baseline: Inconclusive and counted', () => {
    expect(latencyAvg(measure(), null, measure({ latencyAvgMs: null }))).toMatchObject({
      verdict: Verdict.Inconclusive,
      counted: true,
      reason: 'no latency average in the window',
    });
  });

  it('green short of minRequests is judged on its own requests, and counts', () => {
    expect(latencyAvg(measure(), null, measure({ requests: 49, latencySamples: 7 }))).toMatchObject(
      {
        verdict: Verdict.Inconclusive,
        sampleSize: 49,
        counted: true,
        reason: 'requests (49) < minRequests (50)',
      }
    );
    expect(latencyAvg(measure(), null, measure({ requests: null }))?.sampleSize).toBe(0);
  });
});

describe('Function: unavailableBaseline', () => {
  it('both baseline checks are Error and count (a failed blue read is not a pass)', () => {
    expect(unavailableBaseline('Throttling')).toEqual(
      [Check.BaselineErrorRate, Check.BaselineLatencyAvg].map((check) => ({
        check,
        scope: OVERALL_SCOPE,
        verdict: Verdict.Error,
        value: null,
        limit: null,
        sampleSize: 0,
        counted: true,
        reason: 'blue metrics unavailable: Throttling',
      }))
    );
  });
});
