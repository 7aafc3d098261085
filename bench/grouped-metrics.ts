/**
 * A second count of the GetMetricData metrics the bench records (bench/cost.ts prices the per-query count).
 */
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';

/**
 * The metrics one GetMetricData request bills if AWS counts "up to five statistics for the same metric in a
 * single GetMetricData API request" as one metric (the CloudWatch pricing page's sentence; "additional
 * statistics are billed as an additional metric"): per metric (namespace, name, dimensions) ceil(statistics /
 * 5), each expression one. Its reading is disputed (prometheus/cloudwatch_exporter#482 counts every query,
 * prometheus-community/yet-another-cloudwatch-exporter#1919 groups), so it is reported beside the per-query
 * count, which is what is priced.
 *
 * @example
 * metricsIfStatisticsGrouped([avgOfOrders, sampleCountOfOrders, sumOfPayments]); // => 2
 */
export function metricsIfStatisticsGrouped(queries: readonly MetricDataQuery[]): number {
  const statistics = new Map<string, number>();
  let expressions = 0;
  for (const query of queries) {
    const metric = query.MetricStat?.Metric;
    if (metric === undefined) {
      if (query.Expression !== undefined) expressions++;
      continue;
    }
    const dimensions = (metric.Dimensions ?? [])
      .map((d) => `${d.Name}=${d.Value}`)
      .sort()
      .join(',');
    const key = JSON.stringify([metric.Namespace, metric.MetricName, dimensions]);
    statistics.set(key, (statistics.get(key) ?? 0) + 1);
  }
  return expressions + [...statistics.values()].reduce((sum, n) => sum + Math.ceil(n / 5), 0);
}
