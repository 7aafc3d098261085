/**
 * RequestCount is read only where the status counts leave a minute uncovered (service-connect-request-counts.ts).
 * The promise: what reaches the core is what it was when RequestCount was always read. Pure: `samplesOf` builds
 * the samples from GetMetricData series, so a read "with RequestCount" and one "with RequestCount where
 * `requestCountGaps` asks for it" differ only in the series `get` hands it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { samplesOf } from '../../../functions/adapters/service-connect-queries.ts';
import { requestCountGaps } from '../../../functions/adapters/service-connect-request-counts.ts';
import { combineMeasures, measureOf } from '../../../functions/core/measure.ts';
import { sliceReading } from '../../../functions/core/reading-slice.ts';
import type { Series } from '../../../functions/core/sources.ts';
import type { MetricQuery } from '../../../functions/core/state.ts';
import type { DiscoveryTarget, ServiceSample, TimeWindow } from '../../../functions/core/types.ts';

const START_MS = Date.parse('2026-03-02T10:00:00.000Z');
const MINUTE_MS = 60_000;
const MINUTES = 6;
const FIELDS = ['http2xx', 'http3xx', 'http4xx', 'http5xx', 'requestCount'] as const;
const iso = (minute: number) => new Date(START_MS + minute * MINUTE_MS).toISOString();

/** Per field, the datapoint of each minute (null: none that minute). */
type Datapoints = Record<(typeof FIELDS)[number], (number | null)[]>;

function query(window: TimeWindow, targets: readonly DiscoveryTarget[]): MetricQuery {
  return {
    namespace: 'AWS/ECS',
    targets,
    window,
    periodSeconds: 60,
    includeP99: false,
    includeLatencyAvg: false,
    includeLatencyMax: false,
  };
}

/** GetMetricData's series of `points` inside `window`, by planned id (`n<i>_<field>`). */
function seriesOf(points: readonly Datapoints[], window: TimeWindow) {
  const from = (Date.parse(window.start) - START_MS) / MINUTE_MS;
  const to = (Date.parse(window.end) - START_MS) / MINUTE_MS;
  return (id: string): Series | undefined => {
    const match = /^n(\d+)_(\w+)$/.exec(id);
    const values = points[Number(match?.[1])]?.[match?.[2] as (typeof FIELDS)[number]];
    if (values === undefined) return undefined;
    const series: Series = { timestamps: [], values: [] };
    for (let minute = to - 1; minute >= from; minute--) {
      const value = values[minute];
      if (value === null || value === undefined) continue;
      series.timestamps.push(START_MS + minute * MINUTE_MS);
      series.values.push(value);
    }
    return series;
  };
}

/** The read as it was (RequestCount always) and as it is (RequestCount where `requestCountGaps` asks). */
function reads(points: readonly Datapoints[], window: TimeWindow) {
  const targets = points.map((_, i) => ({ discoveryName: `name${i}` }));
  const q = query(window, targets);
  const all = seriesOf(points, window);
  const status = (id: string) => (id.endsWith('_requestCount') ? undefined : all(id));
  const asked = new Set(requestCountGaps(q, status, window).map((planned) => planned.id));
  const gapsOnly = (id: string) =>
    id.endsWith('_requestCount') && !asked.has(id) ? undefined : all(id);
  return { before: samplesOf(q, all, null), after: samplesOf(q, gapsOnly, null), asked };
}

/** What the core reads of a sample: its measure, the minutes with data, the per-minute status counts. */
function seen(samples: readonly ServiceSample[]) {
  return {
    each: samples.map((sample) => ({
      measure: measureOf(sample),
      periodStarts: [...sample.periodStarts].sort(),
      periods: sample.periods,
    })),
    all: combineMeasures(samples.map(measureOf)),
  };
}

