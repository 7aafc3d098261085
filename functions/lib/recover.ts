/**
 * Recovery of a migration whose owning execution ended without finishing it (abort, uncaught failure, timeout,
 * a continuation that failed or was never started). Shared by on-execution-end and the reconciler: the
 * registry says who owns the records and what restores them (core/ownership.ts decides).
 */
import { RollbackFailedError, StepFunctionsRejectedError } from '../core/errors.ts';
import { type EndedRunPlan, pendingAfter, planEndedRun } from '../core/ownership.ts';
import { type MigrationEntry, MigrationPhase, type MigrationRegistry } from '../core/registry.ts';
import type {
  Clock,
  ExecutionControl,
  ExecutionStatus,
  Notifier,
  TrafficRouter,
} from '../core/state.ts';
import { isAtSnapshot, percentOf, snapshotDifferences, snapshotWeights } from '../core/weights.ts';
import { restoredShareField } from './dashboard-fields.ts';
import { notifySafely } from './notify.ts';
import { markPending, ownerOf } from './ownership.ts';
import { logger } from './powertools.ts';

export interface RecoverDeps {
  router: Pick<TrafficRouter, 'readPairs' | 'restore'>;
  executions: Pick<ExecutionControl, 'describe' | 'endError'>;
  registry: MigrationRegistry;
  clock: Clock;
  notifier?: Notifier;
  /** Waits between re-reads of an execution that still reads RUNNING (tests pass an instant one). */
  sleep?: (ms: number) => Promise<void>;
  /** How long a missing owning execution is given before its entry is recovered (default 900 s). */
  graceSeconds?: number;
  /** How long an announced write may still land (default 300 s: five times the functions' 60 s timeout). */
  inFlightSeconds?: number;
}

export interface RecoveryResult extends Pick<EndedRunPlan, 'action' | 'reason'> {
  executionArn: string;
  migrationId: string | null;
  restored: boolean;
}

export const DEFAULT_GRACE_SECONDS = 900;
export const DEFAULT_IN_FLIGHT_SECONDS = 300;
/** DescribeExecution and the history are eventually consistent: re-read a few times, ~7 s in all. */
const RE_READS = [250, 500, 1_000, 2_000, 3_500];

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The error the execution ended with, from its end event (StopExecution's code, e.g. KeepWeights, is
 * documented there), re-reading while the reads still say RUNNING; falls back to DescribeExecution's error.
 */
export async function endErrorOf(
  executionArn: string,
  deps: Pick<RecoverDeps, 'executions' | 'sleep'>,
  hint: string | null = null
): Promise<string | null> {
  const sleep = deps.sleep ?? realSleep;
  for (const wait of [0, ...RE_READS]) {
    if (wait > 0) await sleep(wait);
    const described = await deps.executions.describe(executionArn);
    if (described.status === 'RUNNING') continue;
    const end = await deps.executions.endError(executionArn);
    if (end !== null) return end.error ?? described.error ?? hint;
    if (described.error !== null) return described.error;
  }
  return hint;
}

/** Status of an execution, `NOT_FOUND` when Step Functions does not know it (a never-started successor). */
export async function statusOf(
  executions: Pick<ExecutionControl, 'describe'>,
  executionArn: string
): Promise<ExecutionStatus | 'NOT_FOUND'> {
  try {
    return (await executions.describe(executionArn)).status;
  } catch (error) {
    if (
      error instanceof StepFunctionsRejectedError &&
      /ExecutionDoesNotExist|does not exist/i.test(error.message)
    )
      return 'NOT_FOUND';
    throw error;
  }
}

/**
 * Applies the plan for one entry: release, keep the weights, or restore the snapshot (verified by reading back)
 * and finish the entry. Finishing is conditional on the entry's version, so a write that raced the restore
 * makes this throw and the caller retries.
 */
export async function recoverEntry(
  entry: MigrationEntry,
  executionArn: string,
  status: ExecutionStatus | 'NOT_FOUND',
  error: string | null,
  deps: RecoverDeps
): Promise<RecoveryResult> {
  const plan = planEndedRun({
    entry,
    executionArn,
    status,
    error,
    secondsSinceUpdate: (deps.clock.now().getTime() - Date.parse(entry.updatedAt)) / 1_000,
    graceSeconds: deps.graceSeconds ?? DEFAULT_GRACE_SECONDS,
    inFlightSeconds: deps.inFlightSeconds ?? DEFAULT_IN_FLIGHT_SECONDS,
  });
  logger.info('recovery plan', {
    migrationId: entry.migrationId,
    executionArn,
    status,
    error,
    plan,
  });
  const result = { executionArn, migrationId: entry.migrationId, ...plan, restored: false };
  if (plan.action === 'skip') return result;
  if (plan.action === 'release' || plan.action === 'keep-weights') {
    const phase = plan.action === 'release' ? MigrationPhase.Released : MigrationPhase.KeptWeights;
    await deps.registry.finish(entry.migrationId, ownerOf(entry), phase, plan.reason);
    return result;
  }
  // Announced like every write, so a handler of the same run still running (a Rollback racing the stop) takes
  // this restore for the run's own write, not for drift.
  // Announced once: re-announcing would restamp updatedAt, and a reconciler running more often than
  // inFlightSeconds would then wait out the write in flight forever, never finishing the entry.
  const target = snapshotWeights(entry.snapshot);
  const announced =
    entry.pending !== null && pendingAfter(entry.pending, target).length === entry.pending.length
      ? entry
      : await markPending(deps.registry, entry, target);
  try {
    await deps.router.restore(entry.snapshot);
  } catch (cause) {
    throw new RollbackFailedError(
      `restoring the snapshot of ${entry.migrationId} (${executionArn}) failed: ${(cause as Error).message}`,
      { cause }
    );
  }
  const after = await deps.router.readPairs(entry.records);
  if (!isAtSnapshot(after, entry.snapshot)) {
    throw new RollbackFailedError(
      `records of ${entry.migrationId} still differ from the snapshot after the restore: ${snapshotDifferences(after, entry.snapshot).join('; ')}`
    );
  }
  logger.info('restored', {
    migrationId: entry.migrationId,
    executionArn,
    ...restoredShareField(entry.snapshot),
  });
  // A write announced before the stop may still land: the entry stays open (the records locked) and a later
  // pass (the reconciler) restores again and finishes it.
  if (plan.action === 'restore-and-wait') return { ...result, restored: true };
  await deps.registry.finish(
    entry.migrationId,
    ownerOf(announced),
    MigrationPhase.Restored,
    plan.reason
  );
  await notifySafely(deps.notifier, {
    type: 'MigrationAborted',
    migrationId: entry.migrationId,
    executionArn,
    greenPercent: Math.min(...entry.expected.map((weights) => percentOf(weights))),
    reason: `${plan.reason}; snapshot restored`,
    at: deps.clock.now().toISOString(),
  });
  return { ...result, restored: true };
}
