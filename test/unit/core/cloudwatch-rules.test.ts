/**
 * Issue 10, items 8-12, and duplicate discovery names (issue 9): what CloudWatch's Service Connect metrics can
 * and cannot prove (docs/aws-facts.md §1.2-1.5), enforced by the core. Tables for the rules, fast-check for
 * "never a Pass without status codes" and "the bake never exceeds the periods with data".
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../functions/core/decide.ts';
import { overlaps, targetLabel } from '../../../functions/core/discovery-target.ts';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { parseMigrationInput } from '../../../functions/core/input.ts';
import {
  Action,
  type Assessment,
  type MetricReading,
  type ServiceSample,
  Verdict,
} from '../../../functions/core/types.ts';
import { evaluate } from '../../../functions/core/verdict.ts';
import { evaluationWindow } from '../../../functions/core/window.ts';
import { draft, inputWith, periodsOf, sample, statusAt, traffic, WINDOW } from './fixtures.ts';

const ok = (...services: ServiceSample[]): MetricReading => ({ kind: 'ok', services });
const find = (assessments: readonly Assessment[], scope: string, check: string) =>
  assessments.find((a) => a.scope === scope && a.check === check);

/** The InvalidInputError message of `raw`, or null when it parses. */
function refusal(raw: unknown): string | null {
  try {
    parseMigrationInput(raw);
    return null;
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message;
    throw error;
  }
}

const withMetrics = (
  metrics: Record<string, unknown>,
  thresholds: Record<string, unknown> = {}
) => {
  const base = draft();
  return { ...base, metrics: { ...base.metrics, ...metrics }, thresholds };
};

describe('Item 8: no status codes is not zero errors', () => {
  it.each([
    {
      name: 'RequestCount alone: the error rate is not measurable',
      green: ok(sample('orders', { requestCount: 1_234 })),
      names: ['orders'],
      overall: {
        verdict: Verdict.Inconclusive,
        counted: true,
        reason: 'no HTTPCode_Target_* datapoints (RequestCount 1,234): error rate not measurable',
      },
    },
    {
      name: 'status counts without a 5xx series: 0 errors over the status counts',
      green: ok(sample('orders', { http2xx: 900, http4xx: 100, requestCount: 1_234 })),
      names: ['orders'],
      overall: {
        verdict: Verdict.Pass,
        counted: true,
        value: 0,
        sampleSize: 1_000,
      },
    },
    {
      name: 'one name without status codes: overall judges only the names that have them',
      green: ok(traffic('orders', 1_000, 0), sample('payments', { requestCount: 5_000 })),
      names: ['orders', 'payments'],
      overall: { verdict: Verdict.Pass, value: 0, sampleSize: 1_000 },
    },
  ])('$name', ({ green, names, overall }) => {
    // Act
    const evaluation = evaluate(
      green,
      null,
      inputWith({ metrics: { greenDiscoveryNames: names } }),
      WINDOW
    );

    // Assess
    expect(find(evaluation.assessments, 'overall', 'errorRate')).toMatchObject(overall);
  });

  it('judges no latency without any traffic, with or without a remembered blue baseline', () => {
    // Act
    const evaluation = evaluate(
      ok(sample('orders', { latencySampleCount: 3, latencyAvgMs: 900 })),
      ok(),
      inputWith({
        metrics: { blueDiscoveryNames: ['orders-blue'] },
        thresholds: { latencyAvgMaxMs: 100 },
      }),
      WINDOW,
      { avgMs: 50, samples: 800, windowEnd: WINDOW.start }
    );

    // Assess
    for (const check of ['latencyAvg', 'baselineLatencyAvg'])
      expect(find(evaluation.assessments, 'overall', check)).toMatchObject({
        verdict: Verdict.Inconclusive,
        sampleSize: 0,
        reason: 'requests (0) < minRequests (50)',
      });
  });

  it('holds the run when one green name has traffic but no status codes', () => {
    // Act
    const evaluation = evaluate(
      ok(traffic('orders', 1_000, 0), sample('payments', { requestCount: 5_000 })),
      null,
      inputWith({ metrics: { greenDiscoveryNames: ['orders', 'payments'] } }),
      WINDOW
    );

    // Assess: payments' 5,000 requests are unjudged, not error-free
    expect(find(evaluation.assessments, 'payments', 'errorRate')).toMatchObject({
      verdict: Verdict.Inconclusive,
      counted: true,
    });
    expect(evaluation.verdict).toBe(Verdict.Inconclusive);
    expect(evaluation.reason).toContain(
      'payments: no HTTPCode_Target_* datapoints (RequestCount 5,000): error rate not measurable'
    );
  });

  it('has no error-rate baseline from a blue without status codes', () => {
    // Act
    const evaluation = evaluate(
      ok(traffic('orders', 1_000, 0)),
      ok(sample('orders-blue', { requestCount: 10_000 })),
      inputWith({ metrics: { blueDiscoveryNames: ['orders-blue'] } }),
      WINDOW
    );

    // Assess
    expect(find(evaluation.assessments, 'overall', 'baselineErrorRate')).toMatchObject({
      verdict: Verdict.Inconclusive,
      counted: false,
      reason: 'no blue HTTPCode_Target_* datapoints: no baseline',
    });
  });

  it('never passes the error rate of a window without status-code series (property)', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: null }),
        fc.integer({ min: 1, max: 1_000 }),
        (requestCount, minRequests) => {
          const evaluation = evaluate(
            ok(sample('orders', { requestCount, latencySampleCount: 10, latencyAvgMs: 5 })),
            null,
            inputWith({ thresholds: { minRequests } }),
            WINDOW
          );
          expect(evaluation.verdict).not.toBe(Verdict.Pass);
          for (const a of evaluation.assessments.filter((x) => x.check === 'errorRate'))
            expect(a.verdict).not.toBe(Verdict.Pass);
        }
      )
    );
  });
});

