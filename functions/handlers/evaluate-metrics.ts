/**
 * EvaluateMetrics: reads green's (and blue's) Service Connect metrics for the current window, judges them and
 * decides. A regression is a decision (`rollback`) returned as data, never an exception.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CloudWatchMetricSource } from '../adapters/cloudwatch-metric-source.ts';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import { metricStatistics } from '../core/metric-statistics.ts';
import { awaitPublication } from '../core/publication.ts';
import { afterEvaluation } from '../core/run.ts';
import type { Clock, MetricSource, Notifier, RunState } from '../core/state.ts';
import type { Evaluation, TimeWindow } from '../core/types.ts';
import { Action, Verdict } from '../core/types.ts';
import { backlogStart, evaluate } from '../core/verdict.ts';
import { evaluationWindow } from '../core/window.ts';
import { systemClock } from '../lib/clock.ts';
import { lazy } from '../lib/lazy.ts';
import { lambda } from '../lib/middy.ts';
import { notifySafely } from '../lib/notify.ts';
import { logger, publishMetric } from '../lib/powertools.ts';

export interface EvaluateMetricsDeps {
  metrics: MetricSource;
  clock: Clock;
  notifier?: Notifier;
}

/**
 * Reads green, and blue only once green's newest minute is there: a look that finds it unpublished
 * returns the polled state (publication.ts) without reading blue or judging.
 */
async function judge(
  state: RunState,
  window: TimeWindow,
  source: MetricSource,
  now: Date
): Promise<Evaluation | RunState> {
  const settings = state.input.metrics;
  const query = { namespace: settings.namespace, window, periodSeconds: settings.periodSeconds };
  const statistics = metricStatistics(state.input);
  const blueNames = settings.blueDiscoveryNames ?? [];
  const green = await source.read({
    ...query,
    ...statistics.green,
    targets: settings.greenDiscoveryNames,
  });
  const polled = awaitPublication(state, window, green, now);
  if (polled !== null) return polled;
  const blue =
    statistics.blue !== null && blueNames.length > 0
      ? await source.read({ ...query, ...statistics.blue, targets: blueNames })
      : null;
  // The minutes of the shift's ramp, for the sequential tests only: status counts, no latency.
  const from = backlogStart(state.status.sequential, window, settings.windowSeconds);
  const backlog =
    from === null
      ? null
      : await source.read({
          ...query,
          window: { start: from, end: window.start },
          includeP99: false,
          includeLatencyAvg: false,
          includeLatencyMax: false,
          targets: settings.greenDiscoveryNames,
        });
  return evaluate(
    green,
    blue,
    state.input,
    window,
    state.status.blueLatency ?? null,
    state.status.sequential ?? null,
    backlog
  );
}

export async function evaluateMetrics(
  state: RunState,
  deps: EvaluateMetricsDeps
): Promise<RunState> {
  const now = deps.clock.now();
  // The window starts at the status's cursor: consecutive evaluations judge new data (design.md §4 "Window").
  const window = evaluationWindow(now, state.status, state.input.metrics);
  const judged: Evaluation | RunState =
    window === null
      ? {
          verdict: Verdict.Inconclusive,
          reason:
            'no new complete metric window yet (since the step became judgeable or since the last judged window)',
          assessments: [],
          window: null,
        }
      : await judge(state, window, deps.metrics, now);
  if ('input' in judged) {
    logger.info('awaiting publication', {
      migrationId: state.input.migrationId,
      window,
      decision: judged.decision,
    });
    return judged;
  }
  const evaluation = judged;
  const next = afterEvaluation(state, evaluation, now);
  const migration = { MigrationId: state.input.migrationId };
  publishMetric('GreenPercent', MetricUnit.Percent, state.status.greenPercent, migration);
  publishMetric('Verdicts', MetricUnit.Count, 1, { ...migration, Verdict: evaluation.verdict });
  logger.info('evaluated', {
    migrationId: state.input.migrationId,
    greenPercent: state.status.greenPercent,
    window: evaluation.window,
    verdict: evaluation.verdict,
    assessments: evaluation.assessments,
    decision: next.decision,
    status: next.status,
  });
  // The step is done when the run moves on from it; the shift itself is announced by its weights.
  if (next.decision?.action === Action.Advance || next.decision?.action === Action.Complete) {
    await notifySafely(deps.notifier, {
      type: 'StepCompleted',
      migrationId: state.input.migrationId,
      executionArn: state.run.executionArn,
      greenPercent: state.status.greenPercent,
      reason: next.decision.reason,
      at: now.toISOString(),
    });
  }
  return next;
}

export function createEvaluateMetricsHandler(deps: EvaluateMetricsDeps) {
  return lambda((state: RunState) => evaluateMetrics(state, deps));
}

export const handler = createEvaluateMetricsHandler({
  metrics: new CloudWatchMetricSource(new CloudWatchClient({})),
  // Only a completed step notifies: most evaluations never need the client.
  notifier: lazy(() => new EventBridgeNotifier(new EventBridgeClient({}), {})),
  clock: systemClock,
});
