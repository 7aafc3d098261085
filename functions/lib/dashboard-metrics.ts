/**
 * The figures the dashboard plots (template.yaml), in embedded metric format (no API call): green's share at
 * every change of it (shift, rollback, restore), and each evaluation's overall requests, 5xx and latency per
 * metric source and side, so that the dashboard computes the error rate with metric math, blue beside green.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Evaluation, WeightedPair } from '../core/types.ts';
import { startGreenPercent } from '../core/weights.ts';
import { figuresOf } from './evaluation-figures.ts';
import { publishMetric } from './powertools.ts';

/** Green's share now: the dashboard's weight line. */
export function publishGreenPercent(migrationId: string, greenPercent: number): void {
  publishMetric('GreenPercent', MetricUnit.Percent, greenPercent, { MigrationId: migrationId });
}

/**
 * Green's share once the snapshot is back (a rollback, on-execution-end's restore): without it the line
 * would stay at the last step's share.
 */
export function publishRestoredShare(migrationId: string, snapshot: readonly WeightedPair[]): void {
  publishGreenPercent(migrationId, startGreenPercent(snapshot));
}

/**
 * Overall figures of one evaluation: `Requests` and `Errors5xx` (the error rate's counts: the dashboard divides
 * them, so a rate over several evaluations weighs each by its requests) and `LatencyAvg`, each with the
 * dimensions MigrationId, Source and Side. Per-scope figures stay in the logs (one metric per discovery name
 * would cost a custom metric each).
 */
export function publishEvaluationFigures(migrationId: string, evaluation: Evaluation): void {
  for (const figure of figuresOf(evaluation)) {
    if (figure.scope !== 'overall' || figure.value === null) continue;
    const dimensions = { MigrationId: migrationId, Source: figure.source, Side: figure.side };
    if (figure.check === 'errorRate') {
      publishMetric('Requests', MetricUnit.Count, figure.requests, dimensions);
      publishMetric(
        'Errors5xx',
        MetricUnit.Count,
        Math.round((figure.value * figure.requests) / 100),
        dimensions
      );
    }
    if (figure.check === 'latencyAvg')
      publishMetric('LatencyAvg', MetricUnit.Milliseconds, figure.value, dimensions);
  }
}
