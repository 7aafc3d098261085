/**
 * CloudWatch implementation of the `MetricSource` port: reads ECS Service Connect metrics with raw
 * `MetricStat` queries and aggregates them in TypeScript (no metric math: no local emulator runs it).
 */
import {
  type CloudWatchClient,
  type Dimension,
  type DimensionFilter,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  ListMetricsCommand,
  type ListMetricsCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchBusyError } from '../core/errors.ts';
import type { MetricQuery, MetricSource } from '../core/state.ts';
import type { DiscoveryTarget, MetricReading, ServiceSample } from '../core/types.ts';

/** `MetricDataQuery` structures per GetMetricData call: a fixed AWS quota. */
const MAX_QUERIES_PER_CALL = 500;

/** Pages of one GetMetricData call we follow (a window of <= 3,600 s never needs more than one). */
const MAX_PAGES = 20;

/** ListMetrics pages followed per metric name. */
const MAX_LIST_PAGES = 50;

type Field =
  | 'http2xx'
  | 'http3xx'
  | 'http4xx'
  | 'http5xx'
  | 'requestCount'
  | 'latencyAvg'
  | 'latencyMax'
  | 'latencySamples'
  | 'latencyP99';

interface QuerySpec {
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
  { field: 'requestCount', metricName: 'RequestCount', dimension: 'DiscoveryName', stat: 'Sum' },
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

const P99_QUERY: QuerySpec = {
  field: 'latencyP99',
  metricName: 'TargetResponseTime',
  dimension: 'TargetDiscoveryName',
  stat: 'p99',
};

/**
 * The statistics a query asks for: the status counts and RequestCount always, the latency ones only when
 * the query says a check reads them (GetMetricData bills each metric requested).
 */
function specsFor(query: MetricQuery): QuerySpec[] {
  return BASE_QUERIES.filter((spec) => {
    if (spec.field === 'latencyAvg') return query.includeLatencyAvg;
    if (spec.field === 'latencyMax') return query.includeLatencyMax;
    // Every latency check reports its sample count (and the average is weighted by it).
    if (spec.field === 'latencySamples')
      return query.includeLatencyAvg || query.includeLatencyMax || query.includeP99;
    return true;
  });
}

/** The metrics whose presence shows that a discovery name has HTTP telemetry (appProtocol set). */
const HTTP_METRICS = ['HTTPCode_Target_2XX_Count', 'HTTPCode_Target_5XX_Count'] as const;

interface Series {
  timestamps: number[];
  values: number[];
}

interface PlannedQuery {
  id: string;
  index: number;
  spec: QuerySpec;
}

class Unavailable extends Error {
  override name = 'Unavailable' as const;
}

/**
 * Query ids must match `[a-z][a-zA-Z0-9_]*`, and discovery names may hold any character, so ids are
 * built from the name's index, never from the name. A scoped target reads no RequestCount: its
 * server-side three-dimension set names the service that owns the name, not the calling service the
 * target is scoped to (docs/aws-facts.md §1.3), and the single-dimension one would count every cluster.
 */
function plan(targets: readonly DiscoveryTarget[], specs: readonly QuerySpec[]): PlannedQuery[] {
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

function toQuery(planned: PlannedQuery, query: MetricQuery, period: number): MetricDataQuery {
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

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    out.push(items.slice(start, start + size));
  return out;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  return String(error);
}

function sum(series: Series | undefined): number | null {
  if (!series || series.values.length === 0) return null; // no datapoints is not zero
  return series.values.reduce((total, value) => total + value, 0);
}

function max(series: Series | undefined): number | null {
  if (!series || series.values.length === 0) return null;
  return Math.max(...series.values);
}

/** ISO starts of the periods with a datapoint in any of `series` (the request count series), each once. */
function periodStarts(series: readonly (Series | undefined)[]): string[] {
  const timestamps = new Set(series.flatMap((one) => one?.timestamps ?? []));
  return [...timestamps]
    .sort((a, b) => a - b)
    .map((timestamp) => new Date(timestamp).toISOString());
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

/** Average over the window, each period's average weighted by its SampleCount at the same timestamp. */
function weightedAverage(averages: Series | undefined, counts: Series | undefined): number | null {
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

const BUSY_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'LimitExceededException',
  'RequestLimitExceeded',
]);

/** Throttling and 5xx become CloudWatchBusyError (the state machine retries it); anything else is unchanged. */
function translateListError(error: unknown): unknown {
  const shaped = error as
    | { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } }
    | undefined;
  const serverFault =
    shaped?.$fault === 'server' || (shaped?.$metadata?.httpStatusCode ?? 0) >= 500;
  if (!BUSY_ERRORS.has(shaped?.name ?? '') && !serverFault) return error;
  return new CloudWatchBusyError(
    `ListMetrics: CloudWatch is busy (${shaped?.name}) after the SDK's retries; retry later`,
    {
      cause: error,
    }
  );
}

/**
 * Reads Service Connect metrics from CloudWatch. Never throws for metric problems: an SDK error, a
 * status other than `Complete` or an error message becomes `{ kind: 'unavailable', reason }`.
 *
 * @example
 * const source = new CloudWatchMetricSource(new CloudWatchClient({}));
 * const reading = await source.read({
 *   namespace: 'AWS/ECS', targets: [{ discoveryName: 'orders' }], periodSeconds: 60, includeP99: false,
 *   window: { start: '2026-09-14T10:00:00.000Z', end: '2026-09-14T10:05:00.000Z' },
 * });
 */
export class CloudWatchMetricSource implements MetricSource {
  readonly #client: CloudWatchClient;

