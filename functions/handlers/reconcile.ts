/**
 * Reconcile: EventBridge delivers status-change events best effort, so on a schedule this finds executions
 * that ended badly within the lookback and gives each the same treatment as OnExecutionEnd.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import { Route53TrafficRouter } from '../adapters/route53-traffic-router.ts';
import { StepFunctionsControl } from '../adapters/step-functions-control.ts';
import type { ExecutionSummary } from '../core/state.ts';
import { systemClock } from '../lib/clock.ts';
import { optionalEnv } from '../lib/env.ts';
import { lambda } from '../lib/middy.ts';
import { logger } from '../lib/powertools.ts';
import { type RecoverDeps, type RecoveryResult, recoverExecution } from '../lib/recover.ts';

export interface ReconcileDeps extends RecoverDeps {
  stateMachineArn: string;
  lookbackHours: number;
}

export interface ReconcileSummary {
  checked: number;
  restored: number;
  skipped: number;
  failed: { executionArn: string; error: string }[];
  results: RecoveryResult[];
}

export async function reconcile(deps: ReconcileDeps): Promise<ReconcileSummary> {
  const since = new Date(deps.clock.now().getTime() - deps.lookbackHours * 3_600_000).toISOString();
  const ended: ExecutionSummary[] = [];
  for (const status of ['ABORTED', 'FAILED', 'TIMED_OUT'] as const) {
    const executions = await deps.executions.list(deps.stateMachineArn, status);
    // A long migration may have started long before it stopped: judge by when it stopped.
    ended.push(
      ...executions.filter((execution) => (execution.stopDate ?? execution.startDate) >= since)
    );
  }
  const summary: ReconcileSummary = {
    checked: ended.length,
    restored: 0,
    skipped: 0,
    failed: [],
    results: [],
  };
  for (const execution of ended) {
    try {
      const result = await recoverExecution(execution.executionArn, deps);
      summary.results.push(result);
      if (result.restored) summary.restored += 1;
      else summary.skipped += 1;
    } catch (error) {
      // One broken execution must not stop the others from being reconciled; it is reported and retried next run.
      summary.failed.push({
        executionArn: execution.executionArn,
        error: (error as Error).message,
      });
    }
  }
  logger.info('reconciled', { ...summary, results: undefined });
  return summary;
}

export function createReconcileHandler(deps: ReconcileDeps) {
  return lambda(() => reconcile(deps));
}

export const handler = createReconcileHandler({
  router: new Route53TrafficRouter(new Route53Client({ maxAttempts: 8 })),
  executions: new StepFunctionsControl(new SFNClient({})),
  notifier: new EventBridgeNotifier(new EventBridgeClient({}), {}),
  clock: systemClock,
  stateMachineArn: optionalEnv('STATE_MACHINE_ARN') ?? '',
  lookbackHours: Number(optionalEnv('RECONCILE_LOOKBACK_HOURS') ?? '24'),
});
