/**
 * `traffic-shift pause | resume | promote <migration>`: operator requests, stored in the migration's registry
 * entry (core/control.ts; adapters/dynamodb-control-store.ts) and read by the run at its next evaluation
 * (every `plan.evaluationIntervalSeconds`). The command returns once the request is stored; `status` shows
 * its effect. Works the same for a deployed execution and a run-local / rehearse on the same table.
 */
import { DynamoDbControlStore } from '../../functions/adapters/dynamodb-control-store.ts';
import { StepFunctionsControl } from '../../functions/adapters/step-functions-control.ts';
import {
  type ControlRequest,
  type ControlState,
  type ControlStore,
  requestControl,
} from '../../functions/core/control.ts';
import { RegistryConflictError } from '../../functions/core/errors.ts';
import {
  type MigrationEntry,
  type MigrationRegistry,
  UNFINISHED_PHASES,
} from '../../functions/core/registry.ts';
import { operatorIdentity } from '../caller-identity.ts';
import { CliError, ExitCode, printJson, regionOf, regionOfArn, sfnClient } from './common.ts';
import { chainOf, entryOf, isArnHandle, migrationIdOf } from './handle.ts';
import { registryTable } from './registry-table.ts';

/** Conflicting writes (the owner moved its entry on, another operator) are re-read and retried this often. */
const CONTROL_WRITE_ATTEMPTS = 8;

export interface ControlCommandOptions {
  /** The migrationId, or any generation's execution ARN. */
  handle: string;
  request: ControlRequest;
  registryTable?: string;
  region?: string;
  json: boolean;
}

/**
 * Stores one request: read the entry, apply the request (core), write it conditionally; on a conflict read
 * again. Refuses an unknown migration (exit 8), a finished one (exit 9) and a request the core refuses (exit 4).
 */
export async function storeControlRequest(
  registry: Pick<MigrationRegistry, 'get'>,
  store: ControlStore,
  migrationId: string,
  request: ControlRequest,
  who: { by: string; now: () => Date; where: string },
  /** When the handle was an ARN: the executions its chain leads to (the current one, a successor starting). */
  chain?: readonly string[]
): Promise<{ entry: MigrationEntry; control: ControlState }> {
  for (let attempt = 1; ; attempt++) {
    const entry = await entryOf(registry, migrationId, who.where);
    if (!UNFINISHED_PHASES.includes(entry.phase)) {
      throw new CliError(
        `migration ${migrationId} is ${entry.phase}${entry.reason === null ? '' : ` (${entry.reason})`}: nothing to ${request.action}`,
        ExitCode.MigrationFinished,
        { phase: entry.phase }
      );
    }
    // A migrationId is reused by a later run: an old run's ARN must never steer (promote --full!) the new one.
    if (chain !== undefined && !chain.includes(entry.executionArn)) {
      throw new CliError(
        `${chain[0]} is not a generation of the current run of migration ${migrationId} (the registry names ${entry.executionArn}): nothing to ${request.action}; name the migrationId or the current ARN`,
        ExitCode.MigrationFinished,
        { phase: entry.phase }
      );
    }
    const result = requestControl(entry.control, request, { by: who.by, at: who.now() });
    if (!result.ok)
      throw new CliError(
        `${request.action} ${migrationId}: ${result.refusal}`,
        ExitCode.InvalidInput
      );
    try {
      await store.writeControl(
        migrationId,
        { version: entry.version, executionArn: entry.executionArn },
        entry.control?.revision ?? 0,
        result.control
      );
      return { entry, control: result.control };
    } catch (error) {
      if (!(error instanceof RegistryConflictError) || attempt >= CONTROL_WRITE_ATTEMPTS)
        throw error;
    }
  }
}

function describeRequest(request: ControlRequest, control: ControlState): string {
  switch (request.action) {
    case 'pause':
      return `paused until ${control.pause?.until} (then ${control.pause?.onTimeout}): the run holds at its current weights from its next evaluation; judging goes on and a regression still rolls back`;
    case 'resume':
      return 'resumed: the run advances again from its next evaluation when its bake is over';
    case 'promote':
      return request.full
        ? 'promoted with --full: at its next evaluation the run moves to 100 % and completes without analysis'
        : 'promoted: at its next evaluation without Fail or Error the run moves to 100 %; the final bake and its analysis still run';
    case 'rollback':
      return 'rollback recorded';
  }
}

/**
 * Who asks, for the audit trail: the STS caller ARN when the migration runs as a deployed execution, else the
 * local operator (cli/caller-identity.ts). An unknown migration is refused later by storeControlRequest.
 */
export async function whoAsks(
  registry: Pick<MigrationRegistry, 'get'>,
  migrationId: string,
  region: string
): Promise<string> {
  const entry = await registry.get(migrationId);
  try {
    return await operatorIdentity({ deployed: entry?.runner.kind === 'step-functions', region });
  } catch (error) {
    throw new CliError(`cannot tell who asks: ${(error as Error).message}`);
  }
}

export async function controlCommand(options: ControlCommandOptions): Promise<number> {
  const region =
    options.region ??
    (isArnHandle(options.handle) ? regionOfArn(options.handle) : undefined) ??
    (await regionOf(sfnClient()));
  const sfn = () => new StepFunctionsControl(sfnClient(region));
  const migrationId = await migrationIdOf(options.handle, sfn);
  const chain = isArnHandle(options.handle) ? await chainOf(sfn(), options.handle) : undefined;
  const target = registryTable({
    region,
    ...(options.registryTable === undefined ? {} : { registryTable: options.registryTable }),
  });
  const store = new DynamoDbControlStore(target.dynamodb, target.table);
  const by = await whoAsks(target.registry, migrationId, region);
  const { entry, control } = await storeControlRequest(
    target.registry,
    store,
    migrationId,
    options.request,
    { by, now: () => new Date(), where: `the registry table ${target.table} (${target.where})` },
    chain
  );
  const text = describeRequest(options.request, control);
  if (options.json) {
    printJson({
      migrationId,
      executionArn: entry.executionArn,
      action: options.request.action,
      by,
      control,
      detail: text,
    });
  } else {
    process.stdout.write(`${migrationId} (execution ${entry.executionArn}): ${text}\n  by ${by}\n`);
  }
  return ExitCode.Completed;
}
