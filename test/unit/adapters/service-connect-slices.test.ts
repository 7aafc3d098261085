/**
 * A quiet look (core/cadence.ts) reads its minutes once and cuts the reading per minute
 * (core/reading-slice.ts) from the adapter's per-period values (`byPeriod`, service-connect-samples.ts): the
 * cut must be exactly what the adapter returns when it reads that shorter window. Pure: `samplesOf` builds
 * the samples from GetMetricData series, so the series of a window are the whole read's datapoints in it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplesOf } from '../../../functions/adapters/service-connect-samples.ts';
import { sliceReading } from '../../../functions/core/reading-slice.ts';
import type { Series } from '../../../functions/core/sources.ts';
import type { MetricQuery } from '../../../functions/core/state.ts';
import type { MetricReading, TimeWindow } from '../../../functions/core/types.ts';

const START_MS = Date.parse('2026-03-02T10:00:00.000Z');
const MINUTE_MS = 60_000;
const FIELDS = [
  'http2xx',
  'http3xx',
  'http4xx',
  'http5xx',
  'requestCount',
  'latencySamples',
  'latencyAvg',
  'latencyMax',
] as const;

/** Per target and field, the datapoints by minute index (absent: no datapoint that minute). */
type Datapoints = Record<(typeof FIELDS)[number], (number | null)[]>;

function query(window: TimeWindow, targets: number): MetricQuery {
  return {
    namespace: 'AWS/ECS',
    targets: Array.from({ length: targets }, (_, i) => ({ discoveryName: `name${i}` })),
    window,
    periodSeconds: 60,
    includeP99: false,
    includeLatencyAvg: true,
    includeLatencyMax: true,
  };
}

/** What the adapter builds from the datapoints inside `window`. */
function read(points: readonly Datapoints[], window: TimeWindow): MetricReading {
  const from = (Date.parse(window.start) - START_MS) / MINUTE_MS;
  const to = (Date.parse(window.end) - START_MS) / MINUTE_MS;
  const get = (id: string): Series | undefined => {
    const match = /^n(\d+)_(\w+)$/.exec(id);
    const target = points[Number(match?.[1])];
    const values = target?.[match?.[2] as (typeof FIELDS)[number]];
    if (values === undefined) return undefined;
    // CloudWatch returns the newest datapoint first (ScanBy TimestampDescending).
    const series: Series = { timestamps: [], values: [] };
    for (let minute = to - 1; minute >= from; minute--) {
      const value = values[minute];
      if (value === null || value === undefined) continue;
      series.timestamps.push(START_MS + minute * MINUTE_MS);
      series.values.push(value);
    }
    return series;
  };
  return { kind: 'ok', services: samplesOf(query(window, points.length), get, null) };
}

const minutes = 8;
const value = (max: number) =>
  fc.option(fc.integer({ min: 0, max }), { nil: null, freq: 3 }).map((v) => v);
const datapoints: fc.Arbitrary<Datapoints> = fc.record(
  Object.fromEntries(
    FIELDS.map((field) => [
      field,
      fc.array(value(field === 'latencyAvg' || field === 'latencyMax' ? 900 : 3000), {
        minLength: minutes,
        maxLength: minutes,
      }),
    ])
  ) as Record<(typeof FIELDS)[number], fc.Arbitrary<(number | null)[]>>
);
const windowArb = fc
  .tuple(fc.integer({ min: 0, max: minutes }), fc.integer({ min: 0, max: minutes }))
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => ({
    start: new Date(START_MS + Math.min(a, b) * MINUTE_MS).toISOString(),
    end: new Date(START_MS + Math.max(a, b) * MINUTE_MS).toISOString(),
  }));

/** The reading without `byPeriod` and with averages rounded (the sums run in another order). */
function comparable(reading: MetricReading | null): unknown {
  if (reading === null || reading.kind !== 'ok') return reading;
  return reading.services.map(({ byPeriod: _parts, ...sample }) => ({
    ...sample,
    latencyAvgMs: sample.latencyAvgMs === null ? null : Number(sample.latencyAvgMs.toFixed(9)),
  }));
}

describe('Function: sliceReading (against the adapter)', () => {
  it('cuts a read of several minutes into exactly the read of any window inside it', () => {
    const whole = {
      start: new Date(START_MS).toISOString(),
      end: new Date(START_MS + minutes * MINUTE_MS).toISOString(),
    };
    fc.assert(
      fc.property(
        fc.array(datapoints, { minLength: 1, maxLength: 2 }),
        windowArb,
        (points, window) => {
          const cut = sliceReading(read(points, whole), window);
          expect(comparable(cut)).toEqual(comparable(read(points, window)));
        }
      ),
      { numRuns: 300 }
    );
  });

  it('weighs a period whose average came without a SampleCount as nothing (another source than the adapter)', () => {
    const part = (minute: number, latencyAvgMs: number, latencySampleCount: number | null) => ({
      start: new Date(START_MS + minute * MINUTE_MS).toISOString(),
      http2xx: 10,
      http3xx: null,
      http4xx: null,
      http5xx: null,
      requestCount: 10,
      latencySampleCount,
      latencyAvgMs,
      latencyMaxMs: latencyAvgMs,
    });
    const reading: MetricReading = {
      kind: 'ok',
      services: [
        {
          discoveryName: 'orders',
          http2xx: 20,
          http3xx: null,
          http4xx: null,
          http5xx: null,
          requestCount: 20,
          latencySampleCount: 10,
          latencyAvgMs: 10,
          latencyMaxMs: 50,
          latencyP99Ms: null,
          periodStarts: [],
          byPeriod: [part(0, 50, null), part(1, 10, 10)],
        },
      ],
    };
    const window = {
      start: new Date(START_MS).toISOString(),
      end: new Date(START_MS + 2 * MINUTE_MS).toISOString(),
    };
    expect(sliceReading(reading, window)).toMatchObject({
      services: [{ latencyAvgMs: 10, latencySampleCount: 10, latencyMaxMs: 50 }],
    });
    const onlyUncounted = {
      start: window.start,
      end: new Date(START_MS + MINUTE_MS).toISOString(),
    };
    expect(sliceReading(reading, onlyUncounted)).toMatchObject({
      services: [{ latencyAvgMs: null, latencySampleCount: null }],
    });
  });

  it('keeps an unavailable reading, and cannot cut a sample without per-period values', () => {
    const window = { start: '2026-03-02T10:00:00.000Z', end: '2026-03-02T10:01:00.000Z' };
    const unavailable: MetricReading = { kind: 'unavailable', reason: 'GetMetricData failed' };
    expect(sliceReading(unavailable, window)).toBe(unavailable);
    const reading = read([], window);
    expect(sliceReading(reading, window)).toEqual({ kind: 'ok', services: [] });
    const whole = read(
      [Object.fromEntries(FIELDS.map((field) => [field, [5]])) as Datapoints],
      window
    );
    if (whole.kind !== 'ok') throw new Error('expected ok');
    const { byPeriod: parts, periods: _periods, ...bare } = whole.services[0]!;
    expect(sliceReading({ kind: 'ok', services: [bare] }, window)).toBeNull();
    // A source without per-period status counts gets none from the cut either.
    const cut = sliceReading(
      { kind: 'ok', services: [{ ...bare, byPeriod: parts ?? [] }] },
      window
    );
    expect(cut?.kind === 'ok' && cut.services[0]).not.toHaveProperty('periods');
  });
});