describe('Item 9: the bake counts periods with green data', () => {
  const JUDGING_FROM = '2025-01-01T00:00:00.000Z';
  const at = (minutes: number) => new Date(Date.parse(JUDGING_FROM) + minutes * 60_000);
  const input = inputWith({ plan: { steps: [10, 50, 100], bakeSeconds: 600 } });

  it('counts one minute of data after an 11-minute gap as 60 s, not the 5-minute window or the gap', () => {
    // Prepare: nothing published from 00:00 to 00:11; minute 00:15 holds 1,000 healthy requests.
    const status = statusAt(10, JUDGING_FROM);
    // The first look for the minute ending 00:16 (earliestPublicationSeconds 90).
    const now = new Date(at(16).getTime() + 90_000);
    const window = evaluationWindow(now, status, input.metrics);
    if (window === null) throw new Error('expected a window');
    const green = { ...traffic('orders', 1_000, 0), periodStarts: [at(15).toISOString()] };

    // Act
    const evaluation = evaluate(ok(green), null, input, window);
    const { status: after, decision } = decide({
      status,
      evaluation,
      steps: [10, 50, 100],
      input,
      now,
    });

    // Assess
    expect(window).toEqual({ start: at(11).toISOString(), end: at(16).toISOString() });
    expect(evaluation).toMatchObject({ verdict: Verdict.Pass, judgedDataSeconds: 60 });
    expect(after.bakedSeconds).toBe(60);
    expect(decision).toMatchObject({
      action: Action.Observe,
      reason: expect.stringContaining('baking at 10%: 60 s of 600 s'),
    });
  });

  it.each([
    { name: 'every minute', periods: periodsOf(WINDOW), expected: 300 },
    {
      name: 'two names in the same minutes count each minute once',
      periods: periodsOf(WINDOW).slice(0, 2),
      second: periodsOf(WINDOW).slice(0, 2),
      expected: 120,
    },
    { name: 'no minute', periods: [], expected: 0 },
  ])('reports the seconds of periods with data: $name', ({ periods, second, expected }) => {
    // Act
    const evaluation = evaluate(
      ok(
        { ...traffic('orders', 1_000, 0), periodStarts: periods },
        { ...traffic('payments', 1_000, 0), periodStarts: second ?? [] }
      ),
      null,
      inputWith({ metrics: { greenDiscoveryNames: ['orders', 'payments'] } }),
      WINDOW
    );

    // Assess
    expect(evaluation.judgedDataSeconds).toBe(expected);
  });

  it('never bakes more than the periods with data in the judged window (property)', () => {
    const minute = fc.integer({ min: 0, max: 4 });
    fc.assert(
      fc.property(fc.uniqueArray(minute, { maxLength: 5 }), fc.nat(3_000), (minutes, before) => {
        const starts = minutes.map((m) => new Date(Date.parse(WINDOW.start) + m * 60_000));
        const evaluation = evaluate(
          ok({ ...traffic('orders', 1_000, 0), periodStarts: starts.map((d) => d.toISOString()) }),
          null,
          input,
          WINDOW
        );
        const { status } = decide({
          status: statusAt(10, JUDGING_FROM, { bakedSeconds: before }),
          evaluation,
          steps: [10, 50, 100],
          input,
          now: at(60),
        });
        expect(status.bakedSeconds).toBe(before + 60 * minutes.length);
      })
    );
  });
});

