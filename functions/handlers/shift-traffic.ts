/**
 * ShiftTraffic: moves green to the next step in one atomic change batch per hosted zone, after making sure
 * the run is still live and nobody else changed the weights.
 */
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Route53TrafficRouter } from '../adapters/route53-traffic-router.ts';
import { StepFunctionsControl } from '../adapters/step-functions-control.ts';
import { ExecutionNotRunningError } from '../core/errors.ts';
import type { MigrationEntry, MigrationRegistry } from '../core/registry.ts';
import { afterShift, shiftTarget } from '../core/run.ts';
import type { Clock, ExecutionControl, RunState, TrafficRouter } from '../core/state.ts';
import { weightsFor } from '../core/weights.ts';
import { systemClock } from '../lib/clock.ts';
import { greenWeightField } from '../lib/dashboard-fields.ts';
import { lambda } from '../lib/middy.ts';
import { markPending, ownedEntry, ownerOf, readOwnPairs } from '../lib/ownership.ts';
import { logger } from '../lib/powertools.ts';
import { registryFromEnv } from '../lib/registry-from-env.ts';

export interface ShiftTrafficDeps {
  router: TrafficRouter;
  executions: ExecutionControl;
  clock: Clock;
  registry: MigrationRegistry;
}

/**
 * A Lambda keeps running after StopExecution, and a redrive restarts a failed run from here: only a RUNNING
 * execution that was never redriven may write.
 */
export async function assertLive(
  executions: ExecutionControl,
  executionArn: string
): Promise<void> {
  const self = await executions.describe(executionArn);
  if (self.status !== 'RUNNING') {
    throw new ExecutionNotRunningError(`not shifting: execution ${executionArn} is ${self.status}`);
  }
  if (self.redriveCount > 0) {
    throw new ExecutionNotRunningError(
      `not shifting: execution ${executionArn} was redriven (${self.redriveCount}); start a new migration instead`
    );
  }
}

export async function shiftTraffic(state: RunState, deps: ShiftTrafficDeps): Promise<RunState> {
  const { executionArn } = state.run;
  await assertLive(deps.executions, executionArn);
  const owned = await ownedEntry(deps.registry, state);
  // Drift is judged against the registry: a pair at the run's expected weights or at the target of its own
  // write in flight (a retry after a partial multi-zone write) is the run's own.
  const actual = await readOwnPairs(deps.registry, deps.router, owned, 'overwriting them');
  const greenPercent = shiftTarget(state);
  const weights = owned.snapshot.map((pair) => weightsFor(pair, greenPercent));
  let changeIds: string[] = [];
  if (state.input.mode === 'shift') {
    const pending = await markPending(deps.registry, owned, weights);
    // Every pair is re-sent, also those a lost reply already moved: the write is absolute, and its change
    // ids are what CheckDnsSync waits on, so a retried shift still waits for INSYNC.
    changeIds = await deps.router.applyWeights(actual, weights);
    // A stop can land while the batch is in flight; the stopped run's recovery may already have restored the
    // snapshot, so undo our own write: whichever restore runs last, the records end at the snapshot.
    const after = await deps.executions.describe(executionArn);
    if (after.status !== 'RUNNING') {
      await undoOwnWrite(deps, owned);
      throw new ExecutionNotRunningError(
        `execution ${executionArn} became ${after.status} during the shift to ${greenPercent}%; restored the snapshot`
      );
    }
    await deps.registry.update(owned.migrationId, ownerOf(pending), {
      expected: weights,
      pending: null,
    });
  }
  const now = deps.clock.now();
  const next = afterShift(state, greenPercent, weights, changeIds, now);
  logger.info('shifted', {
    migrationId: state.input.migrationId,
    greenPercent,
    ...greenWeightField(greenPercent),
    weights,
    changeIds,
    mode: state.input.mode,
  });
  return next;
}

/**
 * Restores the snapshot after a stop raced the write, unless another migration took any of the records since
 * (the stopped run's recovery released them): then its weights are not ours to overwrite.
 */
async function undoOwnWrite(deps: ShiftTrafficDeps, owned: MigrationEntry): Promise<void> {
  for (const key of owned.recordSetKeys) {
    const holder = await deps.registry.ownerOf(key);
    if (holder !== null && holder !== owned.migrationId) {
      logger.warn('not undoing: records taken by another migration', { key, holder });
      return;
    }
  }
  await deps.router.restore(owned.snapshot);
}

export function createShiftTrafficHandler(deps: ShiftTrafficDeps) {
  return lambda((state: RunState) => shiftTraffic(state, deps));
}

export const handler = createShiftTrafficHandler({
  router: new Route53TrafficRouter(new Route53Client({ maxAttempts: 5 })),
  executions: new StepFunctionsControl(new SFNClient({})),
  clock: systemClock,
  registry: registryFromEnv(),
});
