/**
 * Everything one evaluation reads from GetMetricData, which bills each metric requested (not each minute):
 * - one call when there is nothing to split (no backlog, no publication look);
 * - otherwise green's status counts first, from the sequential tests' backlog start to the
 *   window's end (the backlog's minutes ride on the same queries), and the rest (green's latency, blue, the
 *   edge and custom series) over the window only when `judgeable` says the window may be judged: a
 *   publication look that finds green's newest minute missing pays for green's counts alone.
 * RequestCount is asked for in one more call only for the bare names whose status counts miss a period of the
 * range read, blue's only for those that miss one where a blue name has a latency datapoint
 * (service-connect-request-counts.ts): a read with status codes in every minute, or a silent blue, reads none.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Series, SeriesQuery } from '../core/sources.ts';
import type { CombinedQuery, CombinedReading, MetricQuery } from '../core/state.ts';
import type { MetricReading } from '../core/types.ts';
import {
  type BatchQuery,
  type BatchResult,
  fetchMetricData,
  fetchWithOptionalFallback,
  groupOf,
  toMetricDataQuery,
  unavailableReason,
} from './cloudwatch-metric-batch.ts';
import { batchOf, P99_QUERY, plan, specsFor } from './service-connect-queries.ts';
import { withRequestCounts } from './service-connect-request-counts.ts';
import { samplesOf } from './service-connect-samples.ts';

export function batchQueryOf(query: SeriesQuery): BatchQuery {
  return {
    query: toMetricDataQuery(query),
    label: query.label,
    optional: query.optional,
    group: groupOf(query),
  };
}

/**
 * The status counts only (RequestCount follows where they leave a period uncovered): what the publication
 * check, the backlog and the error rates read.
 */
const countsOnly = (query: MetricQuery): MetricQuery => ({
  ...query,
  includeP99: false,
  includeLatencyAvg: false,
  includeLatencyMax: false,
});

/** A side's queries over its window: the statistics `specsFor` picks (minus `except`), p99 as optional. */
function sideQueries(
  query: MetricQuery,
  prefix: string,
  except: ReadonlySet<string>
): BatchQuery[] {
  const windowSeconds = (Date.parse(query.window.end) - Date.parse(query.window.start)) / 1000;
  const specs = specsFor(query).filter((spec) => !except.has(spec.field));
  return [
    ...batchOf(plan(query.targets, specs), query, query.periodSeconds, prefix, false),
    // One period spanning the window: CloudWatch computes the window's p99 from raw data.
    ...(query.includeP99 && query.targets.length > 0 && windowSeconds > 0
      ? batchOf(plan(query.targets, [P99_QUERY]), query, windowSeconds, prefix, true)
      : []),
  ];
}

function unavailable(reason: string, blue: MetricQuery | null): CombinedReading {
  return {
    green: { kind: 'unavailable', reason },
    blue: blue === null ? null : { kind: 'unavailable', reason },
    series: { kind: 'unavailable', reason },
    backlog: null,
  };
}

/** The series' datapoints at or after (`after` true) or before `atMs`. */
function splitAt(series: ReadonlyMap<string, Series>, atMs: number, after: boolean) {
  const part = new Map<string, Series>();
  for (const [id, one] of series) {
    const keep = one.timestamps.map((t) => t >= atMs === after);
    part.set(id, {
      timestamps: one.timestamps.filter((_, i) => keep[i]),
      values: one.values.filter((_, i) => keep[i]),
    });
  }
  return part;
}

function assemble(
  combined: CombinedQuery,
  result: BatchResult,
  greenCounts: ReadonlyMap<string, Series>,
  backlog: MetricReading | null
): CombinedReading {
  const { green, blue } = combined;
  const p99Of = (prefix: string) => (id: string) =>
    result.failed.has(`${prefix}${id}`) ? undefined : result.series.get(`${prefix}${id}`);
  const get = (prefix: string) => (id: string) =>
    result.series.get(`${prefix}${id}`) ?? greenCounts.get(`${prefix}${id}`);
  return {
    green: {
      kind: 'ok',
      services: samplesOf(green, get('g'), green.includeP99 ? p99Of('g') : null),
    },
    blue:
      blue === null
        ? null
        : {
            kind: 'ok',
            services: samplesOf(blue, get('b'), blue.includeP99 ? p99Of('b') : null),
          },
    series: {
      kind: 'ok',
      series: Object.fromEntries([...result.series].filter(([id]) => id.startsWith('x'))),
      failed: Object.fromEntries([...result.failed].filter(([id]) => id.startsWith('x'))),
    },
    backlog,
  };
}