describe('Item 10: minRequests is compared with requests, not with SampleCount', () => {
  const latency = { thresholds: { latencyAvgMaxMs: 100 } };

  it.each([
    {
      name: 'many requests in few pre-aggregated samples are judged',
      green: { ...traffic('orders', 1_000, 0, { latencyAvgMs: 150 }), latencySampleCount: 12 },
      expected: { verdict: Verdict.Fail, sampleSize: 1_000 },
    },
    {
      name: 'few requests are too few whatever SampleCount says',
      green: { ...traffic('orders', 12, 0, { latencyAvgMs: 50 }), latencySampleCount: 5_000 },
      expected: {
        verdict: Verdict.Inconclusive,
        sampleSize: 12,
        reason: 'requests (12) < minRequests (50)',
      },
    },
  ])('$name', ({ green, expected }) => {
    // Act
    const evaluation = evaluate(ok(green), null, inputWith(latency), WINDOW);

    // Assess
    expect(find(evaluation.assessments, 'overall', 'latencyAvg')).toMatchObject(expected);
  });

  it('takes a blue latency baseline from enough blue requests in few samples', () => {
    // Act
    const evaluation = evaluate(
      ok(traffic('orders', 1_000, 0, { latencyAvgMs: 90 })),
      ok({ ...traffic('orders-blue', 800, 0, { latencyAvgMs: 80 }), latencySampleCount: 6 }),
      inputWith({ metrics: { blueDiscoveryNames: ['orders-blue'] } }),
      WINDOW
    );

    // Assess
    expect(evaluation.blueLatency).toEqual({ avgMs: 80, samples: 800, windowEnd: WINDOW.end });
    expect(find(evaluation.assessments, 'overall', 'baselineLatencyAvg')).toMatchObject({
      verdict: Verdict.Pass,
      counted: true,
    });
  });
});

describe('Item 11: no p99 on AWS/ECS', () => {
  it.each([
    { name: 'the default namespace', metrics: {} },
    { name: 'AWS/ECS named', metrics: { namespace: 'AWS/ECS' } },
  ])('refuses latencyP99MaxMs with $name', ({ metrics }) => {
    // Act
    const message = refusal(withMetrics(metrics, { latencyP99MaxMs: 500 }));

    // Assess
    expect(message).toContain('thresholds.latencyP99MaxMs');
    expect(message).toContain('percentiles need raw data points');
    expect(message).toContain('ECS publishes pre-aggregated minutes');
  });

  it('keeps latencyP99MaxMs for a namespace with percentiles', () => {
    // Act + Assess
    expect(
      refusal(withMetrics({ namespace: 'AWS/ApplicationELB' }, { latencyP99MaxMs: 500 }))
    ).toBeNull();
  });
});

