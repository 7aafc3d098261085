import { describe, expect, it } from 'vitest';
import type { Assessment, MetricReading, ServiceSample } from '../../../functions/core/types.ts';
import { Verdict } from '../../../functions/core/types.ts';
import { combineMeasures, evaluate, measureOf } from '../../../functions/core/verdict.ts';
import { inputWith, sample, traffic, WINDOW } from './fixtures.ts';

const ok = (...services: ServiceSample[]): MetricReading => ({ kind: 'ok', services });
const twoNames = { metrics: { greenDiscoveryNames: ['orders', 'payments'] } };

function find(
  assessments: readonly Assessment[],
  scope: string,
  check: string
): Assessment | undefined {
  return assessments.find((a) => a.scope === scope && a.check === check);
}

describe('Function: evaluate', () => {
  describe('error rate', () => {
    it.each([
      {
        name: 'passes at or below the limit',
        green: ok(traffic('orders', 1_000, 2)),
        verdict: Verdict.Pass,
        reason: 'overall: error rate 0.20% <= 1% over 1,000 requests',
      },
      {
        name: 'fails when the rate and its Wilson lower bound are above the limit',
        green: ok(traffic('orders', 1_812, 44)),
        verdict: Verdict.Fail,
        reason:
          'overall: error rate 2.43% > 1% over 1,812 requests (lower bound 2.01% at 90%); ' +
          'orders: error rate 2.43% > 1% over 1,812 requests (lower bound 2.01% at 90%)',
      },
      {
        name: 'is inconclusive when the rate is above the limit but not significant',
        green: ok(traffic('orders', 100, 2)),
        verdict: Verdict.Inconclusive,
        reason:
          'overall: error rate 2.00% > 1% over 100 requests, not significant (lower bound 0.83% at 90% <= 1%); ' +
          'orders: error rate 2.00% > 1% over 100 requests, not significant (lower bound 0.83% at 90% <= 1%)',
      },
      {
        name: 'is inconclusive below minRequests',
        green: ok(traffic('orders', 12, 0)),
        verdict: Verdict.Inconclusive,
        reason: 'overall: requests (12) < minRequests (50)',
      },
      {
        name: 'is inconclusive on explicit zero traffic',
        green: ok(sample('orders', { requestCount: 0 })),
        verdict: Verdict.Inconclusive,
        reason: 'overall: requests (0) < minRequests (50)',
      },
      {
        name: 'treats no request data as no traffic (never a pass)',
        green: ok(),
        verdict: Verdict.Inconclusive,
        reason: 'overall: no request data (no traffic): requests (0) < minRequests (50)',
      },
      {
        name: 'treats a missing 5xx series with traffic as zero errors',
        green: ok(sample('orders', { http2xx: 900, http4xx: 100 })),
        verdict: Verdict.Pass,
        reason: 'overall: error rate 0.00% <= 1% over 1,000 requests',
      },
      {
        name: 'cannot measure the error rate with RequestCount alone (issue 10, item 8)',
        green: ok(sample('orders', { requestCount: 2_500 })),
        verdict: Verdict.Inconclusive,
        reason:
          'overall: no HTTPCode_Target_* datapoints (RequestCount 2,500): error rate not measurable; orders: no HTTPCode_Target_* datapoints (RequestCount 2,500): error rate not measurable',
      },
      {
        name: 'ignores discovery names that were not asked for',
        green: ok(traffic('orders', 1_000, 0), traffic('someone-else', 1_000, 1_000)),
        verdict: Verdict.Pass,
        reason: 'overall: error rate 0.00% <= 1% over 1,000 requests',
      },
    ])('$name', ({ green, verdict, reason }) => {
      // Act
      const evaluation = evaluate(green, null, inputWith(), WINDOW);

      // Assess
      expect(evaluation.verdict).toBe(verdict);
      expect(evaluation.reason).toBe(reason);
      expect(evaluation.window).toBe(WINDOW);
    });

    it('names the observed value, the limit and the sample size', () => {
      // Act
      const { assessments } = evaluate(ok(traffic('orders', 1_812, 44)), null, inputWith(), WINDOW);

      // Assess
      expect(find(assessments, 'overall', 'errorRate')).toEqual({
        check: 'errorRate',
        scope: 'overall',
        verdict: Verdict.Fail,
        value: (100 * 44) / 1_812,
        limit: 1,
        sampleSize: 1_812,
        counted: true,
        reason: 'error rate 2.43% > 1% over 1,812 requests (lower bound 2.01% at 90%)',
      });
    });

    it('reports the confidence it judged at', () => {
      // Act
      const { reason } = evaluate(
        ok(traffic('orders', 1_000, 30)),
        null,
        inputWith({ thresholds: { confidence: 0.999 } }),
        WINDOW
      );

      // Assess
      expect(reason).toContain(
        'error rate 3.00% > 1% over 1,000 requests (lower bound 1.73% at 99.9%)'
      );
    });

    it('keeps the observed rate of a small sample for the record', () => {
      // Act
      const { assessments } = evaluate(ok(traffic('orders', 10, 1)), null, inputWith(), WINDOW);

      // Assess
      expect(find(assessments, 'overall', 'errorRate')).toMatchObject({
        value: 10,
        sampleSize: 10,
        verdict: Verdict.Inconclusive,
      });
    });

    it('is an Error without assessments when green metrics are unavailable', () => {
      // Act
      const evaluation = evaluate(
        { kind: 'unavailable', reason: 'GetMetricData throttled' },
        null,
        inputWith(),
        WINDOW
      );

      // Assess
      expect(evaluation).toEqual({
        verdict: Verdict.Error,
        reason: 'green metrics unavailable: GetMetricData throttled',
        assessments: [],
        window: WINDOW,
      });
    });
  });

  describe('per discovery name', () => {
    it('does not count a quiet name, but still counts the overall sum', () => {
      // Act
      const evaluation = evaluate(
        ok(traffic('orders', 1_000, 2), traffic('payments', 10, 5)),
        null,
        inputWith(twoNames),
        WINDOW
      );

      // Assess
      expect(find(evaluation.assessments, 'payments', 'errorRate')).toMatchObject({
        verdict: Verdict.Inconclusive,
        counted: false,
        reason: 'requests (10) < minRequests (50)',
      });
      expect(find(evaluation.assessments, 'overall', 'errorRate')).toMatchObject({
        sampleSize: 1_010,
        counted: true,
      });
      expect(evaluation.verdict).toBe(Verdict.Pass);
    });

    it('fails when one name fails although the overall sum passes', () => {
      // Act
      const evaluation = evaluate(
        ok(traffic('orders', 10_000, 0), traffic('payments', 1_000, 100)),
        null,
        inputWith(twoNames),
        WINDOW
      );

      // Assess
      expect(find(evaluation.assessments, 'overall', 'errorRate')?.verdict).toBe(Verdict.Pass);
      expect(evaluation.verdict).toBe(Verdict.Fail);
      expect(evaluation.reason).toBe(
        'payments: error rate 10.00% > 1% over 1,000 requests (lower bound 8.85% at 90%)'
      );
    });

    it('sums several samples of one name', () => {
      // Act
      const { assessments } = evaluate(
        ok(traffic('orders', 600, 0), traffic('orders', 400, 0)),
        null,
        inputWith(),
        WINDOW
      );

      // Assess
      expect(find(assessments, 'orders', 'errorRate')?.sampleSize).toBe(1_000);
    });

    it('judges a name without any sample as no traffic, uncounted', () => {
      // Act
      const evaluation = evaluate(
        ok(traffic('orders', 1_000, 0)),
        null,
        inputWith(twoNames),
        WINDOW
      );

      // Assess
      expect(find(evaluation.assessments, 'payments', 'errorRate')).toMatchObject({
        verdict: Verdict.Inconclusive,
        counted: false,
        value: null,
      });
      expect(evaluation.verdict).toBe(Verdict.Pass);
    });
  });

  describe('latency', () => {
    // p99 is refused on AWS/ECS (no percentiles): these checks run with a namespace that has them.
    const limits = {
      metrics: { namespace: 'AWS/ApplicationELB' },
      thresholds: { latencyAvgMaxMs: 250, latencyMaxMs: 1_000, latencyP99MaxMs: 500 },
    };

    it.each([
      {
        name: 'fails on an average above latencyAvgMaxMs',
        green: traffic('orders', 1_812, 0, { latencyAvgMs: 312.44, latencyP99Ms: 400 }),
        check: 'latencyAvg',
        verdict: Verdict.Fail,
        reason: 'latency avg 312.4 ms > 250 ms over 1,812 requests (1,812 samples)',
      },
      {
        name: 'passes an average at the limit',
        green: traffic('orders', 1_812, 0, { latencyAvgMs: 250, latencyP99Ms: 400 }),
        check: 'latencyAvg',
        verdict: Verdict.Pass,
        reason: 'latency avg 250 ms <= 250 ms over 1,812 requests (1,812 samples)',
      },
      {
        name: 'fails on a maximum above latencyMaxMs',
        green: traffic('orders', 1_812, 0, { latencyMaxMs: 1_500, latencyP99Ms: 400 }),
        check: 'latencyMax',
        verdict: Verdict.Fail,
        reason: 'latency max 1,500 ms > 1,000 ms over 1,812 requests (1,812 samples)',
      },
      {
        name: 'is inconclusive without a maximum',
        green: traffic('orders', 1_812, 0, { latencyMaxMs: null, latencyP99Ms: 400 }),
        check: 'latencyMax',
        verdict: Verdict.Inconclusive,
        reason: 'no latency maximum in the window',
      },
      {
        name: 'is inconclusive without an average',
        green: traffic('orders', 1_812, 0, { latencyAvgMs: null, latencyP99Ms: 400 }),
        check: 'latencyAvg',
        verdict: Verdict.Inconclusive,
        reason: 'no latency average in the window',
      },
      {
        name: 'fails on a p99 above latencyP99MaxMs',
        green: traffic('orders', 1_812, 0, { latencyP99Ms: 640 }),
        check: 'latencyP99',
        verdict: Verdict.Fail,
        reason: 'latency p99 640 ms > 500 ms over 1,812 requests (1,812 samples)',
      },
      {
        name: 'is inconclusive when the source publishes no p99',
        green: traffic('orders', 1_812, 0),
        check: 'latencyP99',
        verdict: Verdict.Inconclusive,
        reason: 'source publishes no p99',
      },
      {
        name: 'is inconclusive with too few requests',
        green: { ...traffic('orders', 12, 0, { latencyP99Ms: 400 }), latencySampleCount: 12 },
        check: 'latencyAvg',
        verdict: Verdict.Inconclusive,
        reason: 'requests (12) < minRequests (50)',
      },
    ])('$name', ({ green, check, verdict, reason }) => {
      // Act
      const evaluation = evaluate(ok(green), null, inputWith(limits), WINDOW);

      // Assess
      expect(find(evaluation.assessments, 'overall', check)).toMatchObject({
        verdict,
        reason,
        counted: true,
      });
      expect(evaluation.verdict).toBe(verdict);
    });

    it('runs only the latency checks that have a limit', () => {
      // Act
      const { assessments } = evaluate(
        ok(traffic('orders', 1_000, 0)),
        null,
        inputWith({ thresholds: { latencyMaxMs: 900 } }),
        WINDOW
      );

      // Assess
      expect(assessments.map((a) => `${a.scope}/${a.check}`)).toEqual([
        'overall/errorRate',
        'overall/latencyMax',
        'orders/errorRate',
        'orders/latencyMax',
      ]);
    });

    it('weights the overall average by sample count and takes the largest maximum and p99', () => {
      // Act
      const { assessments } = evaluate(
        ok(
          traffic('orders', 1_000, 0, { latencyAvgMs: 10, latencyMaxMs: 300, latencyP99Ms: 90 }),
          traffic('payments', 3_000, 0, { latencyAvgMs: 50, latencyMaxMs: 200, latencyP99Ms: 120 })
        ),
        null,
        inputWith({ ...limits, metrics: { ...twoNames.metrics, ...limits.metrics } }),
        WINDOW
      );

      // Assess
      expect(find(assessments, 'overall', 'latencyAvg')).toMatchObject({
        value: 40,
        sampleSize: 4_000,
      });
      expect(find(assessments, 'overall', 'latencyMax')?.value).toBe(300);
      expect(find(assessments, 'overall', 'latencyP99')?.value).toBe(120);
    });

    it('does not count a per-name latency shortfall', () => {
      // Act
      const { assessments } = evaluate(
        ok(
          traffic('orders', 1_000, 0, { latencyP99Ms: 100 }),
          traffic('payments', 5, 0, { latencyP99Ms: 100 })
        ),
        null,
        inputWith({ ...limits, metrics: { ...twoNames.metrics, ...limits.metrics } }),
        WINDOW
      );

      // Assess
      expect(find(assessments, 'payments', 'latencyAvg')).toMatchObject({
        verdict: Verdict.Inconclusive,
        counted: false,
      });
    });
  });

  describe('baseline (blue)', () => {
    const blueAt = (requests: number, errors: number, latencyAvgMs: number | null = 100) =>
      ok(traffic('orders-blue', requests, errors, { latencyAvgMs }));
    const lenient = { thresholds: { errorRateMaxPercent: 5 } };

    it('fails green above max(blue x ratio, blue + minDelta)', () => {
      // Act
      const evaluation = evaluate(
        ok(traffic('orders', 1_812, 44)),
        blueAt(10_000, 30),
        inputWith(lenient),
        WINDOW
      );

      // Assess
      expect(find(evaluation.assessments, 'overall', 'baselineErrorRate')).toMatchObject({
        verdict: Verdict.Fail,
        limit: 0.8,
        counted: true,
        reason:
          'error rate 2.43% > baseline 0.80% (max(blue 0.30% x 2, blue + 0.5)) over 1,812 requests (lower bound 2.01% at 90%)',
      });
      expect(evaluation.verdict).toBe(Verdict.Fail);
    });

    it('uses the ratio when it is the larger limit', () => {
      // Act
      const { assessments } = evaluate(
        ok(traffic('orders', 1_000, 10)),
        blueAt(10_000, 300),
        inputWith(lenient),
        WINDOW
      );

      // Assess: max(3% x 2, 3% + 0.5) = 6%
      expect(find(assessments, 'overall', 'baselineErrorRate')).toMatchObject({
        verdict: Verdict.Pass,
        limit: 6,
      });
    });

    it('fails green latency above max(blue x ratio, blue + minDelta)', () => {
      // Act
      const evaluation = evaluate(
        ok(traffic('orders', 1_000, 0, { latencyAvgMs: 200 })),
        blueAt(10_000, 0, 100),
        inputWith(),
        WINDOW
      );

      // Assess
      expect(find(evaluation.assessments, 'overall', 'baselineLatencyAvg')).toMatchObject({
        verdict: Verdict.Fail,
        limit: 150,
        reason:
          'latency avg 200 ms > baseline 150 ms (max(blue 100 ms x 1.5, blue + 50 ms)) over 1,000 requests (1,000 samples)',
      });
      expect(evaluation.verdict).toBe(Verdict.Fail);
    });

    it.each([
      {
        name: 'too little blue traffic',
        blue: blueAt(12, 0),
        check: 'baselineErrorRate',
        reason: 'blue requests (12) < minRequests (50): no baseline',
        // Blue's counts stay on record (its figures on the dashboard), though too few for a limit.
        counts: { requests: 12, errors5xx: 0 },
      },
      {
        name: 'no blue data at all',
        blue: ok(),
        check: 'baselineErrorRate',
        reason: 'no blue HTTPCode_Target_* datapoints: no baseline',
      },
      {
        name: 'too few blue requests for a latency baseline',
        blue: blueAt(12, 0),
        check: 'baselineLatencyAvg',
        reason: 'blue requests (12) < minRequests (50): no baseline',
      },
      {
        name: 'no blue latency average',
        blue: blueAt(10_000, 0, null),
        check: 'baselineLatencyAvg',
        reason: 'no blue latency average in the window: no baseline',
      },
    ])('does not count the comparison with $name', ({ blue, check, reason, counts }) => {
      // Act
      const evaluation = evaluate(ok(traffic('orders', 1_000, 0)), blue, inputWith(), WINDOW);

      // Assess
      expect(find(evaluation.assessments, 'overall', check)).toEqual({
        check,
        scope: 'overall',
        verdict: Verdict.Inconclusive,
        value: null,
        limit: null,
        sampleSize: 0,
        counted: false,
        reason,
        ...(counts === undefined ? {} : { blue: counts }),
      });
      expect(evaluation.verdict).toBe(Verdict.Pass);
    });

    it('counts the green sample shortfall against a baseline', () => {
      // Act
      const { assessments, verdict } = evaluate(
        ok(traffic('orders', 10, 0)),
        blueAt(10_000, 0),
        inputWith(),
        WINDOW
      );

      // Assess
      expect(find(assessments, 'overall', 'baselineErrorRate')).toMatchObject({
        verdict: Verdict.Inconclusive,
        counted: true,
      });
      expect(find(assessments, 'overall', 'baselineLatencyAvg')).toMatchObject({
        verdict: Verdict.Inconclusive,
        counted: true,
      });
      expect(verdict).toBe(Verdict.Inconclusive);
    });

    it('is an Error when blue metrics are unavailable and green has no failure', () => {
      // Act
      const evaluation = evaluate(
        ok(traffic('orders', 10, 0)),
        { kind: 'unavailable', reason: 'AccessDenied' },
        inputWith(),
        WINDOW
      );

      // Assess
      expect(evaluation.verdict).toBe(Verdict.Error);
      expect(evaluation.reason).toBe(
        'overall: blue metrics unavailable: AccessDenied, blue metrics unavailable: AccessDenied'
      );
    });

    it('still fails when green fails while blue metrics are unavailable', () => {
      // Act
      const evaluation = evaluate(
        ok(traffic('orders', 1_812, 44)),
        { kind: 'unavailable', reason: 'AccessDenied' },
        inputWith(),
        WINDOW
      );

      // Assess
      expect(evaluation.verdict).toBe(Verdict.Fail);
    });

    describe('blue latency memory', () => {
      const remembered = { avgMs: 100, samples: 750, windowEnd: '2025-01-01T00:01:00.000Z' };

      it('reports blue latency with enough samples, for the run to remember', () => {
        // Act
        const evaluation = evaluate(
          ok(traffic('orders', 1_000, 0)),
          blueAt(800, 0, 90),
          inputWith(),
          WINDOW
        );

        // Assess
        expect(evaluation.blueLatency).toEqual({ avgMs: 90, samples: 800, windowEnd: WINDOW.end });
      });

      it.each([
        { name: 'too few blue samples', blue: blueAt(12, 0), window: WINDOW },
        { name: 'no blue latency average', blue: blueAt(10_000, 0, null), window: WINDOW },
        { name: 'no window', blue: blueAt(10_000, 0), window: null },
        { name: 'no blue reading configured', blue: null, window: WINDOW },
        {
          name: 'blue unavailable',
          blue: { kind: 'unavailable', reason: 'x' } as const,
          window: WINDOW,
        },
      ])('reports no blue latency with $name', ({ blue, window }) => {
        // Act
        const evaluation = evaluate(ok(traffic('orders', 1_000, 0)), blue, inputWith(), window);

        // Assess
        expect(evaluation.blueLatency).toBeNull();
      });

      it('judges green latency against the remembered blue baseline when blue has too little traffic', () => {
        // Act: 100 % green, blue carries nothing
        const evaluation = evaluate(
          ok(traffic('orders', 3_000, 0, { latencyAvgMs: 200 })),
          ok(),
          inputWith(),
          WINDOW,
          remembered
        );

        // Assess
        expect(find(evaluation.assessments, 'overall', 'baselineLatencyAvg')).toEqual({
          check: 'baselineLatencyAvg',
          scope: 'overall',
          verdict: Verdict.Fail,
          value: 200,
          limit: 150,
          sampleSize: 3_000,
          counted: true,
          reason:
            'latency avg 200 ms > remembered baseline 150 ms (max(blue 100 ms x 1.5, blue + 50 ms); ' +
            'no blue status-code or latency datapoints, so blue from the window ending ' +
            '2025-01-01T00:01:00.000Z over 750 requests) over 3,000 requests (3,000 samples)',
        });
        expect(evaluation.verdict).toBe(Verdict.Fail);
        expect(evaluation.blueLatency).toBeNull();
      });

      it('names the missing blue average when that is why the memory stands in', () => {
        // Act
        const evaluation = evaluate(
          ok(traffic('orders', 3_000, 0, { latencyAvgMs: 120 })),
          blueAt(10_000, 0, null),
          inputWith(),
          WINDOW,
          remembered
        );

        // Assess
        expect(find(evaluation.assessments, 'overall', 'baselineLatencyAvg')).toMatchObject({
          verdict: Verdict.Pass,
          reason: expect.stringContaining(
            '<= remembered baseline 150 ms (max(blue 100 ms x 1.5, blue + 50 ms); no blue latency average in the window, so blue from'
          ),
        });
      });

      it("prefers the window's own blue latency over the remembered one", () => {
        // Act
        const evaluation = evaluate(
          ok(traffic('orders', 1_000, 0, { latencyAvgMs: 200 })),
          blueAt(10_000, 0, 200),
          inputWith(),
          WINDOW,
          remembered
        );

        // Assess
        expect(find(evaluation.assessments, 'overall', 'baselineLatencyAvg')).toMatchObject({
          verdict: Verdict.Pass,
          limit: 300,
          reason:
            'latency avg 200 ms <= baseline 300 ms (max(blue 200 ms x 1.5, blue + 50 ms)) over 1,000 requests (1,000 samples)',
        });
      });

      it('still needs enough green samples against the remembered baseline', () => {
        // Act
        const evaluation = evaluate(
          ok(traffic('orders', 10, 0)),
          ok(),
          inputWith(),
          WINDOW,
          remembered
        );

        // Assess
        expect(find(evaluation.assessments, 'overall', 'baselineLatencyAvg')).toMatchObject({
          verdict: Verdict.Inconclusive,
          counted: true,
          reason: 'requests (10) < minRequests (50)',
        });
      });
    });

    it('passes with every counted check, naming the overall ones', () => {
      // Act
      const evaluation = evaluate(
        ok(traffic('orders', 1_000, 0, { latencyAvgMs: 110 })),
        blueAt(10_000, 0, 100),
        inputWith(),
        WINDOW
      );

      // Assess
      expect(evaluation.verdict).toBe(Verdict.Pass);
      expect(evaluation.reason).toBe(
        'overall: error rate 0.00% <= 1% over 1,000 requests, ' +
          'error rate 0.00% <= baseline 0.50% (max(blue 0.00% x 2, blue + 0.5)) over 1,000 requests, ' +
          'latency avg 110 ms <= baseline 150 ms (max(blue 100 ms x 1.5, blue + 50 ms)) over 1,000 requests (1,000 samples)'
      );
    });
  });
});

