/**
 * `traffic-shift rollback <migrationId>`: puts a migration's records back to the snapshot the registry holds
 * for it, whoever ran it (a deployed execution, a run-local that was killed with SIGKILL, one still running).
 *
 * Unfinished migration: stop its owner (rollback-owner.ts); if the owner restored and finished it itself,
 * report that. If a stopped execution announced a write in flight, wait until it can no longer land. Otherwise take the entry over (its executionArn becomes a rollback marker, so the old owner's
 * later writes and its on-execution-end see that it no longer owns the records), restore the snapshot
 * through the Route 53 router, read the records back, and finish the entry as `restored`. Should this
 * process die half-way, the entry stays unfinished under the marker: run the command again (the reconciler
 * also restores it after its grace period).
 *
 * Finished migration: nothing is written (its locks are released; a newer migration may own the records):
 * say what state it is in; exit 0 when the records are at its snapshot, 6 when they are not.
 */
import { hostname } from 'node:os';
import { Route53Client } from '@aws-sdk/client-route-53';
import { DynamoDbControlStore } from '../../functions/adapters/dynamodb-control-store.ts';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import { StepFunctionsControl } from '../../functions/adapters/step-functions-control.ts';
import { RegistryConflictError } from '../../functions/core/errors.ts';
import {
  type MigrationEntry,
  MigrationPhase,
  UNFINISHED_PHASES,
} from '../../functions/core/registry.ts';
import type { WeightedPair } from '../../functions/core/types.ts';
import { snapshotDifferences } from '../../functions/core/weights.ts';
import { ownerOf } from '../../functions/lib/ownership.ts';
import { DEFAULT_IN_FLIGHT_SECONDS } from '../../functions/lib/recover.ts';
import {
  CliError,
  compactUtc,
  ExitCode,
  printJson,
  regionOf,
  regionOfArn,
  sfnClient,
} from './common.ts';
import { storeControlRequest, whoAsks } from './control.ts';
import { chainOf, type HandleControl, isArnHandle, migrationIdOf } from './handle.ts';
import { type RegistryTable, registryTable } from './registry-table.ts';
import { type OwnerStop, stopOwner } from './rollback-owner.ts';

export interface RollbackOptions {
  migrationId: string;
  registryTable?: string;
  region?: string;
  /** How long to wait for a running owner to stop. */
  waitSeconds: number;
  json: boolean;
}

interface Outcome {
  migrationId: string;
  /** The phase the registry held when the command started. */
  phaseBefore: MigrationPhase;
  phase: MigrationPhase;
  action: 'restored' | 'released' | 'restored-by-owner' | 'already-finished';
  owner: OwnerStop | null;
  atSnapshot: boolean;
  differences: string[];
  exitCode: number;
  message: string;
}

async function readEntry(target: RegistryTable, migrationId: string) {
  try {
    return await target.registry.get(migrationId);
  } catch (error) {
    if ((error as Error).message.includes('ResourceNotFoundException')) {
      throw new CliError(
        `no migration ${migrationId}: the registry table ${target.table} does not exist (${target.where}); name it with --registry-table`,
        ExitCode.InvalidInput
      );
    }
    throw error;
  }
}

/**
 * A migrationId is reused by a later run: an earlier run's ARN must never stop and restore the later one. The
 * ARN's chain of continuations must lead to the entry's owner (or a rollback already under way).
 */
async function refuseAnotherRun(control: HandleControl, handle: string, entry: MigrationEntry) {
  const chain = await chainOf(control, handle);
  const marker = `${entry.stateMachineArn.replace(':stateMachine:', ':execution:')}:rollback-`;
  if (chain.includes(entry.executionArn) || entry.executionArn.startsWith(marker)) return;
  throw new CliError(
    `${handle} is not a generation of the current run of migration ${entry.migrationId} (the registry names ${entry.executionArn}): nothing rolled back; name the migrationId to roll that run back`,
    ExitCode.MigrationFinished,
    { phase: entry.phase }
  );
}

