/** Complete: green is at 100 % and the final bake passed. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Route53Client } from '@aws-sdk/client-route-53';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import { Route53TrafficRouter } from '../adapters/route53-traffic-router.ts';
import { MigrationPhase, type MigrationRegistry } from '../core/registry.ts';
import { withOutcome } from '../core/run-end.ts';
import type { Clock, Notifier, RunState, TrafficRouter } from '../core/state.ts';
import { systemClock } from '../lib/clock.ts';
import { lambda } from '../lib/middy.ts';
import { notifySafely } from '../lib/notify.ts';
import { alreadyFinished, ownedEntry, ownerOf, readOwnPairs } from '../lib/ownership.ts';
import { logger } from '../lib/powertools.ts';
import { registryFromEnv } from '../lib/registry-from-env.ts';

export interface CompleteDeps {
  clock: Clock;
  notifier?: Notifier;
  router: Pick<TrafficRouter, 'readPairs'>;
  registry: MigrationRegistry;
}

/**
 * Checks drift first: a hand-made change during the final bake must not end as "green at 100%"
 * (DriftDetectedError goes to OnDrift: stopped on drift with the weights as found, or rollback).
 */
export async function complete(state: RunState, deps: CompleteDeps): Promise<RunState> {
  const now = deps.clock.now();
  // An operator's promote (--full: no analysis) is part of why it completed (core/control.ts).
  const control = state.decision?.control === undefined ? '' : `; ${state.decision.control}`;
  const reason = `green at ${state.status.greenPercent}% after ${state.status.evaluations} evaluations (${state.status.failures} failed)${control}`;
  const finished = await alreadyFinished(deps.registry, state, MigrationPhase.Completed);
  if (finished !== null) return withOutcome(state, 'completed', reason, now);
  const owned = await ownedEntry(deps.registry, state);
  await readOwnPairs(deps.registry, deps.router, owned, 'completing');
  await deps.registry.finish(owned.migrationId, ownerOf(owned), MigrationPhase.Completed, reason);
  const next = withOutcome(state, 'completed', reason, now);
  logger.info('migration completed', { migrationId: state.input.migrationId, reason });
  await notifySafely(deps.notifier, {
    type: 'MigrationCompleted',
    migrationId: state.input.migrationId,
    executionArn: state.run.executionArn,
    greenPercent: state.status.greenPercent,
    reason,
    at: now.toISOString(),
  });
  return next;
}

export function createCompleteHandler(deps: CompleteDeps) {
  return lambda((state: RunState) => complete(state, deps));
}

export const handler = createCompleteHandler({
  notifier: new EventBridgeNotifier(new EventBridgeClient({}), {}),
  clock: systemClock,
  router: new Route53TrafficRouter(new Route53Client({ maxAttempts: 5 })),
  registry: registryFromEnv(),
});
