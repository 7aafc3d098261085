/**
 * The bench's second count of GetMetricData metrics (bench/grouped-metrics.ts): what a request
 * bills if up to five statistics of one metric in one request count as one metric. Built from the queries the
 * adapter really sends (service-connect-queries.ts), so it follows the request, not a per-name constant.
 */
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { metricsIfStatisticsGrouped } from '../../../bench/grouped-metrics.ts';
import {
  batchOf,
  P99_QUERY,
  plan,
  specsFor,
} from '../../../functions/adapters/service-connect-queries.ts';
import type { MetricQuery } from '../../../functions/core/state.ts';

const query: MetricQuery = {
  namespace: 'AWS/ECS',
  targets: [{ discoveryName: 'orders' }, { discoveryName: 'payments' }],
  window: { start: '2026-09-14T10:00:00.000Z', end: '2026-09-14T10:05:00.000Z' },
  periodSeconds: 60,
  includeP99: true,
  includeLatencyAvg: true,
  includeLatencyMax: true,
};

const sent = (specs: Parameters<typeof plan>[1]) =>
  batchOf(plan(query.targets, specs), query, 60, 'g', false).map((batch) => batch.query);

describe('Function: metricsIfStatisticsGrouped', () => {
  it('counts each status count apart and the latency statistics of one name as one metric', () => {
    // Act
    const queries = [...sent(specsFor(query)), ...sent([P99_QUERY])];

    // Assess: per name 4 status counts + TargetResponseTime (Average, Maximum, SampleCount, p99: 4 <= 5)
    expect(queries).toHaveLength(2 * 8);
    expect(metricsIfStatisticsGrouped(queries)).toBe(2 * 5);
  });

  it('bills a sixth statistic of one metric as another, each expression as one, dimension order aside', () => {
    // Prepare
    const metric = (dimensions: { Name: string; Value: string }[]): MetricDataQuery => ({
      Id: 'm',
      MetricStat: {
        Metric: { Namespace: 'N', MetricName: 'M', Dimensions: dimensions },
        Period: 60,
        Stat: 'Sum',
      },
    });
    const ab = [
      { Name: 'a', Value: '1' },
      { Name: 'b', Value: '2' },
    ];

    // Act
    const five = Array.from({ length: 5 }, (_, i) => metric(i === 0 ? [...ab].reverse() : ab));
    const fiveCount = metricsIfStatisticsGrouped(five);
    const sixCount = metricsIfStatisticsGrouped([
      ...five,
      metric(ab),
      { Id: 'e', Expression: 'm1 / m2' },
    ]);

    // Assess
    expect(fiveCount).toBe(1);
    expect(sixCount).toBe(2 + 1);
  });
});
