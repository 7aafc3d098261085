import { RollbackFailedError } from '../core/errors.ts';
import { recordKey } from '../core/lock.ts';
import { planRecovery, type RecoveryPlan } from '../core/recovery.ts';
import type { Clock, ExecutionControl, Notifier, RunState, TrafficRouter } from '../core/state.ts';
import { isAtSnapshot } from '../core/weights.ts';
import { notifySafely } from './notify.ts';
import { logger } from './powertools.ts';

export interface RecoverDeps {
  router: Pick<TrafficRouter, 'readPairs' | 'restore'>;
  executions: ExecutionControl;
  clock: Clock;
  notifier?: Notifier;
}

export interface RecoveryResult extends Pick<RecoveryPlan, 'action' | 'reason'> {
  executionArn: string;
  restored: boolean;
}

/** A newer execution (running, or finished successfully) that took any of the same records since. */
async function newerOwner(
  executions: ExecutionControl,
  state: RunState,
  startDate: string
): Promise<string | null> {
  const mine = new Set(state.input.records.map(recordKey));
  for (const status of ['RUNNING', 'SUCCEEDED'] as const) {
    const candidates = await executions.list(state.run.stateMachineArn, status, {
      startedAfter: startDate,
    });
    for (const candidate of candidates) {
      if (candidate.executionArn === state.run.executionArn || candidate.startDate <= startDate)
        continue;
      const described = await executions.describe(candidate.executionArn);
      const input = described.input as { records?: unknown; resume?: RunState } | null;
      // A continuation of this very run carries it on; it is not a newer owner.
      if (input?.resume?.run.continuedFrom === state.run.executionArn) continue;
      const records = input?.resume?.input.records ?? input?.records;
      if (Array.isArray(records) && records.some((ref) => mine.has(recordKey(ref))))
        return candidate.executionArn;
    }
  }
  return null;
}

/**
 * Restores the snapshot of an execution that ended without finishing its own rollback, when that is still
 * the right thing to do (see core/recovery.ts). Shared by the EventBridge handler and the reconciler.
 */
export async function recoverExecution(
  executionArn: string,
  deps: RecoverDeps,
  errorHint: string | null = null
): Promise<RecoveryResult> {
  const description = await deps.executions.describe(executionArn);
  const state = await deps.executions.latestRunState(executionArn);
  const error = description.error ?? errorHint;
  if (state === null) {
    const plan = planRecovery({
      status: description.status,
      error,
      hasSnapshot: false,
      supersededBy: null,
      atSnapshot: true,
      observeOnly: false,
    });
    return { executionArn, ...plan, restored: false };
  }
  const actual = await deps.router.readPairs(state.input.records);
  const plan = planRecovery({
    status: description.status,
    error,
    hasSnapshot: state.snapshot.length > 0,
    supersededBy: await newerOwner(deps.executions, state, description.startDate),
    atSnapshot: isAtSnapshot(actual, state.snapshot),
    observeOnly: state.input.mode === 'observe',
  });
  logger.info('recovery plan', { executionArn, status: description.status, error, plan });
  if (plan.action === 'skip') return { executionArn, ...plan, restored: false };
  try {
    await deps.router.restore(state.snapshot);
  } catch (cause) {
    throw new RollbackFailedError(
      `restoring the snapshot of ${executionArn} failed: ${(cause as Error).message}`,
      { cause }
    );
  }
  if (!isAtSnapshot(await deps.router.readPairs(state.input.records), state.snapshot)) {
    throw new RollbackFailedError(
      `records of ${executionArn} still differ from the snapshot after the restore`
    );
  }
  await notifySafely(deps.notifier, {
    type: 'MigrationAborted',
    migrationId: state.input.migrationId,
    executionArn,
    greenPercent: state.status.greenPercent,
    reason: `${plan.reason}; snapshot restored`,
    at: deps.clock.now().toISOString(),
  });
  return { executionArn, ...plan, restored: true };
}
