/**
 * Rollback: restores the snapshot taken by preflight, verbatim and idempotently. No analysis, no gate.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Route53Client } from '@aws-sdk/client-route-53';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import { Route53TrafficRouter } from '../adapters/route53-traffic-router.ts';
import {
  RegistryBusyError,
  RegistryConflictError,
  RollbackFailedError,
  Route53ChangeRejectedError,
  Route53NotFoundError,
} from '../core/errors.ts';
import { MigrationPhase, type MigrationRegistry } from '../core/registry.ts';
import { rollbackReason, withOutcome } from '../core/run-end.ts';
import type { Clock, Notifier, RunState, TrafficRouter } from '../core/state.ts';
import { snapshotWeights } from '../core/weights.ts';
import { systemClock } from '../lib/clock.ts';
import { restoredShareField } from '../lib/dashboard-fields.ts';
import { lambda } from '../lib/middy.ts';
import { notifySafely } from '../lib/notify.ts';
import {
  againWhileOwned,
  alreadyFinished,
  markPending,
  ownedEntry,
  ownerOf,
  readOwnPairs,
} from '../lib/ownership.ts';
import { logger } from '../lib/powertools.ts';
import { registryFromEnv } from '../lib/registry-from-env.ts';

export interface RollbackDeps {
  router: Pick<TrafficRouter, 'restore' | 'readPairs'>;
  clock: Clock;
  notifier?: Notifier;
  registry: MigrationRegistry;
}

/**
 * Drift is checked first: with `onDrift: stop` someone else's change is left as found (DriftDetectedError ->
 * StoppedOnDrift), even when the rollback was decided on metrics. With `onDrift: rollback`, or when the
 * run's own write is in flight, the snapshot is restored.
 */
export function rollback(state: RunState, deps: RollbackDeps): Promise<RunState> {
  return againWhileOwned(deps.registry, state, () => rollbackOnce(state, deps));
}

async function rollbackOnce(state: RunState, deps: RollbackDeps): Promise<RunState> {
  const reason = rollbackReason(state);
  if (await alreadyFinished(deps.registry, state, MigrationPhase.RolledBack))
    return withOutcome(state, 'rolled-back', reason, deps.clock.now());
  const owned = await ownedEntry(deps.registry, state);
  if (state.input.mode === 'shift') {
    let current = owned;
    if (owned.onDrift === 'stop')
      await readOwnPairs(deps.registry, deps.router, owned, 'rolling back');
    try {
      current = await markPending(deps.registry, owned, snapshotWeights(owned.snapshot));
      await deps.router.restore(owned.snapshot);
    } catch (error) {
      // Errors that cannot succeed on a retry (a rejected change, access denied, a missing zone) keep their
      // name, so the run fails fast naming them instead of retrying RollbackFailedError for ~25 minutes.
      if (
        error instanceof RegistryConflictError ||
        error instanceof RegistryBusyError ||
        error instanceof Route53ChangeRejectedError ||
        error instanceof Route53NotFoundError
      )
        throw error;
      throw new RollbackFailedError(`restoring the snapshot failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    await deps.registry.finish(
      owned.migrationId,
      ownerOf(current),
      MigrationPhase.RolledBack,
      reason
    );
  } else {
    await deps.registry.finish(
      owned.migrationId,
      ownerOf(owned),
      MigrationPhase.RolledBack,
      reason
    );
  }
  const now = deps.clock.now();
  logger.warn('rolled back', {
    migrationId: state.input.migrationId,
    greenPercent: state.status.greenPercent,
    ...restoredShareField(state.snapshot),
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
  registry: registryFromEnv(),
});
