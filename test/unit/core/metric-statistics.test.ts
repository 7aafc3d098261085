import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type MetricStatistics,
  metricStatistics,
} from '../../../functions/core/metric-statistics.ts';
import type { MetricReading, ServiceSample } from '../../../functions/core/types.ts';
import { evaluate } from '../../../functions/core/verdict.ts';
import { inputWith, periodsOf, sample, WINDOW } from './fixtures.ts';

/** What the adapter returns for a statistic it was not asked for: null. */
function withoutUnrequested(reading: MetricReading, asked: MetricStatistics): MetricReading {
  if (reading.kind !== 'ok') return reading;
  return {
    kind: 'ok',
    services: reading.services.map((service) => ({
      ...service,
      ...(asked.includeLatencyAvg ? {} : { latencyAvgMs: null }),
      ...(asked.includeLatencyAvg || asked.includeLatencyMax || asked.includeP99
        ? {}
        : { latencySampleCount: null }),
      ...(asked.includeLatencyMax ? {} : { latencyMaxMs: null }),
      ...(asked.includeP99 ? {} : { latencyP99Ms: null }),
    })),
  };
}

const ok = (...services: ServiceSample[]): MetricReading => ({ kind: 'ok', services });

const count = fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: null });
const ms = fc.option(fc.double({ min: 1, max: 2_000, noNaN: true }), { nil: null });
const serviceSample = (name: string) =>
  fc
    .record({
      http2xx: count,
      http3xx: count,
      http4xx: count,
      http5xx: count,
      requestCount: count,
      latencySampleCount: count,
      latencyAvgMs: ms,
      latencyMaxMs: ms,
      latencyP99Ms: ms,
    })
    .map((values) => sample(name, { ...values, periodStarts: periodsOf(WINDOW) }));

const limits = fc.record(
  {
    latencyAvgMaxMs: fc.integer({ min: 10, max: 1_000 }),
    latencyMaxMs: fc.integer({ min: 10, max: 3_000 }),
    latencyP99MaxMs: fc.integer({ min: 10, max: 3_000 }),
  },
  { requiredKeys: [] }
);

describe('metricStatistics', () => {
  it.each([
    {
      name: 'green only, no latency limit: status counts only',
      overrides: {},
      green: { includeP99: false, includeLatencyAvg: false, includeLatencyMax: false },
      blue: null,
    },
    {
      name: 'a blue baseline: green and blue averages, nothing else',
      overrides: {
        metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-appmesh'] },
      },
      green: { includeP99: false, includeLatencyAvg: true, includeLatencyMax: false },
      blue: { includeP99: false, includeLatencyAvg: true, includeLatencyMax: false },
    },
    {
      name: 'latencyMaxMs alone: Maximum (and SampleCount)',
      overrides: { thresholds: { latencyMaxMs: 500 } },
      green: { includeP99: false, includeLatencyAvg: false, includeLatencyMax: true },
      blue: null,
    },
    {
      name: 'latencyAvgMaxMs alone: Average (and SampleCount)',
      overrides: { thresholds: { latencyAvgMaxMs: 100 } },
      green: { includeP99: false, includeLatencyAvg: true, includeLatencyMax: false },
      blue: null,
    },
    {
      name: 'latencyP99MaxMs on a namespace with percentiles: p99 (and SampleCount)',
      overrides: {
        metrics: { greenDiscoveryNames: ['orders'], namespace: 'Custom/Mesh' },
        thresholds: { latencyP99MaxMs: 300 },
      },
      green: { includeP99: true, includeLatencyAvg: false, includeLatencyMax: false },
      blue: null,
    },
  ])('$name', ({ overrides, green, blue }) => {
    // Act
    const statistics = metricStatistics(inputWith(overrides));

    // Assess
    expect(statistics).toEqual({ green, blue });
  });

  it('a statistic it does not ask for never changes an evaluation (fast-check)', () => {
    fc.assert(
      fc.property(
        serviceSample('orders'),
        serviceSample('orders-appmesh'),
        limits,
        fc.boolean(),
        (green, blue, thresholds, withBlue) => {
          // Prepare
          const input = inputWith({
            metrics: {
              greenDiscoveryNames: ['orders'],
              ...(withBlue ? { blueDiscoveryNames: ['orders-appmesh'] } : {}),
              ...(thresholds.latencyP99MaxMs === undefined ? {} : { namespace: 'Custom/Mesh' }),
            },
            thresholds,
          });
          const asked = metricStatistics(input);
          const blueReading = withBlue ? ok(blue) : null;

          // Act
          const full = evaluate(ok(green), blueReading, input, WINDOW, null);
          const trimmed = evaluate(
            withoutUnrequested(ok(green), asked.green),
            blueReading && asked.blue ? withoutUnrequested(blueReading, asked.blue) : null,
            input,
            WINDOW,
            null
          );

          // Assess
          expect(trimmed).toEqual(full);
        }
      ),
      { numRuns: 300 }
    );
  });
});