/** A syntactically valid execution ARN no execution has: who owns the entry while it is rolled back. */
function rollbackMarkerArn(entry: MigrationEntry): string {
  const base = entry.stateMachineArn.replace(':stateMachine:', ':execution:');
  return `${base}:rollback-${compactUtc(new Date())}`.slice(0, 2048);
}

async function readRecords(router: Route53TrafficRouter, entry: MigrationEntry) {
  const pairs: WeightedPair[] = await router.readPairs(entry.records);
  const differences = snapshotDifferences(pairs, entry.snapshot);
  return { atSnapshot: differences.length === 0, differences };
}

/** A finished entry: report it, write nothing. */
async function finishedOutcome(
  entry: MigrationEntry,
  phaseBefore: MigrationPhase,
  router: Route53TrafficRouter,
  owner: OwnerStop | null
): Promise<Outcome> {
  const records =
    entry.snapshot.length === 0
      ? { atSnapshot: true, differences: [] }
      : await readRecords(router, entry);
  // Finished while this command waited for it to stop: its own on-execution-end restored it.
  const byOwner = owner === 'stopped';
  const state = `${entry.migrationId} is ${entry.phase}${entry.reason === null ? '' : ` (${entry.reason})`}`;
  return {
    migrationId: entry.migrationId,
    phaseBefore,
    phase: entry.phase,
    action: byOwner ? 'restored-by-owner' : 'already-finished',
    owner,
    ...records,
    exitCode: records.atSnapshot ? ExitCode.Completed : ExitCode.NotAtSnapshot,
    message: records.atSnapshot
      ? `${state}; its records are at its snapshot`
      : `${state}; its records are NOT at its snapshot (${records.differences.join('; ')}). Nothing was changed: rollback restores only unfinished migrations (a finished one has released its records)`,
  };
}

async function restoreEntry(
  target: RegistryTable,
  router: Route53TrafficRouter,
  entry: MigrationEntry,
  say: (text: string) => void
): Promise<MigrationEntry> {
  const mine = await target.registry.update(entry.migrationId, ownerOf(entry), {
    executionArn: rollbackMarkerArn(entry),
    // A deployed migration stays the deployed reconciler's (it skips local runners): should this command die
    // half-way, the reconciler finds the marker execution missing and restores after its grace period.
    runner:
      entry.runner.kind === 'step-functions'
        ? entry.runner
        : { kind: 'local', pid: process.pid, host: hostname() },
  });
  if (entry.snapshot.length === 0 || entry.mode === 'observe') {
    say('nothing was written to Route 53 yet: releasing the records');
    return target.registry.finish(
      entry.migrationId,
      ownerOf(mine),
      MigrationPhase.Released,
      'traffic-shift rollback: nothing had been written'
    );
  }
  say(`restoring the snapshot of ${entry.records.length} record pair(s)`);
  await router.restore(mine.snapshot);
  const after = await readRecords(router, mine);
  if (!after.atSnapshot) {
    throw new CliError(
      `the records still differ from the snapshot after the restore: ${after.differences.join('; ')}; the migration stays unfinished, run traffic-shift rollback ${entry.migrationId} again`
    );
  }
  return target.registry.finish(
    entry.migrationId,
    ownerOf(mine),
    MigrationPhase.Restored,
    'traffic-shift rollback: snapshot restored'
  );
}

/**
 * A stopped execution's ShiftTraffic may still be writing (the Lambda runs on after StopExecution): when the
 * entry announces a write in flight, wait until it can no longer land, as on-execution-end does, so that the
 * restore is the last write. A local run on this host was stopped or killed and cannot write any more; one
 * on another host was not stopped and may still be writing.
 */
