/**
 * ContinueAsNew: hands the run to a successor execution before the 25,000-event history limit.
 * The successor's preflight resumes from the state passed here, and the lock passes with it.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsControl } from '../adapters/step-functions-control.ts';
import { continuationInput, continuationName, withOutcome } from '../core/run.ts';
import type { Clock, ExecutionControl, RunState } from '../core/state.ts';
import { systemClock } from '../lib/clock.ts';
import { lambda } from '../lib/middy.ts';
import { logger } from '../lib/powertools.ts';

export interface ContinueAsNewDeps {
  executions: Pick<ExecutionControl, 'start'>;
  clock: Clock;
}

export async function continueAsNew(state: RunState, deps: ContinueAsNewDeps): Promise<RunState> {
  const name = continuationName(state);
  const successor = await deps.executions.start(
    state.run.stateMachineArn,
    name,
    continuationInput(state)
  );
  const reason = `history estimate ${state.history.eventsEstimate} events: continued in ${successor.executionArn}`;
  logger.info('continued as new', {
    migrationId: state.input.migrationId,
    successor: successor.executionArn,
  });
  return withOutcome(state, 'continued', reason, deps.clock.now());
}

export function createContinueAsNewHandler(deps: ContinueAsNewDeps) {
  return lambda((state: RunState) => continueAsNew(state, deps));
}

export const handler = createContinueAsNewHandler({
  executions: new StepFunctionsControl(new SFNClient({})),
  clock: systemClock,
});
