/**
 * Turns the series of a Service Connect read (ids planned by service-connect-queries.ts) into one
 * `ServiceSample` per discovery name: window sums, the weighted latency average, the periods with data and
 * each period's own values. Kept apart from the query building: it only parses results, no request shape.
 */
import type { Series } from '../core/sources.ts';
import type { MetricQuery } from '../core/state.ts';
import type { PeriodSample, ServiceSample } from '../core/types.ts';
import { type Field, STATUS_FIELDS } from './service-connect-queries.ts';

export function sum(series: Series | undefined): number | null {
  if (!series || series.values.length === 0) return null; // no datapoints is not zero
  return series.values.reduce((total, value) => total + value, 0);
}

export function max(series: Series | undefined): number | null {
  if (!series || series.values.length === 0) return null;
  return Math.max(...series.values);
}

/** ISO starts of the periods with a datapoint in any of `series` (the request count series), each once. */
export function periodStarts(series: readonly (Series | undefined)[]): string[] {
  const timestamps = new Set(series.flatMap((one) => one?.timestamps ?? []));
  return [...timestamps]
    .sort((a, b) => a - b)
    .map((timestamp) => new Date(timestamp).toISOString());
}

/** Average over the window, each period's average weighted by its SampleCount at the same timestamp. */
export function weightedAverage(
  averages: Series | undefined,
  counts: Series | undefined
): number | null {
  if (!averages || !counts) return null;
  const countAt = new Map<number, number>();
  counts.timestamps.forEach((timestamp, i) => {
    countAt.set(timestamp, (countAt.get(timestamp) ?? 0) + counts.values[i]!);
  });
  let weighted = 0;
  let samples = 0;
  averages.timestamps.forEach((timestamp, i) => {
    const count = countAt.get(timestamp);
    if (count === undefined || count <= 0) return;
    weighted += averages.values[i]! * count;
    samples += count;
  });
  return samples > 0 ? weighted / samples : null;
}

/**
 * Per period with any status-code datapoint: the status counts summed and the 5xx among them (a missing 5xx
 * datapoint next to other status counts is 0, as in the window sums). What the sequential test folds in.
 */
function statusPeriods(
  statusSeries: readonly (Series | undefined)[],
  errorSeries: Series | undefined
): { start: string; requests: number; errors: number }[] {
  const byTime = new Map<number, { requests: number; errors: number }>();
  for (const series of statusSeries) {
    series?.timestamps.forEach((timestamp, i) => {
      const entry = byTime.get(timestamp) ?? { requests: 0, errors: 0 };
      entry.requests += series.values[i]!;
      byTime.set(timestamp, entry);
    });
  }
  errorSeries?.timestamps.forEach((timestamp, i) => {
    const entry = byTime.get(timestamp);
    if (entry !== undefined) entry.errors += errorSeries.values[i]!;
  });
  return [...byTime]
    .sort(([a], [b]) => a - b)
    .map(([timestamp, counts]) => ({ start: new Date(timestamp).toISOString(), ...counts }));
}

const PERIOD_FIELDS = [
  'http2xx',
  'http3xx',
  'http4xx',
  'http5xx',
  'requestCount',
  'latencySamples',
  'latencyAvg',
  'latencyMax',
] as const;

/**
 * Each period's own values (what a read of that period alone returns; no p99): lets the core cut a read of
 * several minutes into one reading per minute (core/reading-slice.ts) instead of reading each minute.
 */
function periodSamples(field: (name: Field) => Series | undefined): PeriodSample[] {
  const byTime = new Map<number, Partial<Record<(typeof PERIOD_FIELDS)[number], number>>>();
  for (const name of PERIOD_FIELDS) {
    const series = field(name);
    series?.timestamps.forEach((timestamp, i) => {
      const entry = byTime.get(timestamp) ?? {};
      entry[name] = (entry[name] ?? 0) + series.values[i]!;
      byTime.set(timestamp, entry);
    });
  }
  return [...byTime]
    .sort(([a], [b]) => a - b)
    .map(([timestamp, values]) => ({
      start: new Date(timestamp).toISOString(),
      http2xx: values.http2xx ?? null,
      http3xx: values.http3xx ?? null,
      http4xx: values.http4xx ?? null,
      http5xx: values.http5xx ?? null,
      requestCount: values.requestCount ?? null,
      latencySampleCount: values.latencySamples ?? null,
      latencyAvgMs:
        values.latencyAvg !== undefined && (values.latencySamples ?? 0) > 0
          ? values.latencyAvg
          : null,
      latencyMaxMs: values.latencyMax ?? null,
    }));
}

/** Each target's sample from its series (`get` by the planned id), p99 from `p99` when read. */
export function samplesOf(
  query: MetricQuery,
  get: (id: string) => Series | undefined,
  p99: ((id: string) => Series | undefined) | null
): ServiceSample[] {
  return query.targets.map((target, index) => {
    const field = (name: Field) => get(`n${index}_${name}`);
    return {
      ...target,
      http2xx: sum(field('http2xx')),
      http3xx: sum(field('http3xx')),
      http4xx: sum(field('http4xx')),
      http5xx: sum(field('http5xx')),
      requestCount: sum(field('requestCount')),
      latencySampleCount: sum(field('latencySamples')),
      latencyAvgMs: weightedAverage(field('latencyAvg'), field('latencySamples')),
      latencyMaxMs: max(field('latencyMax')),
      latencyP99Ms: p99 ? max(p99(`n${index}_latencyP99`)) : null,
      periodStarts: periodStarts(
        (['http2xx', 'http3xx', 'http4xx', 'http5xx', 'requestCount'] as const).map(field)
      ),
      periods: statusPeriods(STATUS_FIELDS.map(field), field('http5xx')),
      byPeriod: periodSamples(field),
    };
  });
}