  constructor(client: CloudWatchClient) {
    this.#client = client;
  }

  /**
   * One GetMetricData call per 500 queries (per bare discovery name: 5 status/request counts, plus Average with
   * `includeLatencyAvg`, Maximum with `includeLatencyMax`, and SampleCount with any latency statistic; a scoped
   * one reads no RequestCount), NextToken followed. A statistic not asked for reads as null. p99 is asked in separate calls
   * so that its failure (AWS/ECS documents no percentiles) only nulls p99.
   */
  async read(query: MetricQuery): Promise<MetricReading> {
    const planned = plan(query.targets, specsFor(query));
    let series: Map<string, Series>;
    try {
      series = await this.#fetch(planned, query, query.periodSeconds);
    } catch (error) {
      const reason =
        error instanceof Unavailable
          ? error.message
          : `GetMetricData failed: ${describeError(error)}`;
      return { kind: 'unavailable', reason };
    }

    let p99: Map<string, Series> | null = null;
    // One period spanning the whole window: CloudWatch computes the window's p99 from raw data,
    // which per-minute p99s could not be combined into. The window is period-aligned, so this is a
    // multiple of 60 as GetMetricData requires.
    const windowSeconds = (Date.parse(query.window.end) - Date.parse(query.window.start)) / 1000;
    if (query.includeP99 && query.targets.length > 0 && windowSeconds > 0) {
      try {
        p99 = await this.#fetch(plan(query.targets, [P99_QUERY]), query, windowSeconds);
      } catch {
        // Deliberately swallowed: a missing p99 is judged Inconclusive by the core, not an Error.
        p99 = null;
      }
    }

    const services: ServiceSample[] = query.targets.map((target, index) => {
      const get = (field: Field) => series.get(`n${index}_${field}`);
      return {
        ...target,
        http2xx: sum(get('http2xx')),
        http3xx: sum(get('http3xx')),
        http4xx: sum(get('http4xx')),
        http5xx: sum(get('http5xx')),
        requestCount: sum(get('requestCount')),
        latencySampleCount: sum(get('latencySamples')),
        latencyAvgMs: weightedAverage(get('latencyAvg'), get('latencySamples')),
        latencyMaxMs: max(get('latencyMax')),
        latencyP99Ms: p99 ? max(p99.get(`n${index}_latencyP99`)) : null,
        periodStarts: periodStarts(
          (['http2xx', 'http3xx', 'http4xx', 'http5xx', 'requestCount'] as const).map(get)
        ),
        periods: statusPeriods(
          (['http2xx', 'http3xx', 'http4xx', 'http5xx'] as const).map(get),
          get('http5xx')
        ),
      };
    });
    return { kind: 'ok', services };
  }

