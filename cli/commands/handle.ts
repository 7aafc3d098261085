/**
 * One handle for a migration across continuations: every command (status, abort, rollback, pause, resume,
 * promote) accepts the migrationId or the ARN of any generation's execution, and acts on the current one.
 *
 * A run continues in `<name>-c<n>` before the 25,000-event history limit (core/run-end.ts `continuationName`). The
 * registry entry names the current generation (ContinueAsNew hands it over before the successor starts);
 * from an ARN the chain is followed forward: an execution that SUCCEEDED with outcome `continued` leads to its
 * successor, whose name the same rule gives.
 */
import { StepFunctionsRejectedError } from '../../functions/core/errors.ts';
import type { MigrationEntry, MigrationRegistry } from '../../functions/core/registry.ts';
import { continuationName } from '../../functions/core/run-end.ts';
import type {
  ExecutionControl,
  ExecutionDescription,
  RunState,
} from '../../functions/core/state.ts';
import { CliError, checkExecutionArn, ExitCode } from './common.ts';

export type HandleControl = Pick<ExecutionControl, 'describe' | 'latestRunState'>;

/** Whether the handle is an ARN (otherwise it is a migrationId). */
export function isArnHandle(handle: string): boolean {
  return handle.startsWith('arn:');
}

/**
 * The ARN ContinueAsNew gives the successor of the execution that returned `state`.
 *
 * @example
 * successorArn(state); // => 'arn:aws:states:eu-west-1:123456789012:execution:sm:orders-c2' for 'orders', generation 1
 */
export function successorArn(state: Pick<RunState, 'run'>): string {
  const name = continuationName(state as RunState);
  return `${state.run.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

function doesNotExist(error: unknown): boolean {
  return (
    error instanceof StepFunctionsRejectedError &&
    /does ?not ?exist|not ?found/i.test(error.message)
  );
}

async function describeOrNull(
  control: HandleControl,
  executionArn: string
): Promise<ExecutionDescription | null> {
  try {
    return await control.describe(executionArn);
  } catch (error) {
    if (doesNotExist(error)) return null;
    throw error;
  }
}

export interface Generation {
  executionArn: string;
  description: ExecutionDescription;
  state: RunState | null;
  /** The successors followed from the ARN given (empty: it was the current one). */
  followed: string[];
  /** The execution ended in a continuation whose successor is not visible yet (eventual consistency). */
  successorPending: string | null;
}

/**
 * The newest generation reachable from `executionArn` by following continuations.
 *
 * @throws CliError (ExitCode.UnknownMigration) when `executionArn` does not exist.
 */
export async function currentGeneration(
  control: HandleControl,
  executionArn: string
): Promise<Generation> {
  const followed: string[] = [];
  let arn = checkExecutionArn(executionArn);
  for (;;) {
    const description = await describeOrNull(control, arn);
    if (description === null) {
      throw new CliError(`no execution ${arn} (ExecutionDoesNotExist)`, ExitCode.UnknownMigration);
    }
    const state = await control.latestRunState(arn).catch(() => null);
    const continued = description.status === 'SUCCEEDED' && state?.outcome?.result === 'continued';
    if (continued) {
      const next = successorArn(state);
      if ((await describeOrNull(control, next)) !== null) {
        followed.push(next);
        arn = next;
        continue;
      }
    }
    return {
      executionArn: arn,
      description,
      state,
      followed,
      successorPending: continued ? successorArn(state) : null,
    };
  }
}

/**
 * The executions a handle ARN may lead to: itself, its current generation, and that generation's successor
 * (ContinueAsNew names it in the registry before the successor starts and before the current one ends).
 */
export async function chainOf(control: HandleControl, executionArn: string): Promise<string[]> {
  const generation = await currentGeneration(control, executionArn);
  const successor = generation.state === null ? null : successorArn(generation.state);
  return [executionArn, generation.executionArn, ...(successor === null ? [] : [successor])];
}

/** The migrationId an execution runs (a first generation's input, or a continuation's `resume`). */
export function migrationIdOfInput(input: unknown): string | null {
  const given = input as { migrationId?: unknown; resume?: { input?: { migrationId?: unknown } } };
  const id = given?.migrationId ?? given?.resume?.input?.migrationId;
  return typeof id === 'string' ? id : null;
}

/**
 * The migrationId a handle names: itself, or the one the execution's input carries.
 *
 * @throws CliError (ExitCode.UnknownMigration) for an execution that does not exist or names none.
 */
export async function migrationIdOf(handle: string, control: () => HandleControl): Promise<string> {
  if (!isArnHandle(handle)) return handle;
  const arn = checkExecutionArn(handle);
  const description = await describeOrNull(control(), arn);
  if (description === null)
    throw new CliError(`no execution ${arn} (ExecutionDoesNotExist)`, ExitCode.UnknownMigration);
  const id = migrationIdOfInput(description.input);
  if (id === null) {
    throw new CliError(
      `execution ${arn} names no migrationId in its input`,
      ExitCode.UnknownMigration
    );
  }
  return id;
}

/**
 * The registry entry of a migration.
 *
 * @throws CliError (ExitCode.UnknownMigration) when the registry never saw it.
 */
export async function entryOf(
  registry: Pick<MigrationRegistry, 'get'>,
  migrationId: string,
  where: string
): Promise<MigrationEntry> {
  const entry = await registry.get(migrationId);
  if (entry === null) {
    throw new CliError(`no migration ${migrationId} in ${where}`, ExitCode.UnknownMigration);
  }
  return entry;
}

/**
 * The current generation a handle leads to: an ARN is followed forward; a migrationId starts at the
 * execution its registry entry names (then followed too, for the instant of a hand-over).
 */
export async function resolveExecution(
  handle: string,
  deps: { control: HandleControl; registry: () => Pick<MigrationRegistry, 'get'>; where: string }
): Promise<Generation> {
  if (isArnHandle(handle)) return currentGeneration(deps.control, handle);
  const entry = await entryOf(deps.registry(), handle, deps.where);
  if (entry.runner.kind === 'local') {
    throw new CliError(
      `migration ${handle} runs in a local engine (pid ${entry.runner.pid} on ${entry.runner.host}), not on Step Functions: its own terminal shows its progress; traffic-shift rollback ${handle} restores it`,
      ExitCode.Error
    );
  }
  return currentGeneration(deps.control, entry.executionArn);
}
