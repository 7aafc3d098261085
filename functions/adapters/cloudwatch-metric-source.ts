/**
 * CloudWatch implementation of the `MetricSource` port: reads ECS Service Connect metrics with raw
 * `MetricStat` queries and aggregates them in TypeScript (no metric math: no local emulator runs it).
 */
import {
  type CloudWatchClient,
  type Dimension,
  type DimensionFilter,
  ListMetricsCommand,
  type ListMetricsCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchBusyError } from '../core/errors.ts';
import type { Series, SeriesQuery, SeriesReading } from '../core/sources.ts';
import type { CombinedQuery, CombinedReading, MetricQuery, MetricSource } from '../core/state.ts';
import type { DiscoveryTarget, MetricReading, TimeWindow } from '../core/types.ts';
import { batchQueryOf, readCombined } from './cloudwatch-combined-read.ts';
import {
  fetchMetricData,
  fetchWithOptionalFallback,
  unavailableReason,
} from './cloudwatch-metric-batch.ts';
import {
  batchOf,
  dimensionsOf,
  P99_QUERY,
  type PlannedQuery,
  plan,
  specsFor,
} from './service-connect-queries.ts';
import { withRequestCounts } from './service-connect-request-counts.ts';
import { samplesOf } from './service-connect-samples.ts';

export { dimensionsOf } from './service-connect-queries.ts';

/** ListMetrics pages followed per metric name. */
const MAX_LIST_PAGES = 50;

/** The metrics whose presence shows that a discovery name has HTTP telemetry (appProtocol set). */
const HTTP_METRICS = ['HTTPCode_Target_2XX_Count', 'HTTPCode_Target_5XX_Count'] as const;

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
   * One GetMetricData call per 500 queries (per discovery name: 4 status counts, plus Average with
   * `includeLatencyAvg`, Maximum with `includeLatencyMax`, and SampleCount with any latency statistic),
   * NextToken followed; then RequestCount for the bare names whose status counts miss a minute of the window
   * (service-connect-request-counts.ts; a scoped one reads none). A statistic not asked for reads as null.
   * p99 is asked in separate calls so that its failure (AWS/ECS documents no percentiles) only nulls p99.
   */
  async read(query: MetricQuery): Promise<MetricReading> {
    const planned = plan(query.targets, specsFor(query));
    let series: Map<string, Series>;
    try {
      series = await withRequestCounts(
        this.#client,
        [{ query, prefix: '' }],
        await this.#fetch(planned, query, query.periodSeconds),
        query.window
      );
    } catch (error) {
      return { kind: 'unavailable', reason: unavailableReason(error) };
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

    const services = samplesOf(query, (id) => series.get(id), p99 ? (id) => p99?.get(id) : null);
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
    return (
      await fetchMetricData(this.#client, batchOf(planned, query, period, '', false), query.window)
    ).series;
  }

  /**
   * Service Connect's green and blue reads and every other source's series (edge, custom), p99 included as
   * an optional query (a call that fails with optional queries in it is sent once more without them); green's
   * counts first, over the backlog too, when there is a backlog or a publication look (cloudwatch-combined-read.ts).
   */
  readAll(combined: CombinedQuery): Promise<CombinedReading> {
    return readCombined(this.#client, combined);
  }

  /** Arbitrary series over `window` in one batch; never throws (a failure is `unavailable`). */
  async readSeries(queries: readonly SeriesQuery[], window: TimeWindow): Promise<SeriesReading> {
    try {
      const result = await fetchWithOptionalFallback(
        this.#client,
        queries.map(batchQueryOf),
        window
      );
      return {
        kind: 'ok',
        series: Object.fromEntries(result.series),
        failed: Object.fromEntries(result.failed),
      };
    } catch (error) {
      return { kind: 'unavailable', reason: unavailableReason(error) };
    }
  }
}