  /**
   * The targets among `targets` that published HTTP metrics in the last 3 hours (ListMetrics
   * `RecentlyActive: PT3H`, the only value AWS accepts), read with the same dimension set as `read`: a bare
   * name by `TargetDiscoveryName` alone, a scoped one by `TargetDiscoveryName, ServiceName, ClusterName`. A
   * name without them has no `appProtocol` (or, scoped, that service does not call it) and cannot be judged.
   * SDK errors are re-thrown.
   */
  async listDiscoveryNamesWithHttpMetrics(
    namespace: string,
    targets: readonly DiscoveryTarget[]
  ): Promise<DiscoveryTarget[]> {
    const found = new Set<number>();
    const unscoped = targets.flatMap((target, index) =>
      target.clusterName === undefined ? [{ target, index }] : []
    );
    const scoped = targets.flatMap((target, index) =>
      target.clusterName === undefined ? [] : [{ target, index }]
    );
    for (const metricName of HTTP_METRICS) {
      if (unscoped.length > 0) {
        const metrics = await this.#listMetrics(namespace, metricName, [
          { Name: 'TargetDiscoveryName' },
        ]);
        for (const { target, index } of unscoped) {
          const named = (dims: Dimension[]) =>
            dims.some((d) => d.Name === 'TargetDiscoveryName' && d.Value === target.discoveryName);
          if (metrics.some(named)) found.add(index);
        }
      }
      for (const { target, index } of scoped) {
        const wanted = dimensionsOf('TargetDiscoveryName', target);
        const metrics = await this.#listMetrics(namespace, metricName, wanted);
        const same = (dims: Dimension[]) =>
          dims.length === wanted.length &&
          wanted.every((w) => dims.some((d) => d.Name === w.Name && d.Value === w.Value));
        if (metrics.some(same)) found.add(index);
      }
    }
    return targets.filter((_, index) => found.has(index));
  }

  /** The dimension lists of the metrics ListMetrics finds (pages followed); SDK errors translated. */
  async #listMetrics(
    namespace: string,
    metricName: string,
    dimensions: DimensionFilter[]
  ): Promise<Dimension[][]> {
    const found: Dimension[][] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const out: ListMetricsCommandOutput = await this.#client
        .send(
          new ListMetricsCommand({
            Namespace: namespace,
            MetricName: metricName,
            Dimensions: dimensions,
            RecentlyActive: 'PT3H',
            ...(nextToken ? { NextToken: nextToken } : {}),
          })
        )
        .catch((error: unknown) => {
          throw translateListError(error);
        });
      for (const metric of out.Metrics ?? []) found.push(metric.Dimensions ?? []);
      nextToken = out.NextToken;
      if (!nextToken) break;
    }
    return found;
  }

  /** Runs the planned queries in calls of <= 500; throws `Unavailable` or the SDK error. */
  async #fetch(
    planned: readonly PlannedQuery[],
    query: MetricQuery,
    period: number
  ): Promise<Map<string, Series>> {
    const series = new Map<string, Series>();
    for (const chunk of chunks(planned, MAX_QUERIES_PER_CALL)) {
      const status = new Map<string, string>();
      const labels = new Map(
        chunk.map((p) => [
          p.id,
          `${p.spec.metricName} ${p.spec.stat} of ${query.targets[p.index]?.discoveryName}`,
        ])
      );
      let nextToken: string | undefined;
      let page = 0;
      do {
        if (page++ >= MAX_PAGES) {
          throw new Unavailable(`GetMetricData: more than ${MAX_PAGES} pages; giving up`);
        }
        const out: GetMetricDataCommandOutput = await this.#client.send(
          new GetMetricDataCommand({
            MetricDataQueries: chunk.map((p) => toQuery(p, query, period)),
            StartTime: new Date(query.window.start),
            EndTime: new Date(query.window.end),
            ...(nextToken ? { NextToken: nextToken } : {}),
          })
        );
        const messages = (out.Messages ?? []).map((m) => `${m.Code ?? ''} ${m.Value ?? ''}`.trim());
        if (messages.length > 0) throw new Unavailable(`GetMetricData: ${messages.join('; ')}`);
        for (const result of out.MetricDataResults ?? []) {
          const id = result.Id ?? '';
          const resultMessages = (result.Messages ?? []).map((m) =>
            `${m.Code ?? ''} ${m.Value ?? ''}`.trim()
          );
          if (resultMessages.length > 0) {
            throw new Unavailable(`${labels.get(id) ?? id}: ${resultMessages.join('; ')}`);
          }
          // PartialData with a NextToken means "more pages"; only the status of the last page counts.
          status.set(id, result.StatusCode ?? 'Complete');
          const entry = series.get(id) ?? { timestamps: [], values: [] };
          (result.Timestamps ?? []).forEach((timestamp, i) => {
            const value = result.Values?.[i];
            if (value === undefined) return;
            entry.timestamps.push(new Date(timestamp).getTime());
            entry.values.push(value);
          });
          series.set(id, entry);
        }
        nextToken = out.NextToken;
      } while (nextToken);

      for (const p of chunk) {
        const code = status.get(p.id);
        if (code === undefined) throw new Unavailable(`${labels.get(p.id)}: no result returned`);
        if (code !== 'Complete') throw new Unavailable(`${labels.get(p.id)}: status ${code}`);
      }
    }
    return series;
  }
}
