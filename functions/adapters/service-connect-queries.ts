/**
 * The Service Connect queries of one read, as data: which statistics of which discovery names (ids built from
 * the name's index), and how their series become `ServiceSample`s.
 */
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { Series } from '../core/sources.ts';
import type { MetricQuery } from '../core/state.ts';
import type { DiscoveryTarget, PeriodSample, ServiceSample } from '../core/types.ts';
import type { BatchQuery } from './cloudwatch-metric-batch.ts';

export type Field =
  | 'http2xx'
  | 'http3xx'
  | 'http4xx'
  | 'http5xx'
  | 'requestCount'
  | 'latencyAvg'
  | 'latencyMax'
  | 'latencySamples'
  | 'latencyP99';

export interface QuerySpec {
  field: Field;
  metricName: string;
  /** Server-side metrics use `DiscoveryName`; client-observed target metrics `TargetDiscoveryName`. */
  dimension: 'DiscoveryName' | 'TargetDiscoveryName';
  stat: string;
}

const BASE_QUERIES: readonly QuerySpec[] = [
  {
    field: 'http2xx',
    metricName: 'HTTPCode_Target_2XX_Count',
    dimension: 'TargetDiscoveryName',
    stat: 'Sum',
  },
  {
    field: 'http3xx',
    metricName: 'HTTPCode_Target_3XX_Count',
    dimension: 'TargetDiscoveryName',
    stat: 'Sum',
  },
  {
    field: 'http4xx',
    metricName: 'HTTPCode_Target_4XX_Count',
    dimension: 'TargetDiscoveryName',
    stat: 'Sum',
  },
  {
    field: 'http5xx',
    metricName: 'HTTPCode_Target_5XX_Count',
    dimension: 'TargetDiscoveryName',
    stat: 'Sum',
  },
  {
    field: 'latencyAvg',
    metricName: 'TargetResponseTime',
    dimension: 'TargetDiscoveryName',
    stat: 'Average',
  },
  {
    field: 'latencyMax',
    metricName: 'TargetResponseTime',
    dimension: 'TargetDiscoveryName',
    stat: 'Maximum',
  },
  {
    field: 'latencySamples',
    metricName: 'TargetResponseTime',
    dimension: 'TargetDiscoveryName',
    stat: 'SampleCount',
  },
];

/**
 * Server-side traffic, read only where it can reach the core: the traffic of a window without status codes
 * and a mark of the periods with data (core/measure.ts, reading-slice.ts; service-connect-request-counts.ts).
 */
export const REQUEST_COUNT_QUERY: QuerySpec = {
  field: 'requestCount',
  metricName: 'RequestCount',
  dimension: 'DiscoveryName',
  stat: 'Sum',
};

export const P99_QUERY: QuerySpec = {
  field: 'latencyP99',
  metricName: 'TargetResponseTime',
  dimension: 'TargetDiscoveryName',
  stat: 'p99',
};

/**
 * The statistics a query asks for first: the status counts always, the latency ones only when the query says a
 * check reads them (GetMetricData bills each metric requested). RequestCount comes after, where the status
 * counts leave a period uncovered (service-connect-request-counts.ts).
 */
export function specsFor(query: MetricQuery): QuerySpec[] {
  return BASE_QUERIES.filter((spec) => {
    if (spec.field === 'latencyAvg') return query.includeLatencyAvg;
    if (spec.field === 'latencyMax') return query.includeLatencyMax;
    // Every latency check reports its sample count (and the average is weighted by it).
    if (spec.field === 'latencySamples')
      return query.includeLatencyAvg || query.includeLatencyMax || query.includeP99;
    return true;
  });
}

export const STATUS_FIELDS = ['http2xx', 'http3xx', 'http4xx', 'http5xx'] as const;

export interface PlannedQuery {
  id: string;
  index: number;
  spec: QuerySpec;
}

/**
 * Query ids must match `[a-z][a-zA-Z0-9_]*`, and discovery names may hold any character, so ids are
 * built from the name's index, never from the name. A scoped target reads no RequestCount: its
 * server-side three-dimension set names the service that owns the name, not the calling service the
 * target is scoped to (docs/aws-facts.md §1.3), and the single-dimension one would count every cluster.
 */
export function plan(
  targets: readonly DiscoveryTarget[],
  specs: readonly QuerySpec[]
): PlannedQuery[] {
  return targets.flatMap((target, index) =>
    specs
      .filter(
        (spec) => target.clusterName === undefined || spec.dimension === 'TargetDiscoveryName'
      )
      .map((spec) => ({ id: `n${index}_${spec.field}`, index, spec }))
  );
}

/**
 * The dimension set of one target: the discovery name alone (every cluster and caller), or with the
 * calling `ServiceName` and its `ClusterName`.
 *
 * @example
 * dimensionsOf('TargetDiscoveryName', { discoveryName: 'orders', clusterName: 'prod', serviceName: 'gateway' });
 * // => [{ Name: 'TargetDiscoveryName', Value: 'orders' }, { Name: 'ServiceName', Value: 'gateway' }, { Name: 'ClusterName', Value: 'prod' }]
 */
export function dimensionsOf(
  dimension: QuerySpec['dimension'],
  target: DiscoveryTarget
): { Name: string; Value: string }[] {
  const name = { Name: dimension, Value: target.discoveryName };
  if (target.clusterName === undefined || target.serviceName === undefined) return [name];
  return [
    name,
    { Name: 'ServiceName', Value: target.serviceName },
    { Name: 'ClusterName', Value: target.clusterName },
  ];
}

export function toQuery(
  planned: PlannedQuery,
  query: MetricQuery,
  period: number
): MetricDataQuery {
  const target = query.targets[planned.index]!;
  return {
    Id: planned.id,
    // No Unit: a Unit that differs from the stored one yields no data (CloudWatch does not convert).
    MetricStat: {
      Metric: {
        Namespace: query.namespace,
        MetricName: planned.spec.metricName,
        Dimensions: dimensionsOf(planned.spec.dimension, target),
      },
      Period: period,
      Stat: planned.spec.stat,
    },
    ReturnData: true,
  };
}

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

export function batchOf(
  planned: readonly PlannedQuery[],
  query: MetricQuery,
  period: number,
  prefix: string,
  optional: boolean
): BatchQuery[] {
  return planned.map((p) => {
    const id = `${prefix}${p.id}`;
    return {
      query: { ...toQuery(p, query, period), Id: id },
      label: `${p.spec.metricName} ${p.spec.stat} of ${query.targets[p.index]?.discoveryName}`,
      optional,
      group: id,
    };
  });
}

/** Each target's sample from its series (`get` by the planned id), p99 from `p99` when read. */
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