const value = fc.integer({ min: 0, max: 500 });
/** Status codes in most minutes (so whole windows are often covered), RequestCount in about half. */
const datapoints: fc.Arbitrary<Datapoints> = fc.record(
  Object.fromEntries(
    FIELDS.map((field) => [
      field,
      fc.array(fc.option(value, { nil: null, freq: field === 'http2xx' ? 8 : 2 }), {
        minLength: MINUTES,
        maxLength: MINUTES,
      }),
    ])
  ) as Record<(typeof FIELDS)[number], fc.Arbitrary<(number | null)[]>>
);
const windowArb = fc
  .tuple(fc.integer({ min: 0, max: MINUTES }), fc.integer({ min: 0, max: MINUTES }))
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => ({ start: iso(Math.min(a, b)), end: iso(Math.max(a, b)) }));

describe('Function: requestCountGaps', () => {
  it('asks for none when every minute has a status count, and for the name that misses one', () => {
    // Prepare
    const window = { start: iso(0), end: iso(3) };
    const covered: Datapoints = {
      http2xx: [5, null, 5, null, null, null],
      http3xx: [null, 0, null, null, null, null],
      http4xx: [null, null, null, null, null, null],
      http5xx: [null, null, null, null, null, null],
      requestCount: [5, 5, 5, null, null, null],
    };
    const missing: Datapoints = { ...covered, http3xx: [null, null, null, null, null, null] };
    const q = query(window, [{ discoveryName: 'a' }, { discoveryName: 'b' }]);

    // Act
    const gaps = requestCountGaps(q, seriesOf([covered, missing], window), window);

    // Assess
    expect(gaps.map((planned) => planned.id)).toEqual(['n1_requestCount']);
  });

  it('asks for a scoped name never, and for a name over a range not aligned to the period always', () => {
    // Prepare
    const empty = () => ({ timestamps: [], values: [] });
    const scoped = { discoveryName: 'a', clusterName: 'prod', serviceName: 'gateway' };
    const aligned = { start: iso(0), end: iso(0) };
    const misaligned = { start: iso(0), end: new Date(START_MS + 90_000).toISOString() };

    // Act
    const forScoped = requestCountGaps(query(aligned, [scoped]), empty, {
      start: iso(0),
      end: iso(2),
    });
    const forEmptyRange = requestCountGaps(
      query(aligned, [{ discoveryName: 'a' }]),
      empty,
      aligned
    );
    const forMisaligned = requestCountGaps(
      query(misaligned, [{ discoveryName: 'a' }]),
      () => ({ timestamps: [START_MS], values: [1] }),
      misaligned
    );

    // Assess
    expect(forScoped).toEqual([]);
    expect(forEmptyRange).toEqual([]);
    expect(forMisaligned.map((planned) => planned.id)).toEqual(['n0_requestCount']);
  });

  it('hands the core the same measures, minutes with data and per-minute slices as reading RequestCount always', () => {
    let skipped = 0;
    fc.assert(
      fc.property(
        fc.array(datapoints, { minLength: 1, maxLength: 3 }),
        windowArb,
        (points, window) => {
          const { before, after, asked } = reads(points, window);
          skipped += points.length - asked.size;
          expect(seen(after)).toEqual(seen(before));
          // Each minute cut from the read (the cadence's quiet looks) is the same too.
          for (let ms = Date.parse(window.start); ms < Date.parse(window.end); ms += MINUTE_MS) {
            const minute = {
              start: new Date(ms).toISOString(),
              end: new Date(ms + MINUTE_MS).toISOString(),
            };
            const cut = (services: ServiceSample[]) => {
              const reading = sliceReading({ kind: 'ok', services }, minute);
              return reading?.kind === 'ok' ? seen(reading.services) : reading;
            };
            expect(cut(after)).toEqual(cut(before));
          }
        }
      ),
      { numRuns: 400 }
    );
    // Not vacuous: RequestCount was left out of many reads.
    expect(skipped).toBeGreaterThan(100);
  });
});
