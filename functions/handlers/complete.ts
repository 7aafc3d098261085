/** Complete: green is at 100 % and the final bake passed. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import { withOutcome } from '../core/run.ts';
import type { Clock, Notifier, RunState } from '../core/state.ts';
import { systemClock } from '../lib/clock.ts';
import { lambda } from '../lib/middy.ts';
import { notifySafely } from '../lib/notify.ts';
import { logger } from '../lib/powertools.ts';

export interface CompleteDeps {
  clock: Clock;
  notifier?: Notifier;
}

export async function complete(state: RunState, deps: CompleteDeps): Promise<RunState> {
  const now = deps.clock.now();
  const reason = `green at ${state.status.greenPercent}% after ${state.status.evaluations} evaluations (${state.status.failures} failed)`;
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
});
