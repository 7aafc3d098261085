/**
 * ContinueAsNew: hands the run to a successor execution before the 25,000-event history limit.
 * The successor's preflight resumes from the state passed here; the registry entry (the lock) is handed over first.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsControl } from '../adapters/step-functions-control.ts';
import { StepFunctionsRejectedError } from '../core/errors.ts';
import { ownsEntry } from '../core/ownership.ts';
import type { MigrationRegistry } from '../core/registry.ts';
import { continuationInput, continuationName, withOutcome } from '../core/run-end.ts';
import type { Clock, ExecutionControl, RunState } from '../core/state.ts';
import { systemClock } from '../lib/clock.ts';
import { lambda } from '../lib/middy.ts';
import { againWhileOwned, ownedEntry, ownerOf } from '../lib/ownership.ts';
import { logger } from '../lib/powertools.ts';
import { registryFromEnv } from '../lib/registry-from-env.ts';

export interface ContinueAsNewDeps {
  executions: Pick<ExecutionControl, 'start' | 'describe'>;
  clock: Clock;
  registry: MigrationRegistry;
}

const executionArnOf = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/**
 * Hands the registry entry to the successor before starting it: if the successor then fails (its Preflight
 * included), the records have an owner whose end restores the snapshot; a successor that is never started
 * is recovered by the reconciler after its grace period.
 */
export function continueAsNew(state: RunState, deps: ContinueAsNewDeps): Promise<RunState> {
  return againWhileOwned(deps.registry, state, () => continueOnce(state, deps));
}

async function continueOnce(state: RunState, deps: ContinueAsNewDeps): Promise<RunState> {
  const name = continuationName(state);
  const successorArn = executionArnOf(state.run.stateMachineArn, name);
  const current = await deps.registry.get(state.input.migrationId);
  // A retry after this Task's reply was lost: the entry is already the successor's (and the successor may
  // run); StartExecution with the same name and input returns it instead of starting a second one.
  const alreadyHanded =
    current !== null &&
    ownsEntry(current, successorArn) &&
    current.generation === state.run.generation + 1;
  if (!alreadyHanded) await refuseTakenName(deps.executions, successorArn, name);
  const owned = alreadyHanded ? current : await ownedEntry(deps.registry, state);
  const handed = alreadyHanded
    ? owned
    : await deps.registry.update(owned.migrationId, ownerOf(owned), {
        executionArn: successorArn,
        generation: state.run.generation + 1,
      });
  let successor: { executionArn: string };
  try {
    successor = await deps.executions.start(
      state.run.stateMachineArn,
      name,
      continuationInput(state)
    );
  } catch (error) {
    // Not started: take the entry back, so this run's Rollback (Catch) restores the snapshot.
    await deps.registry.update(owned.migrationId, ownerOf(handed), {
      executionArn: state.run.executionArn,
      generation: state.run.generation,
    });
    throw error;
  }
  const reason = `history estimate ${state.history.eventsEstimate} events: continued in ${successor.executionArn}`;
  logger.info('continued as new', {
    migrationId: state.input.migrationId,
    successor: successor.executionArn,
  });
  return withOutcome(state, 'continued', reason, deps.clock.now());
}

/** An execution already holding the successor's name would be taken for it (StartExecution is idempotent). */
async function refuseTakenName(
  executions: Pick<ExecutionControl, 'describe'>,
  successorArn: string,
  name: string
): Promise<void> {
  const existing = await executions.describe(successorArn).catch((error: unknown) => {
    if (error instanceof StepFunctionsRejectedError) return null;
    throw error;
  });
  if (existing !== null) {
    throw new StepFunctionsRejectedError(
      `cannot continue as ${name}: an execution of that name already exists (${existing.status}, started ${existing.startDate}); rolling back instead of sharing its name`
    );
  }
}

export function createContinueAsNewHandler(deps: ContinueAsNewDeps) {
  return lambda((state: RunState) => continueAsNew(state, deps));
}

export const handler = createContinueAsNewHandler({
  executions: new StepFunctionsControl(new SFNClient({})),
  clock: systemClock,
  registry: registryFromEnv(),
});
