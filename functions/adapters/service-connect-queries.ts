/**
 * The Service Connect queries of one read, as data: which statistics of which discovery names (ids built from
 * the name's index), and the GetMetricData queries they become. Reading the answers back into
 * `ServiceSample`s is service-connect-samples.ts: building a request and parsing its result change for
 * different reasons (a new statistic vs a new way to fold periods).
 */
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { MetricQuery } from '../core/state.ts';
import type { DiscoveryTarget } from '../core/types.ts';
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
