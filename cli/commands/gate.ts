/**
 * `traffic-shift approve <migrationId> [--reason]` / `traffic-shift reject <migrationId> [--reason]`: answer
 * the approval gate a migration waits at (plan.gates). The registry entry names the run: a deployed
 * execution gets SendTaskSuccess / SendTaskFailure (GateRejectedError) on its newest task token, and the caller's
 * STS ARN goes into the audit trail; a local run (run-local, rehearse in another terminal) reads the answer
 * from the registry at its gate's next check, and the audit names `$USER@host`.
 */
import { StepFunctionsTaskTokens } from '../../functions/adapters/step-functions-task-tokens.ts';
import type { MigrationEntry } from '../../functions/core/registry.ts';
import { operatorIdentity } from '../caller-identity.ts';
import { answerGate, openGateOf } from '../gate-answer.ts';
import { CliError, ExitCode, printJson, regionOf, sfnClient } from './common.ts';
import { registryTable } from './registry-table.ts';

export interface GateCommandOptions {
  migrationId: string;
  action: 'approve' | 'reject';
  reason?: string;
  registryTable?: string;
  region?: string;
  json: boolean;
}

async function readEntry(
  target: ReturnType<typeof registryTable>,
  migrationId: string
): Promise<MigrationEntry | null> {
  try {
    return await target.registry.get(migrationId);
  } catch (error) {
    if ((error as Error).message.includes('ResourceNotFoundException'))
      throw new CliError(
        `no migration ${migrationId}: the registry table ${target.table} does not exist (${target.where}); name it with --registry-table`,
        ExitCode.UnknownMigration
      );
    throw error;
  }
}

export async function gateCommand(options: GateCommandOptions): Promise<number> {
  const sfn = sfnClient(options.region);
  const region = await regionOf(sfn);
  const target = registryTable({
    region,
    ...(options.registryTable === undefined ? {} : { registryTable: options.registryTable }),
  });
  // Refuse before asking STS who we are: an unknown id, a finished run or no open gate is said at once.
  const entry = await readEntry(target, options.migrationId);
  openGateOf(entry, options.migrationId);
  const deployed = entry?.runner.kind === 'step-functions';
  let by: string;
  try {
    by = await operatorIdentity({ deployed, region });
  } catch (error) {
    throw new CliError(`cannot tell who answers: ${(error as Error).message}`);
  }
  const outcome = await answerGate({
    registry: target.registry,
    tokens: deployed ? new StepFunctionsTaskTokens(sfn) : null,
    migrationId: options.migrationId,
    action: options.action,
    by,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
    now: new Date(),
    nowIsRunClock: deployed,
  });
  if (options.json)
    printJson({ outcome: options.action, exitCode: ExitCode.Completed, ...outcome });
  else process.stdout.write(`${outcome.message}\n`);
  return ExitCode.Completed;
}