/**
 * Reads `combined` (see the file comment). Never throws: a failed call makes every side unavailable, as
 * one combined call would. `backlog` comes back only when `backlogFrom` was asked (null: none or not read),
 * so a caller that did not ask still reads the backlog on its own.
 */
export async function readCombined(
  client: CloudWatchClient,
  combined: CombinedQuery
): Promise<CombinedReading> {
  const { backlog, ...reading } = await read(client, combined);
  return combined.backlogFrom === undefined ? reading : { ...reading, backlog: backlog ?? null };
}

async function read(client: CloudWatchClient, combined: CombinedQuery): Promise<CombinedReading> {
  const { green, blue } = combined;
  const backlogFrom = combined.backlogFrom ?? null;
  const windowStartMs = Date.parse(green.window.start);
  const split =
    combined.judgeable !== undefined ||
    (backlogFrom !== null && Date.parse(backlogFrom) < windowStartMs);
  const none = new Set<string>();
  if (!split) {
    const queries = [
      ...sideQueries(green, 'g', none),
      ...(blue === null ? [] : sideQueries(blue, 'b', none)),
      ...combined.series.map(batchQueryOf),
    ];
    try {
      const result = await fetchWithOptionalFallback(client, queries, green.window);
      const sides = [
        { query: green, prefix: 'g' },
        ...(blue === null ? [] : [{ query: blue, prefix: 'b', blue: true }]),
      ];
      const series = await withRequestCounts(client, sides, result.series, green.window);
      return assemble(combined, { ...result, series }, new Map(), null);
    } catch (error) {
      return unavailable(unavailableReason(error), blue);
    }
  }

  const counts = countsOnly(green);
  const countFields = new Set(specsFor(counts).map((spec) => spec.field));
  const from = backlogFrom !== null && Date.parse(backlogFrom) < windowStartMs ? backlogFrom : null;
  let counted: Map<string, Series>;
  const range = { start: from ?? green.window.start, end: green.window.end };
  try {
    const result = await fetchMetricData(client, sideQueries(counts, 'g', none), range);
    counted = await withRequestCounts(
      client,
      [{ query: green, prefix: 'g' }],
      result.series,
      range
    );
  } catch (error) {
    return unavailable(unavailableReason(error), blue);
  }
  const inWindow = splitAt(counted, windowStartMs, true);
  const before = splitAt(counted, windowStartMs, false);
  const backlog: MetricReading | null =
    from === null
      ? null
      : { kind: 'ok', services: samplesOf(green, (id) => before.get(`g${id}`), null) };
  const greenCounts: MetricReading = {
    kind: 'ok',
    services: samplesOf(green, (id) => inWindow.get(`g${id}`), null),
  };
  if (combined.judgeable !== undefined && !combined.judgeable(greenCounts)) {
    const reason = "not read: green's newest minute is not published yet";
    return { green: greenCounts, blue: null, series: { kind: 'unavailable', reason }, backlog };
  }
  const rest = [
    ...sideQueries(green, 'g', countFields),
    ...(blue === null ? [] : sideQueries(blue, 'b', none)),
    ...combined.series.map(batchQueryOf),
  ];
  try {
    const result: BatchResult =
      rest.length === 0
        ? { series: new Map(), failed: new Map() }
        : await fetchWithOptionalFallback(client, rest, green.window);
    const series =
      blue === null
        ? result.series
        : await withRequestCounts(
            client,
            [{ query: blue, prefix: 'b', blue: true }],
            result.series,
            green.window
          );
    return assemble(combined, { ...result, series }, inWindow, backlog);
  } catch (error) {
    return unavailable(unavailableReason(error), blue);
  }
}
