/**
 * ShiftTraffic: moves green to the next step in one atomic change batch per hosted zone, after making sure
 * the run is still live and nobody else changed the weights.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Route53TrafficRouter } from '../adapters/route53-traffic-router.ts';
import { StepFunctionsControl } from '../adapters/step-functions-control.ts';
import { DriftDetectedError, ExecutionNotRunningError } from '../core/errors.ts';
import { afterShift, shiftTarget } from '../core/run.ts';
import type { Clock, ExecutionControl, RunState, TrafficRouter } from '../core/state.ts';
import { findDrift, weightsFor } from '../core/weights.ts';
import { systemClock } from '../lib/clock.ts';
import { lambda } from '../lib/middy.ts';
import { logger, publishMetric } from '../lib/powertools.ts';

export interface ShiftTrafficDeps {
  router: TrafficRouter;
  executions: ExecutionControl;
  clock: Clock;
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
  const actual = await deps.router.readPairs(state.input.records);
  const greenPercent = shiftTarget(state);
  const weights = state.snapshot.map((pair) => weightsFor(pair, greenPercent));
  const drift = findDrift(actual, state.expected);
  // A retried invocation whose earlier write landed finds its own target weights: done, not drift.
  const alreadyApplied = drift.length > 0 && findDrift(actual, weights).length === 0;
  if (drift.length > 0 && !alreadyApplied) {
    throw new DriftDetectedError(
      `weights changed outside this run, not overwriting them: ${drift.join('; ')} (onDrift: ${state.input.onDrift})`
    );
  }
  let changeIds: string[] = [];
  if (state.input.mode === 'shift' && !alreadyApplied) {
    changeIds = await deps.router.applyWeights(actual, weights);
    // A stop can land while the batch is in flight; the stopped run's rollback may already have run, so undo
    // our own write: whichever restore runs last, the records end at the snapshot.
    const after = await deps.executions.describe(executionArn);
    if (after.status !== 'RUNNING') {
      await deps.router.restore(state.snapshot);
      throw new ExecutionNotRunningError(
        `execution ${executionArn} became ${after.status} during the shift to ${greenPercent}%; restored the snapshot`
      );
    }
  }
  const now = deps.clock.now();
  const next = afterShift(state, greenPercent, weights, changeIds, now);
  publishMetric('GreenPercent', MetricUnit.Percent, greenPercent, {
    MigrationId: state.input.migrationId,
  });
  logger.info('shifted', {
    migrationId: state.input.migrationId,
    greenPercent,
    weights,
    changeIds,
    mode: state.input.mode,
  });
  return next;
}

export function createShiftTrafficHandler(deps: ShiftTrafficDeps) {
  return lambda((state: RunState) => shiftTraffic(state, deps));
}

export const handler = createShiftTrafficHandler({
  router: new Route53TrafficRouter(new Route53Client({ maxAttempts: 5 })),
  executions: new StepFunctionsControl(new SFNClient({})),
  clock: systemClock,
});
