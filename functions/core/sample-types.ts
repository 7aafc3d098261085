/**
 * What the metric sources read: the window judged, the discovery targets and their raw per-window and
 * per-period samples. Plain JSON: it travels in the Step Functions state.
 */

export interface TimeWindow {
  /** ISO-8601, inclusive, aligned to the metric period. */
  start: string;
  /** ISO-8601, exclusive, aligned to the metric period. */
  end: string;
}

/**
 * One discovery name to judge, as parsed from the input. Without `clusterName`/`serviceName` its metrics are
 * read by the single-dimension sets, which sum every cluster that uses the name; with them, by
 * `TargetDiscoveryName, ServiceName, ClusterName`, which AWS documents as the traffic to the name that comes
 * from that (calling) service in that cluster (docs/aws-facts.md §1.3).
 */
export interface DiscoveryTarget {
  discoveryName: string;
  /** Set together with `serviceName`. */
  clusterName?: string;
  serviceName?: string;
}

/**
 * Raw sums for one Service Connect discovery name over one window, as read from CloudWatch.
 * `null` means "no datapoints at all", which is different from zero.
 */
export interface ServiceSample extends DiscoveryTarget {
  /** HTTPCode_Target_2XX_Count Sum by TargetDiscoveryName. */
  http2xx: number | null;
  http3xx: number | null;
  http4xx: number | null;
  http5xx: number | null;
  /** RequestCount Sum by DiscoveryName (server side); not read for a scoped target. */
  requestCount: number | null;
  /** TargetResponseTime SampleCount summed over the window (a weight: ECS pre-aggregates, one sample is not one request). */
  latencySampleCount: number | null;
  /** TargetResponseTime Average weighted by SampleCount over the window, milliseconds. */
  latencyAvgMs: number | null;
  /** TargetResponseTime Maximum over the window, milliseconds. */
  latencyMaxMs: number | null;
  /** p99 where the source has it (AWS/ECS documents none); null otherwise. */
  latencyP99Ms: number | null;
  /**
   * ISO-8601 starts of the periods in the window with any HTTP status count or RequestCount datapoint, in any
   * order; empty when there is none. Tells which periods green had traffic data in (the bake counts only
   * those) and how far the data reached: a period CloudWatch has not published yet is missing here.
   */
  periodStarts: string[];
  /**
   * Per period with a status-code datapoint: requests with a status code and 5xx among them (what the
   * sequential test folds in, one period at a time). Absent from a source that does not report periods.
   */
  periods?: { start: string; requests: number; errors: number }[];
  /**
   * Each period's own values (ascending; periods without any datapoint left out), so that a read of several
   * minutes can be cut into the reading of each (reading-slice.ts, for the cadence's quiet looks). Absent from
   * a source that does not report them.
   */
  byPeriod?: PeriodSample[];
}

/** One period of a ServiceSample: what a read of that period alone returns (no p99: it does not add up). */
export type PeriodSample = { /** ISO-8601 start of the period. */ start: string } & Pick<
  ServiceSample,
  | 'http2xx'
  | 'http3xx'
  | 'http4xx'
  | 'http5xx'
  | 'requestCount'
  | 'latencySampleCount'
  | 'latencyAvgMs'
  | 'latencyMaxMs'
>;

/** What a metric source returned for one environment. A failure to measure is data, not an exception. */
export type MetricReading =
  | { kind: 'ok'; services: ServiceSample[] }
  | { kind: 'unavailable'; reason: string };
