/** CheckDnsSync: one GetChange per hosted zone; the waiting loop lives in the state machine, not here. */
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53TrafficRouter } from '../adapters/route53-traffic-router.ts';
import { DnsSyncTimeoutError } from '../core/errors.ts';
import { afterSyncCheck, secondsSinceSubmit } from '../core/run.ts';
import type { Clock, RunState, TrafficRouter } from '../core/state.ts';
import { systemClock } from '../lib/clock.ts';
import { lambda } from '../lib/middy.ts';
import { logger } from '../lib/powertools.ts';

export interface CheckDnsSyncDeps {
  router: Pick<TrafficRouter, 'getChangeStatus'>;
  clock: Clock;
}

export async function checkDnsSync(state: RunState, deps: CheckDnsSyncDeps): Promise<RunState> {
  const statuses = await Promise.all(state.change.ids.map((id) => deps.router.getChangeStatus(id)));
  const allInSync = statuses.every((status) => status === 'INSYNC');
  const now = deps.clock.now();
  const waitedSeconds = secondsSinceSubmit(state, now);
  if (!allInSync && waitedSeconds > state.input.dns.maxSyncWaitSeconds) {
    throw new DnsSyncTimeoutError(
      `Route 53 changes ${state.change.ids.join(', ')} not INSYNC after ${Math.round(waitedSeconds)}s > dns.maxSyncWaitSeconds (${state.input.dns.maxSyncWaitSeconds}s)`
    );
  }
  logger.info('dns sync', { changeIds: state.change.ids, statuses, waitedSeconds });
  return afterSyncCheck(state, allInSync, now);
}

export function createCheckDnsSyncHandler(deps: CheckDnsSyncDeps) {
  return lambda((state: RunState) => checkDnsSync(state, deps));
}

export const handler = createCheckDnsSyncHandler({
  router: new Route53TrafficRouter(new Route53Client({ maxAttempts: 5 })),
  clock: systemClock,
});
