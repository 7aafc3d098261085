/**
 * What to do with an execution that ended without finishing its own rollback (abort, uncaught failure, timeout).
 * Shared by the EventBridge handler and the scheduled reconciler, so a lost event gets the same treatment.
 */
import type { ExecutionStatus } from './state.ts';

/** Fail-state errors after which the weights are already where they should be. */
export const SETTLED_ERRORS = ['RolledBack', 'StoppedOnDrift', 'PreflightFailed'] as const;
/** The StopExecution error code with which an operator asks to keep the current weights. */
export const KEEP_WEIGHTS_ERROR = 'KeepWeights';

export interface RecoveryFacts {
  status: ExecutionStatus;
  /** The execution's error (Fail state Error, or the code given to StopExecution). */
  error: string | null;
  /** Whether any Task of the run returned a state with a snapshot (false: it never got past preflight). */
  hasSnapshot: boolean;
  /** Whether a newer execution for any of the same records is running or succeeded since. */
  supersededBy: string | null;
  /** Whether the records already equal the snapshot. */
  atSnapshot: boolean;
  /** Whether the run was in observe mode (it never wrote). */
  observeOnly: boolean;
}

export type RecoveryPlan =
  | { action: 'restore'; reason: string }
  | { action: 'skip'; reason: string };

/**
 * Decides whether to restore the snapshot of an ended execution.
 *
 * @example
 * planRecovery({ status: 'ABORTED', error: null, hasSnapshot: true, supersededBy: null, atSnapshot: false, observeOnly: false });
 * // => { action: 'restore', reason: 'execution ABORTED; records differ from the snapshot' }
 */
export function planRecovery(facts: RecoveryFacts): RecoveryPlan {
  if (
    facts.status === 'RUNNING' ||
    facts.status === 'SUCCEEDED' ||
    facts.status === 'PENDING_REDRIVE'
  ) {
    return { action: 'skip', reason: `execution ${facts.status}: nothing to recover` };
  }
  if (!facts.hasSnapshot)
    return { action: 'skip', reason: 'no snapshot: the run ended before any write' };
  if (facts.observeOnly)
    return { action: 'skip', reason: 'observe mode: the run never wrote to Route 53' };
  if (facts.error === KEEP_WEIGHTS_ERROR) {
    return {
      action: 'skip',
      reason: `stopped with ${KEEP_WEIGHTS_ERROR}: the operator keeps the current weights`,
    };
  }
  if (facts.error !== null && (SETTLED_ERRORS as readonly string[]).includes(facts.error)) {
    return { action: 'skip', reason: `ended with ${facts.error}: the weights are already settled` };
  }
  if (facts.supersededBy !== null) {
    return {
      action: 'skip',
      reason: `superseded by ${facts.supersededBy}: restoring would undo a newer run`,
    };
  }
  if (facts.atSnapshot) return { action: 'skip', reason: 'records already equal the snapshot' };
  return {
    action: 'restore',
    reason: `execution ${facts.status}; records differ from the snapshot`,
  };
}