describe('Item 12: discovery names scoped to a cluster and service', () => {
  const scoped = { discoveryName: 'orders', clusterName: 'prod', serviceName: 'gateway' };

  it('accepts a bare name or a scoped object and always parses to objects', () => {
    // Act
    const input = parseMigrationInput(
      withMetrics({ greenDiscoveryNames: [scoped, 'payments'], blueDiscoveryNames: ['legacy'] })
    );

    // Assess
    expect(input.metrics.greenDiscoveryNames).toEqual([scoped, { discoveryName: 'payments' }]);
    expect(input.metrics.blueDiscoveryNames).toEqual([{ discoveryName: 'legacy' }]);
  });

  it('reads an object without cluster and service as the bare name', () => {
    // Act
    const input = parseMigrationInput(
      withMetrics({ greenDiscoveryNames: [{ discoveryName: 'orders' }] })
    );

    // Assess
    expect(input.metrics.greenDiscoveryNames).toEqual([{ discoveryName: 'orders' }]);
  });

  it.each([
    { entry: 7, rule: 'must be a discovery name or { discoveryName, clusterName, serviceName }' },
    { entry: 'x'.repeat(65), rule: 'must be at most 64 characters' },
    { entry: { discoveryName: 'orders', cluster: 'prod' }, rule: 'unknown key' },
  ])('names the rule of the shape given ($rule)', ({ entry, rule }) => {
    // Act + Assess
    expect(refusal(withMetrics({ greenDiscoveryNames: [entry] }))).toContain(
      `metrics.greenDiscoveryNames[0]`
    );
    expect(refusal(withMetrics({ greenDiscoveryNames: [entry] }))).toContain(rule);
  });

  it.each([
    {
      target: { discoveryName: 'orders', clusterName: 'prod' },
      path: 'metrics.greenDiscoveryNames[0].serviceName',
    },
    {
      target: { discoveryName: 'orders', serviceName: 'gateway' },
      path: 'metrics.greenDiscoveryNames[0].clusterName',
    },
  ])('wants clusterName and serviceName together ($path)', ({ target, path }) => {
    // Act
    const message = refusal(withMetrics({ greenDiscoveryNames: [target] }));

    // Assess
    expect(message).toContain(`${path}: clusterName and serviceName go together`);
  });

  it('judges only the scoped series, under a scope that names the caller', () => {
    // Prepare: the adapter's scoped reading, and an unscoped one for the same name (prod + staging)
    const input = inputWith({ metrics: { greenDiscoveryNames: [scoped] } });
    const green = ok(
      { ...traffic('orders', 1_000, 0), ...scoped },
      traffic('orders', 50_000, 5_000)
    );

    // Act
    const evaluation = evaluate(green, null, input, WINDOW);

    // Assess
    expect(evaluation.verdict).toBe(Verdict.Pass);
    expect(find(evaluation.assessments, 'orders from prod/gateway', 'errorRate')).toMatchObject({
      verdict: Verdict.Pass,
      sampleSize: 1_000,
    });
  });

  it.each([
    { a: { discoveryName: 'orders' }, b: { discoveryName: 'orders' }, expected: true },
    { a: { discoveryName: 'orders' }, b: scoped, expected: true },
    { a: scoped, b: { ...scoped }, expected: true },
    { a: scoped, b: { ...scoped, clusterName: 'staging' }, expected: false },
    { a: scoped, b: { ...scoped, serviceName: 'admin' }, expected: false },
    { a: { discoveryName: 'orders' }, b: { discoveryName: 'payments' }, expected: false },
  ])('overlaps($a, $b) is $expected', ({ a, b, expected }) => {
    // Act + Assess
    expect(overlaps(a, b)).toBe(expected);
    expect(overlaps(b, a)).toBe(expected);
  });

  it('labels a scoped target with its caller', () => {
    // Act + Assess
    expect(targetLabel(scoped)).toBe('orders from prod/gateway');
    expect(targetLabel({ discoveryName: 'orders' })).toBe('orders');
  });
});

describe('Issue 9: duplicate discovery names are invalid input', () => {
  const scoped = { discoveryName: 'orders', clusterName: 'prod', serviceName: 'gateway' };

  it.each([
    {
      name: 'twice in green',
      metrics: { greenDiscoveryNames: ['orders', 'orders'] },
      path: 'metrics.greenDiscoveryNames[1]',
    },
    {
      name: 'twice in blue',
      metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['legacy', 'legacy'] },
      path: 'metrics.blueDiscoveryNames[1]',
    },
    {
      name: 'in green and in blue',
      metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders'] },
      path: 'metrics.blueDiscoveryNames[0]',
    },
    {
      name: 'a bare name and the same name scoped',
      metrics: { greenDiscoveryNames: ['orders', scoped] },
      path: 'metrics.greenDiscoveryNames[1]',
    },
    {
      name: 'the same scoped target twice',
      metrics: { greenDiscoveryNames: [scoped, { ...scoped }] },
      path: 'metrics.greenDiscoveryNames[1]',
    },
  ])('refuses a discovery name $name', ({ metrics, path }) => {
    // Act
    const message = refusal(withMetrics(metrics));

    // Assess
    expect(message).toContain(`${path}: counts the same traffic as metrics.`);
  });

  it('accepts the same name scoped to different callers', () => {
    // Act + Assess
    expect(
      refusal(withMetrics({ greenDiscoveryNames: [scoped, { ...scoped, serviceName: 'admin' }] }))
    ).toBeNull();
  });

  it('refuses any list with a repeated name (property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.boolean(),
        (names, pick, inBlue) => {
          const repeated = names[pick % names.length] as string;
          const metrics = inBlue
            ? { greenDiscoveryNames: names, blueDiscoveryNames: [repeated] }
            : { greenDiscoveryNames: [...names, repeated] };
          expect(refusal(withMetrics(metrics))).toContain('counts the same traffic');
        }
      )
    );
  });
});
