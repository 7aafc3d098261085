/**
 * Which CloudWatch statistics an evaluation must read: GetMetricData bills every metric requested ($0.01 per
 * 1,000), so a statistic no configured check reads is not asked for. The error-rate checks always need the
 * HTTP status counts, and RequestCount (the traffic fallback and the periods with data) where those miss a
 * minute (the adapter decides that from the datapoints: adapters/service-connect-request-counts.ts); the
 * latency ones only what their check reads.
 */
import type { MigrationInput } from './input.ts';
import type { MetricQuery } from './state.ts';

export type MetricStatistics = Pick<
  MetricQuery,
  'includeP99' | 'includeLatencyAvg' | 'includeLatencyMax'
>;

/**
 * The statistics of green's and blue's reads. Blue is read only for the baseline comparison (its error rate
 * and latency average), so it never needs Maximum or p99; without blue names there is no blue read (null).
 *
 * @example
 * metricStatistics(input); // => { green: { includeP99: false, includeLatencyAvg: true, includeLatencyMax: false }, blue: { … } }
 */
export function metricStatistics(input: MigrationInput): {
  green: MetricStatistics;
  blue: MetricStatistics | null;
} {
  const { thresholds, metrics } = input;
  const withBlue = (metrics.blueDiscoveryNames ?? []).length > 0;
  return {
    green: {
      includeP99: thresholds.latencyP99MaxMs !== undefined,
      // The baseline latency check judges green's average against blue's.
      includeLatencyAvg: thresholds.latencyAvgMaxMs !== undefined || withBlue,
      includeLatencyMax: thresholds.latencyMaxMs !== undefined,
    },
    blue: withBlue
      ? { includeP99: false, includeLatencyAvg: true, includeLatencyMax: false }
      : null,
  };
}