async function waitForWriteInFlight(
  entry: MigrationEntry,
  owner: OwnerStop,
  say: (text: string) => void
) {
  if (entry.pending === null || (entry.runner.kind === 'local' && owner !== 'remote')) return;
  const landBy = Date.parse(entry.updatedAt) + DEFAULT_IN_FLIGHT_SECONDS * 1_000;
  const waitMs = landBy - Date.now();
  if (!(waitMs > 0)) return;
  say(
    `a write the ${owner === 'remote' ? 'remote run' : 'stopped execution'} announced may still land until ${new Date(landBy).toISOString()}: waiting ${Math.ceil(waitMs / 1_000)} s before restoring`
  );
  await new Promise((resolve) => setTimeout(resolve, waitMs));
}

export async function rollback(options: RollbackOptions): Promise<number> {
  const say = (text: string) => (options.json ? process.stderr : process.stdout).write(`${text}\n`);
  const route53 = new Route53Client({
    maxAttempts: 8,
    ...(options.region === undefined ? {} : { region: options.region }),
  });
  const region = await regionOf(route53);
  const router = new Route53TrafficRouter(route53);
  const target = registryTable({
    region,
    ...(options.registryTable === undefined ? {} : { registryTable: options.registryTable }),
  });
  // One handle (handle.ts): an execution ARN of any generation names its migration.
  const sfn = () => new StepFunctionsControl(sfnClient(regionOfArn(options.migrationId) ?? region));
  const migrationId = await migrationIdOf(options.migrationId, sfn);
  const entry = await readEntry(target, migrationId);
  if (entry === null) {
    throw new CliError(
      `no migration ${migrationId} in the registry table ${target.table} (${target.where})`,
      ExitCode.InvalidInput
    );
  }
  if (isArnHandle(options.migrationId) && UNFINISHED_PHASES.includes(entry.phase))
    await refuseAnotherRun(sfn(), options.migrationId, entry);
  let outcome: Outcome;
  if (!UNFINISHED_PHASES.includes(entry.phase)) {
    outcome = await finishedOutcome(entry, entry.phase, router, null);
  } else {
    say(`${entry.migrationId} is ${entry.phase} (execution ${entry.executionArn})`);
    await recordInAudit(target, entry.migrationId, region, say);
    const owner = await stopOwner(entry, { waitSeconds: options.waitSeconds, region, say });
    let current = (await target.registry.get(entry.migrationId)) ?? entry;
    let byThisCommand = false;
    if (UNFINISHED_PHASES.includes(current.phase)) {
      await waitForWriteInFlight(current, owner, say);
      try {
        current = await restoreEntry(target, router, current, say);
        byThisCommand = true;
      } catch (error) {
        if (!(error instanceof RegistryConflictError)) throw error;
        // Its on-execution-end finished it meanwhile (a deployed stop races this command): report that.
        current = (await target.registry.get(entry.migrationId)) ?? current;
        if (UNFINISHED_PHASES.includes(current.phase)) {
          throw new CliError(
            `${entry.migrationId} changed while it was being rolled back (now owned by ${current.executionArn}); run traffic-shift rollback ${entry.migrationId} again`
          );
        }
      }
    }
    outcome = await finishedOutcome(current, entry.phase, router, owner);
    if (byThisCommand)
      outcome.action = current.phase === MigrationPhase.Released ? 'released' : 'restored';
  }
  if (options.json) printJson(outcome);
  else say(outcome.message);
  return outcome.exitCode;
}

/** The audit trail (core/control.ts) gets a `rollback` line; a failure to write it never blocks the restore. */
async function recordInAudit(
  target: RegistryTable,
  migrationId: string,
  region: string,
  say: (text: string) => void
) {
  try {
    await storeControlRequest(
      target.registry,
      new DynamoDbControlStore(target.dynamodb, target.table),
      migrationId,
      { action: 'rollback' },
      {
        by: await whoAsks(target.registry, migrationId, region),
        now: () => new Date(),
        where: target.table,
      }
    );
  } catch (error) {
    // Deliberately swallowed: restoring the records matters more than the audit line.
    say(`(audit line not written: ${(error as Error).message})`);
  }
}
