/**
 * The traffic model's edge minute and its datapoints: every request is counted once across the ALB's status
 * classes, the edge passes Service Connect's 5xx on and is never faster than it, counts that stayed 0 are not
 * published (an ALB reports a metric only when nonzero), and latency goes out in seconds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edgeDatums, edgeMinute, HEALTHY_EDGE } from '../../cli/edge-metrics.ts';
import { binomial, seededRandom } from '../../cli/traffic-model.ts';

const serviceMinute = fc
  .record({
    requests: fc.integer({ min: 0, max: 5_000 }),
    errorShare: fc.double({ min: 0, max: 0.5, noNaN: true }),
    clientShare: fc.double({ min: 0, max: 0.2, noNaN: true }),
    latencyAvgMs: fc.double({ min: 1, max: 2_000, noNaN: true }),
  })
  .map(({ requests, errorShare, clientShare, latencyAvgMs }) => {
    const errors = Math.floor(requests * errorShare);
    return {
      requests,
      errors,
      clientErrors: Math.floor((requests - errors) * clientShare),
      latencyAvgMs,
    };
  });

const edgeHealth = fc.record({
  errorRatePercent: fc.double({ min: 0, max: 100, noNaN: true }),
  elbErrorRatePercent: fc.double({ min: 0, max: 100, noNaN: true }),
  ownLatencyMs: fc.double({ min: 0, max: 500, noNaN: true }),
});

const drawsOf = (seed: number) => {
  const random = seededRandom(seed);
  return { random, binomial: (trials: number, p: number) => binomial(trials, p, random) };
};

const countOf = (data: ReturnType<typeof edgeDatums>, name: string) =>
  data.find((datum) => datum.MetricName === name)?.Value ?? 0;

describe('edge metrics', () => {
  it('every request lands in exactly one status class; the edge keeps Service Connect 5xx and time', () => {
    fc.assert(
      fc.property(serviceMinute, edgeHealth, fc.integer(), (service, health, seed) => {
        const edge = edgeMinute(service, health, drawsOf(seed));
        const data = edgeDatums('app/green/0123', edge, new Date(0));
        expect(edge.requests).toBe(service.requests);
        expect(edge.targetErrors).toBeGreaterThanOrEqual(service.errors);
        expect(edge.latencyAvgMs).toBeGreaterThanOrEqual(service.latencyAvgMs);
        expect(edge.latencyMaxMs).toBeGreaterThanOrEqual(edge.latencyAvgMs);
        const classes = [
          'HTTPCode_Target_2XX_Count',
          'HTTPCode_Target_4XX_Count',
          'HTTPCode_Target_5XX_Count',
          'HTTPCode_ELB_5XX_Count',
        ].map((name) => countOf(data, name));
        expect(classes.reduce((a, b) => a + b, 0)).toBe(countOf(data, 'RequestCount'));
        expect(countOf(data, 'RequestCount')).toBe(service.requests);
        for (const datum of data) {
          expect(datum.Value === undefined || datum.Value > 0).toBe(true);
          expect(datum.Dimensions).toEqual([{ Name: 'LoadBalancer', Value: 'app/green/0123' }]);
        }
      })
    );
  });

  it('a healthy edge publishes no 5xx series, and TargetResponseTime in seconds per answered request', () => {
    // Arrange
    const service = { requests: 1_000, errors: 0, clientErrors: 10, latencyAvgMs: 80 };

    // Act
    const edge = edgeMinute(service, HEALTHY_EDGE, drawsOf(1));
    const data = edgeDatums('app/blue/0456', edge, new Date(0));

    // Assess
    expect(data.map((datum) => datum.MetricName)).toEqual([
      'RequestCount',
      'HTTPCode_Target_2XX_Count',
      'HTTPCode_Target_4XX_Count',
      'TargetResponseTime',
    ]);
    const latency = data.find((datum) => datum.MetricName === 'TargetResponseTime');
    expect(latency?.Unit).toBe('Seconds');
    expect(latency?.StatisticValues?.SampleCount).toBe(1_000);
    const averageSeconds =
      (latency?.StatisticValues?.Sum ?? 0) / (latency?.StatisticValues?.SampleCount ?? 1);
    expect(averageSeconds).toBeGreaterThan(0.08);
    expect(averageSeconds).toBeLessThan(0.1);
    expect(
      data.every((datum) => datum.MetricName === 'TargetResponseTime' || datum.Unit === 'Count')
    ).toBe(true);
  });

  it('an idle minute publishes nothing', () => {
    const edge = edgeMinute(
      { requests: 0, errors: 0, clientErrors: 0, latencyAvgMs: 0 },
      HEALTHY_EDGE,
      drawsOf(1)
    );
    expect(edgeDatums('app/blue/0456', edge, new Date(0))).toEqual([]);
  });
});
