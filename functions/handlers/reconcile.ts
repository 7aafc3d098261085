/**
 * Reconcile: EventBridge delivers status-change events best effort, so on a schedule this gives every
 * unfinished migration whose execution ended the same treatment as OnExecutionEnd.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import { Route53TrafficRouter } from '../adapters/route53-traffic-router.ts';
import { StepFunctionsControl } from '../adapters/step-functions-control.ts';
import { systemClock } from '../lib/clock.ts';
import { optionalEnv } from '../lib/env.ts';
import { lambda } from '../lib/middy.ts';
import { logger } from '../lib/powertools.ts';
import {
  DEFAULT_GRACE_SECONDS,
  endErrorOf,
  type RecoverDeps,
  type RecoveryResult,
  recoverEntry,
  statusOf,
} from '../lib/recover.ts';
import { registryFromEnv } from '../lib/registry-from-env.ts';

export interface ReconcileDeps extends RecoverDeps {
  /** Also recover entries run by a local engine (run-local, rehearse); the deployed reconciler leaves them. */
  includeLocal?: boolean;
}

export interface ReconcileSummary {
  checked: number;
  restored: number;
  skipped: number;
  failed: { migrationId: string; executionArn: string; error: string }[];
  results: RecoveryResult[];
}

/**
 * Walks the registry's unfinished migrations and recovers those whose owning execution ended (or never
 * started, after the grace period). Completed, rolled-back and stopped-on-drift migrations are finished
 * entries and never listed; an entry a newer execution took over names that execution.
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileSummary> {
  const unfinished = (await deps.registry.listUnfinished()).filter(
    (entry) => deps.includeLocal === true || entry.runner.kind === 'step-functions'
  );
  const summary: ReconcileSummary = {
    checked: unfinished.length,
    restored: 0,
    skipped: 0,
    failed: [],
    results: [],
  };
  for (const entry of unfinished) {
    try {
      const status = await statusOf(deps.executions, entry.executionArn);
      const error =
        status === 'NOT_FOUND' || status === 'RUNNING'
          ? null
          : await endErrorOf(entry.executionArn, deps);
      const result = await recoverEntry(entry, entry.executionArn, status, error, deps);
      summary.results.push(result);
      if (result.restored) summary.restored += 1;
      else summary.skipped += 1;
    } catch (error) {
      // One broken migration must not stop the others from being reconciled; it is reported and retried next run.
      summary.failed.push({
        migrationId: entry.migrationId,
        executionArn: entry.executionArn,
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
  registry: registryFromEnv(),
  graceSeconds: Number(optionalEnv('RECONCILE_GRACE_SECONDS') ?? DEFAULT_GRACE_SECONDS),
});
