/**
 * EvaluateMetrics: reads every source for the current window (Service Connect, the edge load balancers and the
 * custom queries in one GetMetricData call; the alarms with DescribeAlarms), judges them and decides. A
 * regression is a decision (`rollback`) returned as data, never an exception. The handler sequences the look
 * and writes its log lines; the operator's control is lib/operator-control.ts, the reads and the judgement
 * lib/judge-window.ts, the state after them lib/evaluated-state.ts.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CloudWatchAlarms } from '../adapters/cloudwatch-alarms.ts';
import { CloudWatchMetricSource } from '../adapters/cloudwatch-metric-source.ts';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import { lookSettings } from '../core/publication.ts';
import type { MigrationRegistry } from '../core/registry.ts';
import type { AlarmReader, Clock, MetricSource, Notifier, RunState } from '../core/state.ts';
import type { Evaluation, MetricReading } from '../core/types.ts';
import { Action, Verdict } from '../core/types.ts';
import { evaluationWindow } from '../core/window.ts';
import { systemClock } from '../lib/clock.ts';
import { MINUTE_JUDGED, minuteJudgedLine } from '../lib/dashboard-fields.ts';
import { evaluatedRunState } from '../lib/evaluated-state.ts';
import { type Folded, judgeWindow, judgeWithoutWindow } from '../lib/judge-window.ts';
import { lazy } from '../lib/lazy.ts';
import { lambda } from '../lib/middy.ts';
import { notifySafely } from '../lib/notify.ts';
import { readOperatorState } from '../lib/operator-control.ts';
import { logger } from '../lib/powertools.ts';
import { registryFromEnv } from '../lib/registry-from-env.ts';

export interface EvaluateMetricsDeps {
  metrics: MetricSource;
  clock: Clock;
  notifier?: Notifier;
  /** Needed when the input names `alarms` (without it they read as Error). */
  alarms?: AlarmReader;
  /** Where operator control is read (pause, promote: core/control.ts); absent: no control. */
  registry?: Pick<MigrationRegistry, 'get'>;
}

export async function evaluateMetrics(
  state: RunState,
  deps: EvaluateMetricsDeps
): Promise<RunState> {
  const now = deps.clock.now();
  const operator = await readOperatorState(deps.registry, state.input.migrationId);
  const control = operator === 'unknown' ? 'unknown' : operator.control;
  // promote --full at 100 %: no analysis, by the operator's explicit choice (core/control.ts).
  const unjudged =
    typeof control === 'object' &&
    control?.promote?.full === true &&
    state.status.greenPercent >= 100;
  // The window starts at the status's cursor: consecutive evaluations judge new data (design.md §4 "Window").
  const window = unjudged ? null : evaluationWindow(now, state.status, lookSettings(state));
  const seen: { blue: MetricReading | null } = { blue: null };
  const judged: Evaluation | RunState | Folded = unjudged
    ? {
        verdict: Verdict.Inconclusive,
        reason: 'not judged: promoted with --full (no analysis)',
        assessments: [],
        window: null,
      }
    : window === null
      ? await judgeWithoutWindow(state, deps)
      : await judgeWindow(state, window, deps, now, seen);
  if ('input' in judged) {
    logger.info('awaiting publication', {
      migrationId: state.input.migrationId,
      window,
      decision: judged.decision,
    });
    return judged;
  }
  const evaluation = 'folded' in judged ? judged.evaluation : judged;
  const next = evaluatedRunState({ state, judged, operator, window, seenBlue: seen.blue, now });
  // The dashboard reads one small line per judged minute (lib/dashboard-fields.ts), in order: a quiet look
  // judges several minutes; this `evaluated` line stays the audit trail of the look.
  for (const minute of 'folded' in judged ? judged.minutes : [evaluation]) {
    const line = minuteJudgedLine(state.input.migrationId, state.status.greenPercent, minute);
    if (line !== null) logger.info(MINUTE_JUDGED, line);
  }
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

const cloudwatch = new CloudWatchClient({});
export const handler = createEvaluateMetricsHandler({
  metrics: new CloudWatchMetricSource(cloudwatch),
  alarms: new CloudWatchAlarms(cloudwatch),
  // Only a completed step notifies: most evaluations never need the client.
  notifier: lazy(() => new EventBridgeNotifier(new EventBridgeClient({}), {})),
  clock: systemClock,
  registry: registryFromEnv(),
});
