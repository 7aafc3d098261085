/**
 * Names shared by the recovery paths (on-execution-end, reconcile, the CLI's status and abort). The decision
 * itself is `planEndedRun` in ownership.ts: the migration registry, not the execution's error, says whether
 * a run's records still need restoring.
 */

/** The StopExecution error code with which an operator asks to keep the current weights. */
export const KEEP_WEIGHTS_ERROR = 'KeepWeights';
