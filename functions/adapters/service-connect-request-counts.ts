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

/** One side of a read: its query, the prefix of its ids in `series`. */
export interface CountedSide {
  query: MetricQuery;
  prefix: string;
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
  const queries = sides.flatMap(({ query, prefix }) =>
    batchOf(
      requestCountGaps(query, (id) => series.get(`${prefix}${id}`), range),
      query,
      query.periodSeconds,
      prefix,
      false
    )
  );
  const merged = new Map(series);
  if (queries.length === 0) return merged;
  const counted = await fetchMetricData(client, queries, range);
  for (const [id, one] of counted.series) merged.set(id, one);
  return merged;
}
