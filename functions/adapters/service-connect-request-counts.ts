/**
 * RequestCount only where it can reach the core. It is the traffic of a window without status codes
 * (core/measure.ts: `requests = statusRequests ?? requestCount`) and marks a period with data
 * (`periodStarts`: the publication check, the bake; the reading slices); in a period that already has a status
 * datapoint it changes neither. So a read asks for the status counts first and for RequestCount only for the
 * bare targets whose status series miss a period of the range read: the values that reach the core are the
 * same as with RequestCount always read, and a healthy read bills one metric less per bare name
 * (GetMetricData bills each metric requested). The only difference: a sample whose RequestCount was not read
 * carries `requestCount: null` (and null in `byPeriod`), which no decision reads once every period has status
 * codes. Nothing is learned or carried between evaluations: every read decides from its own datapoints.
 *
 * Blue's RequestCount reaches a decision in one place only: blue's requests beside a blue latency average
 * (core/baseline.ts `blueLatencyOf`: the baseline, its `samples`); blue's error-rate baseline reads its status
 * counts alone, and no check, cursor, bake or publication look reads blue's minutes with data. So blue reads it
 * only for the names that miss a status count in a period where a blue name has a TargetResponseTime
 * datapoint (`blueRequestCountGaps`): a silent blue (100 % green) reads none.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Series } from '../core/sources.ts';
import type { MetricQuery } from '../core/state.ts';
import type { TimeWindow } from '../core/types.ts';
import { fetchMetricData } from './cloudwatch-metric-batch.ts';
import {
  batchOf,
  type PlannedQuery,
  plan,
  REQUEST_COUNT_QUERY,
  STATUS_FIELDS,
} from './service-connect-queries.ts';

/**
 * Whether target `index`'s status series hold a datapoint in every period of `range`. A range not aligned to
 * the period is never covered: RequestCount is read as before.
 */
function statusCovers(
  get: (id: string) => Series | undefined,
  index: number,
  range: TimeWindow,
  periodSeconds: number
): boolean {
  const periodMs = periodSeconds * 1_000;
  const startMs = Date.parse(range.start);
  const endMs = Date.parse(range.end);
  if (startMs % periodMs !== 0 || endMs % periodMs !== 0) return false;
  const seen = new Set(
    STATUS_FIELDS.flatMap((field) => get(`n${index}_${field}`)?.timestamps ?? [])
  );
  for (let start = startMs; start < endMs; start += periodMs) if (!seen.has(start)) return false;
  return true;
}

/**
 * The RequestCount queries a read still needs once its status counts over `range` are in (`get` by planned
 * id): one per bare target whose status series miss a period of `range`. Scoped targets read none (`plan`).
 *
 * @example
 * requestCountGaps(query, (id) => series.get(id), query.window); // => [] when every minute has status codes
 */
export function requestCountGaps(
  query: MetricQuery,
  get: (id: string) => Series | undefined,
  range: TimeWindow
): PlannedQuery[] {
  return plan(query.targets, [REQUEST_COUNT_QUERY]).filter(
    (planned) => !statusCovers(get, planned.index, range, query.periodSeconds)
  );
}

/** The TargetResponseTime statistics whose datapoints make a latency average (core/measure.ts). */
const LATENCY_FIELDS = ['latencyAvg', 'latencySamples'] as const;

/**
 * Blue's RequestCount queries (see the file comment): one per bare target whose status series miss a period in
 * which any target of `query` has a TargetResponseTime datapoint (Average or SampleCount). Any window of the
 * read with a blue latency average holds such a period, so a window whose blue requests would come from
 * RequestCount (none of the target's status counts in it) holds one the target misses; a target skipped here
 * changes no window that has a latency average, and blue's requests are read nowhere else.
 *
 * @example
 * blueRequestCountGaps(blue, (id) => series.get(`b${id}`)); // => [] when blue has no latency datapoint
 */
export function blueRequestCountGaps(
  query: MetricQuery,
  get: (id: string) => Series | undefined
): PlannedQuery[] {
  const latencyAt = new Set(
    query.targets.flatMap((_, index) =>
      LATENCY_FIELDS.flatMap((field) => get(`n${index}_${field}`)?.timestamps ?? [])
    )
  );
  return plan(query.targets, [REQUEST_COUNT_QUERY]).filter((planned) => {
    const statusAt = new Set(
      STATUS_FIELDS.flatMap((field) => get(`n${planned.index}_${field}`)?.timestamps ?? [])
    );
    return [...latencyAt].some((timestamp) => !statusAt.has(timestamp));
  });
}

/** One side of a read: its query, the prefix of its ids in `series`, and whether it is blue's. */
export interface CountedSide {
  query: MetricQuery;
  prefix: string;
  /** Blue: RequestCount only beside a latency datapoint (`blueRequestCountGaps`); else `requestCountGaps`. */
  blue?: boolean;
}

/**
 * `series` (status counts of `sides` over `range`, ids `<prefix>n<i>_<field>`) with the RequestCount series
 * the gaps need, read in one more GetMetricData call over `range` when there are any. Throws what
 * `fetchMetricData` throws (the caller's read is then unavailable, as one call failing would make it).
 */
export async function withRequestCounts(
  client: CloudWatchClient,
  sides: readonly CountedSide[],
  series: ReadonlyMap<string, Series>,
  range: TimeWindow
): Promise<Map<string, Series>> {
  const queries = sides.flatMap(({ query, prefix, blue }) => {
    const get = (id: string) => series.get(`${prefix}${id}`);
    const gaps =
      blue === true ? blueRequestCountGaps(query, get) : requestCountGaps(query, get, range);
    return batchOf(gaps, query, query.periodSeconds, prefix, false);
  });
  const merged = new Map(series);
  if (queries.length === 0) return merged;
  const counted = await fetchMetricData(client, queries, range);
  for (const [id, one] of counted.series) merged.set(id, one);
  return merged;
}
