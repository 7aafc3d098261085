/**
 * EvaluateMetrics: reads green's (and blue's) Service Connect metrics for the current window, judges them and
 * decides. A regression is a decision (`rollback`) returned as data, never an exception.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CloudWatchMetricSource } from '../adapters/cloudwatch-metric-source.ts';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import { type ControlState, controlledDecision } from '../core/control.ts';
import { metricStatistics } from '../core/metric-statistics.ts';
import type { MigrationRegistry } from '../core/registry.ts';
import { afterEvaluation } from '../core/run.ts';
import type { Clock, MetricSource, Notifier, RunState } from '../core/state.ts';
import type { Evaluation, TimeWindow } from '../core/types.ts';
import { Action, Verdict } from '../core/types.ts';
import { evaluate } from '../core/verdict.ts';
import { evaluationWindow } from '../core/window.ts';
import { systemClock } from '../lib/clock.ts';
import { publishEvaluationFigures } from '../lib/dashboard-metrics.ts';
import { lambda } from '../lib/middy.ts';
import { notifySafely } from '../lib/notify.ts';
import { logger, publishMetric } from '../lib/powertools.ts';
import { registryFromEnv } from '../lib/registry-from-env.ts';

export interface EvaluateMetricsDeps {
  metrics: MetricSource;
  clock: Clock;
  notifier?: Notifier;
  /** Where operator control is read (pause, promote: core/control.ts); absent: no control. */
  registry?: Pick<MigrationRegistry, 'get'>;
}

/**
 * The operator's requests for this migration, read at every evaluation. Unreadable (registry busy or down):
 * `unknown`, and the run holds rather than advance past a pause it cannot see.
 */
async function readControl(
  registry: EvaluateMetricsDeps['registry'],
  migrationId: string
): Promise<ControlState | null | 'unknown'> {
  if (registry === undefined) return null;
  try {
    return (await registry.get(migrationId))?.control ?? null;
  } catch (error) {
    logger.warn('control unreadable: holding instead of advancing', { migrationId, error });
    return 'unknown';
  }
}

/** The judge's decision after the operator's requests (design.md "Operator control"). */
function withControl(
  state: RunState,
  control: ControlState | null | 'unknown',
  now: Date
): RunState {
  const decision = state.decision;
  if (decision === null || control === null || state.evaluation === null) return state;
  if (control === 'unknown') {
    if (decision.action !== Action.Advance && decision.action !== Action.Complete) return state;
    const reason = `operator control unreadable (migration registry): holding; ${decision.reason}`;
    return { ...state, decision: { action: Action.Hold, reason } };
  }
  const controlled = controlledDecision({
    decision,
    greenPercent: state.status.greenPercent,
    verdict: state.evaluation.verdict,
    control,
    now,
  });
  return { ...state, decision: controlled };
}

async function judge(
  state: RunState,
  window: TimeWindow,
  source: MetricSource
): Promise<Evaluation> {
  const settings = state.input.metrics;
  const query = { namespace: settings.namespace, window, periodSeconds: settings.periodSeconds };
  const statistics = metricStatistics(state.input);
  const blueNames = settings.blueDiscoveryNames ?? [];
  const [green, blue] = await Promise.all([
    source.read({ ...query, ...statistics.green, targets: settings.greenDiscoveryNames }),
    statistics.blue !== null && blueNames.length > 0
      ? source.read({ ...query, ...statistics.blue, targets: blueNames })
      : Promise.resolve(null),
  ]);
  return evaluate(green, blue, state.input, window, state.status.blueLatency ?? null);
}

export async function evaluateMetrics(
  state: RunState,
  deps: EvaluateMetricsDeps
): Promise<RunState> {
  const now = deps.clock.now();
  const control = await readControl(deps.registry, state.input.migrationId);
  // promote --full at 100 %: no analysis, by the operator's explicit choice (core/control.ts).
  const unjudged =
    typeof control === 'object' &&
    control?.promote?.full === true &&
    state.status.greenPercent >= 100;
  // The window starts at the status's cursor: consecutive evaluations judge new data (design.md §4 "Window").
  const window = unjudged ? null : evaluationWindow(now, state.status, state.input.metrics);
  const evaluation: Evaluation =
    window === null
      ? {
          verdict: Verdict.Inconclusive,
          reason: unjudged
            ? 'not judged: promoted with --full (no analysis)'
            : 'no new complete metric window yet (since the step became judgeable or since the last judged window)',
          assessments: [],
          window: null,
        }
      : await judge(state, window, deps.metrics);
  const next = withControl(afterEvaluation(state, evaluation, now), control, now);
  const migration = { MigrationId: state.input.migrationId };
  publishMetric('GreenPercent', MetricUnit.Percent, state.status.greenPercent, migration);
  publishMetric('Verdicts', MetricUnit.Count, 1, { ...migration, Verdict: evaluation.verdict });
  publishEvaluationFigures(state.input.migrationId, evaluation);
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
  notifier: new EventBridgeNotifier(new EventBridgeClient({}), {}),
  clock: systemClock,
  registry: registryFromEnv(),
});
