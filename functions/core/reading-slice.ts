/**
 * A reading of several minutes cut into the reading of a shorter window, as a read of that window would
 * have returned it: what lets a quiet look (cadence.ts) read its minutes once (GetMetricData bills per
 * metric, not per minute) and judge them one by one (cadence-fold.ts).
 */
import { maxKnown, sumKnown } from './measure.ts';
import type { MetricReading, PeriodSample, ServiceSample, TimeWindow } from './types.ts';

const STATUS_FIELDS = ['http2xx', 'http3xx', 'http4xx', 'http5xx'] as const;

/**
 * One sample cut to `[startMs, endMs)` from its per-period values, with the adapter's rules: sums of the
 * periods with a datapoint (none: null), the average weighted by each period's SampleCount, the largest
 * maximum, the periods with a status or request datapoint, and per-period status counts. No p99 (percentiles
 * do not add up: the cadence stays at one minute when a p99 check is configured).
 */
function sliceSample(
  sample: ServiceSample,
  byPeriod: readonly PeriodSample[],
  startMs: number,
  endMs: number
): ServiceSample {
  // `byPeriod` is ascending, as the adapter's periods are.
  const parts = byPeriod.filter(
    (part) => Date.parse(part.start) >= startMs && Date.parse(part.start) < endMs
  );
  // A period's average comes with its SampleCount (the adapter keeps none without): weighted by it.
  const weighted = parts.filter((part) => part.latencyAvgMs !== null);
  const samples = weighted.reduce((sum, part) => sum + (part.latencySampleCount ?? 0), 0);
  const withStatus = parts.filter((part) => STATUS_FIELDS.some((field) => part[field] !== null));
  const { byPeriod: _whole, ...target } = sample;
  return {
    ...target,
    http2xx: sumKnown(parts.map((part) => part.http2xx)),
    http3xx: sumKnown(parts.map((part) => part.http3xx)),
    http4xx: sumKnown(parts.map((part) => part.http4xx)),
    http5xx: sumKnown(parts.map((part) => part.http5xx)),
    requestCount: sumKnown(parts.map((part) => part.requestCount)),
    latencySampleCount: sumKnown(parts.map((part) => part.latencySampleCount)),
    latencyAvgMs:
      samples > 0
        ? weighted.reduce(
            (sum, part) => sum + (part.latencyAvgMs as number) * (part.latencySampleCount ?? 0),
            0
          ) / samples
        : null,
    latencyMaxMs: maxKnown(parts.map((part) => part.latencyMaxMs)),
    latencyP99Ms: null,
    periodStarts: parts
      .filter((part) => part.requestCount !== null || withStatus.includes(part))
      .map((part) => part.start),
    ...(sample.periods === undefined
      ? {}
      : {
          periods: withStatus.map((part) => ({
            start: part.start,
            requests: sumKnown(STATUS_FIELDS.map((field) => part[field])) as number,
            errors: part.http5xx ?? 0,
          })),
        }),
    byPeriod: parts,
  };
}

/**
 * `reading` cut to `window`; an unavailable reading stays as it is. Null when a sample has no per-period
 * values (`byPeriod`): such a source cannot be cut, and its minutes are judged as one window.
 *
 * @example
 * sliceReading(readingOf10To14, { start: '…T10:12:00.000Z', end: '…T10:13:00.000Z' }); // => the reading of 10:12-10:13
 */
export function sliceReading(reading: MetricReading, window: TimeWindow): MetricReading | null {
  if (reading.kind === 'unavailable') return reading;
  const startMs = Date.parse(window.start);
  const endMs = Date.parse(window.end);
  const services: ServiceSample[] = [];
  for (const sample of reading.services) {
    if (sample.byPeriod === undefined) return null;
    services.push(sliceSample(sample, sample.byPeriod, startMs, endMs));
  }
  return { kind: 'ok', services };
}