describe('Function: evaluate (judgedUntil: how far green data reached)', () => {
  // A 3-minute window: minutes 0:02, 0:03 and 0:04.
  const window = { start: '2025-01-01T00:02:00.000Z', end: '2025-01-01T00:05:00.000Z' };
  const upTo = (name: string, lastPeriodStart: string | null) => ({
    ...traffic(name, 1_000, 0),
    periodStarts: lastPeriodStart === null ? [] : [lastPeriodStart],
  });

  it.each([
    {
      name: 'data through the last period: the window end',
      green: ok(upTo('orders', '2025-01-01T00:04:00.000Z')),
      expected: window.end,
    },
    {
      name: 'the last period not published yet: the end of the newest period with data',
      green: ok(upTo('orders', '2025-01-01T00:03:00.000Z')),
      expected: '2025-01-01T00:04:00.000Z',
    },
    {
      name: 'several names: the newest among them',
      green: ok(
        upTo('orders', '2025-01-01T00:02:00.000Z'),
        upTo('payments', '2025-01-01T00:03:00.000Z')
      ),
      expected: '2025-01-01T00:04:00.000Z',
      extra: twoNames,
    },
    {
      name: 'a name that is not green does not count',
      green: ok(
        upTo('orders', '2025-01-01T00:02:00.000Z'),
        upTo('legacy', '2025-01-01T00:04:00.000Z')
      ),
      expected: '2025-01-01T00:03:00.000Z',
    },
    {
      name: 'no request datapoint at all: the window end (nothing newer was missed)',
      green: ok(upTo('orders', null)),
      expected: window.end,
    },
    {
      name: 'a datapoint before the window start is not in the window: the window end',
      green: ok(upTo('orders', '2025-01-01T00:00:00.000Z')),
      expected: window.end,
    },
    {
      name: 'a datapoint at or after the window end is not in the window: the window end',
      green: ok(upTo('orders', '2025-01-01T00:05:00.000Z')),
      expected: window.end,
    },
  ])('$name', ({ green, expected, extra }) => {
    // Act
    const evaluation = evaluate(green, null, inputWith(extra ?? {}), window);

    // Assess
    expect(evaluation.judgedUntil).toBe(expected);
  });

  it('follows the verdict: a Fail reports how far its data reached too', () => {
    // Act
    const evaluation = evaluate(
      ok({ ...traffic('orders', 1_812, 44), periodStarts: ['2025-01-01T00:02:00.000Z'] }),
      null,
      inputWith(),
      window
    );

    // Assess
    expect(evaluation).toMatchObject({
      verdict: Verdict.Fail,
      judgedUntil: '2025-01-01T00:03:00.000Z',
    });
  });

  it('uses the input metric period', () => {
    // Prepare: 5-minute periods over a 10-minute window
    const wide = { start: '2025-01-01T00:00:00.000Z', end: '2025-01-01T00:10:00.000Z' };
    const input = inputWith({ metrics: { periodSeconds: 300, windowSeconds: 600 } });

    // Act
    const evaluation = evaluate(ok(upTo('orders', wide.start)), null, input, wide);

    // Assess
    expect(evaluation.judgedUntil).toBe('2025-01-01T00:05:00.000Z');
  });

  it('is null without a window', () => {
    // Act + Assess
    expect(evaluate(ok(upTo('orders', null)), null, inputWith(), null).judgedUntil).toBeNull();
  });
});

