import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { albMeasure, assessEdge, edgeThresholds } from '../../../functions/core/edge-verdicts.ts';
import type { EdgeLoadBalancer, Series } from '../../../functions/core/sources.ts';
import { edgeId } from '../../../functions/core/sources.ts';
import { Verdict } from '../../../functions/core/types.ts';
import { inputWith, WINDOW } from './fixtures.ts';

const T0 = Date.parse(WINDOW.start);
const at = (...values: number[]): Series => ({
  timestamps: values.map((_, i) => T0 + i * 60_000),
  values,
});

const GREEN: EdgeLoadBalancer = {
  side: 'green',
  kind: 'application',
  name: 'green',
  dimension: 'app/green/1',
  dnsName: 'green-1.us-east-1.elb.amazonaws.com',
};
const BLUE: EdgeLoadBalancer = { ...GREEN, side: 'blue', name: 'blue', dimension: 'app/blue/2' };
const GREEN_NLB: EdgeLoadBalancer = { ...GREEN, kind: 'network', dimension: 'net/green/3' };

/** Series of load balancer `index`: requests, target 5xx, ELB 5xx per minute, latency in seconds. */
function alb(
  index: number,
  parts: {
    req?: number[];
    t5?: number[];
    e5?: number[];
    avg?: number[];
    cnt?: number[];
    max?: number[];
    p99?: number[];
  }
): Record<string, Series> {
  return Object.fromEntries(
    Object.entries(parts).map(([field, values]) => [edgeId(index, field), at(...values)])
  );
}

describe('Function: albMeasure', () => {
  it.each([
    {
      name: 'converts TargetResponseTime from seconds to milliseconds (average weighted by SampleCount)',
      series: alb(0, {
        req: [1_000, 1_000],
        avg: [0.1, 0.3],
        cnt: [1_000, 3_000],
        max: [2],
        p99: [0.45],
      }),
      expected: {
        latencyAvgMs: 250,
        latencyMaxMs: 2_000,
        latencyP99Ms: 450,
        latencySamples: 4_000,
      },
    },
    {
      name: 'adds ELB 5xx to the errors and to the denominator (RequestCount counts only requests with a target)',
      series: alb(0, { req: [900], t5: [10], e5: [100] }),
      expected: { requests: 1_000, statusRequests: 1_000, errors: 110 },
    },
    {
      name: 'judges ELB 5xx alone when no target was chosen (no RequestCount at all): 100 %',
      series: alb(0, { e5: [50] }),
      expected: { requests: 50, statusRequests: 50, errors: 50 },
    },
    {
      name: 'reads no datapoints as no traffic, never as zero',
      series: {},
      expected: { requests: null, statusRequests: null, errors: 0, latencyAvgMs: null },
    },
  ])('$name', ({ series, expected }) => {
    // Act
    const measure = albMeasure(series, 0);

    // Assess
    expect(measure).toMatchObject(expected);
  });

  it('never counts more errors than requests, whatever CloudWatch returns (property)', () => {
    const counts = fc.array(fc.nat({ max: 10_000 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(counts, counts, counts, (req, t5raw, e5) => {
        // Target 5xx are a part of RequestCount.
        const t5 = t5raw.map((value, i) => Math.min(value, req[i] ?? 0));
        const measure = albMeasure(alb(0, { req, t5: t5.slice(0, req.length), e5 }), 0);
        expect(measure.errors).toBeLessThanOrEqual(measure.statusRequests ?? 0);
      })
    );
  });
});

describe('Function: assessEdge', () => {
  const input = inputWith();

  it("fails green's edge on 8 % 5xx while saying which load balancer, value, limit and sample size", () => {
    // Prepare
    const series = { ...alb(0, { req: [3_000], t5: [240] }), ...alb(1, { req: [3_000], t5: [3] }) };

    // Act
    const assessments = assessEdge([GREEN, BLUE], series, input, WINDOW);

    // Assess
    const errorRate = assessments.find((a) => a.check === 'errorRate' && a.side === 'green');
    expect(errorRate).toMatchObject({
      source: 'edge',
      side: 'green',
      scope: 'app/green/1',
      verdict: Verdict.Fail,
      value: 8,
      limit: 1,
      sampleSize: 3_000,
      counted: true,
    });
    expect(errorRate?.reason).toMatch(/^error rate 8\.00% > 1% over 3,000 requests/);
    const baseline = assessments.find((a) => a.check === 'baselineErrorRate');
    expect(baseline).toMatchObject({ verdict: Verdict.Fail, source: 'edge', side: 'green' });
    const blue = assessments.find((a) => a.side === 'blue');
    expect(blue).toMatchObject({ scope: 'app/blue/2', verdict: Verdict.Pass, counted: false });
  });

  it('is Inconclusive (counted) without green edge traffic: no data is never a pass', () => {
    // Act
    const assessments = assessEdge([GREEN], {}, input, WINDOW);

    // Assess
    expect(assessments).toEqual([
      expect.objectContaining({ check: 'errorRate', verdict: Verdict.Inconclusive, counted: true }),
    ]);
  });

  it('says an NLB cannot judge error rate or latency, uncounted, instead of passing silently', () => {
    // Act
    const assessments = assessEdge([GREEN_NLB], { [edgeId(0, 'flows')]: at(120) }, input, WINDOW);

    // Assess
    expect(assessments).toEqual([
      expect.objectContaining({
        check: 'edgeCoverage',
        scope: 'net/green/3',
        verdict: Verdict.Inconclusive,
        counted: false,
        sampleSize: 120,
      }),
    ]);
    expect(assessments[0]?.reason).toContain('publishes no HTTP status codes or response times');
  });

  it('judges p99 from metrics.edge.thresholds in ms although the Service Connect namespace is AWS/ECS', () => {
    // Prepare
    const withP99 = inputWith({ metrics: { edge: { thresholds: { latencyP99MaxMs: 400 } } } });

    // Act
    const assessments = assessEdge(
      [GREEN],
      alb(0, { req: [3_000], p99: [0.5], cnt: [3_000] }),
      withP99,
      WINDOW
    );

    // Assess
    expect(assessments.find((a) => a.check === 'latencyP99')).toMatchObject({
      verdict: Verdict.Fail,
      value: 500,
      limit: 400,
    });
    expect(edgeThresholds(withP99).errorRateMaxPercent).toBe(1);
  });

  it.each([
    { rate: 0.5, verdict: Verdict.Pass },
    { rate: 8, verdict: Verdict.Fail },
  ])('uses the edge error-rate override ($rate % against 2 %)', ({ rate, verdict }) => {
    // Prepare
    const edgeInput = inputWith({ metrics: { edge: { thresholds: { errorRateMaxPercent: 2 } } } });

    // Act
    const assessments = assessEdge(
      [GREEN],
      alb(0, { req: [10_000], t5: [rate * 100] }),
      edgeInput,
      WINDOW
    );

    // Assess
    expect(assessments[0]).toMatchObject({ check: 'errorRate', limit: 2, verdict });
  });
});
