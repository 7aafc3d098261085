/**
 * Rollback: restores the snapshot taken by preflight, verbatim and idempotently. No analysis, no gate.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Route53Client } from '@aws-sdk/client-route-53';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import { Route53TrafficRouter } from '../adapters/route53-traffic-router.ts';
import { RollbackFailedError } from '../core/errors.ts';
import { rollbackReason, withOutcome } from '../core/run.ts';
import type { Clock, Notifier, RunState, TrafficRouter } from '../core/state.ts';
import { systemClock } from '../lib/clock.ts';
import { lambda } from '../lib/middy.ts';
import { notifySafely } from '../lib/notify.ts';
import { logger } from '../lib/powertools.ts';

export interface RollbackDeps {
  router: Pick<TrafficRouter, 'restore'>;
  clock: Clock;
  notifier?: Notifier;
}

export async function rollback(state: RunState, deps: RollbackDeps): Promise<RunState> {
  const reason = rollbackReason(state);
  if (state.input.mode === 'shift') {
    try {
      await deps.router.restore(state.snapshot);
    } catch (error) {
      throw new RollbackFailedError(`restoring the snapshot failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const now = deps.clock.now();
  logger.warn('rolled back', {
    migrationId: state.input.migrationId,
    greenPercent: state.status.greenPercent,
    reason,
  });
  await notifySafely(deps.notifier, {
    type: 'MigrationRolledBack',
    migrationId: state.input.migrationId,
    executionArn: state.run.executionArn,
    greenPercent: state.status.greenPercent,
    reason,
    at: now.toISOString(),
  });
  return withOutcome(state, 'rolled-back', reason, now);
}

export function createRollbackHandler(deps: RollbackDeps) {
  return lambda((state: RunState) => rollback(state, deps));
}

export const handler = createRollbackHandler({
  router: new Route53TrafficRouter(new Route53Client({ maxAttempts: 8 })),
  notifier: new EventBridgeNotifier(new EventBridgeClient({}), {}),
  clock: systemClock,
});