describe('Function: measureOf', () => {
  it.each([
    { name: 'no count', values: { latencySampleCount: null, latencyAvgMs: 30 }, expected: null },
    { name: 'a zero count', values: { latencySampleCount: 0, latencyAvgMs: 30 }, expected: null },
    { name: 'samples', values: { latencySampleCount: 5, latencyAvgMs: 30 }, expected: 30 },
  ])('keeps the latency average only with samples ($name)', ({ values, expected }) => {
    // Act + Assess
    expect(measureOf(sample('orders', values)).latencyAvgMs).toBe(expected);
  });

  it('counts status codes before RequestCount', () => {
    // Act
    const measure = measureOf(sample('orders', { http2xx: 90, http5xx: 10, requestCount: 5_000 }));

    // Assess
    expect(measure).toMatchObject({ requests: 100, errors: 10 });
  });
});

describe('Function: combineMeasures', () => {
  it('is no data for no measures', () => {
    // Act + Assess
    expect(combineMeasures([])).toEqual({
      requests: null,
      statusRequests: null,
      errors: 0,
      latencySamples: 0,
      latencyAvgMs: null,
      latencyMaxMs: null,
      latencyP99Ms: null,
    });
  });

  it('gives an average without samples no weight', () => {
    // Act
    const measure = combineMeasures([
      {
        requests: 10,
        statusRequests: 10,
        errors: 0,
        latencySamples: 0,
        latencyAvgMs: 99,
        latencyMaxMs: null,
        latencyP99Ms: null,
      },
    ]);

    // Assess
    expect(measure.latencyAvgMs).toBeNull();
  });
});
