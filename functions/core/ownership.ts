/**
 * Pure decisions from registry facts: whose weights the records hold, and what to do with a migration whose
 * execution ended. The handlers read the facts (registry entry, records, execution status) and act on these.
 */
import { recordSetKey } from './names.ts';
import { KEEP_WEIGHTS_ERROR } from './recovery.ts';
import { type MigrationEntry, UNFINISHED_PHASES } from './registry.ts';
import type { ExecutionStatus } from './state.ts';
import type { PairWeights, WeightedPair } from './types.ts';
import { findDrift } from './weights.ts';

const pairKey = (pair: Pick<PairWeights, 'hostedZoneId' | 'name' | 'type'>) => recordSetKey(pair);

/**
 * The targets in flight after announcing `next`: the new targets, plus the earlier ones still unconfirmed (a
 * rollback after a partial shift: a zone may still be at the shift's target, another at the rollback's).
 *
 * @example
 * pendingAfter([shift10], [snapshot0]); // => [snapshot0, shift10]
 */
export function pendingAfter(
  previous: readonly PairWeights[] | null,
  next: readonly PairWeights[]
): PairWeights[] {
  const same = (a: PairWeights, b: PairWeights) =>
    pairKey(a) === pairKey(b) && a.blueWeight === b.blueWeight && a.greenWeight === b.greenWeight;
  return [
    ...next,
    ...(previous ?? []).filter((earlier) => !next.some((target) => same(target, earlier))),
  ];
}

/**
 * The pairs whose weights are neither the run's `expected` nor the target of its write in flight (`pending`):
 * someone else's change. A pair at `pending` is the run's own partial write (a change batch is atomic only
 * inside one hosted zone), so a retried write finishes it instead of calling it drift.
 *
 * @example
 * foreignDrift(actual, expected90_10, pending50_50); // => [] when zone 1 is at 50/50 and zone 2 still at 90/10
 */
export function foreignDrift(
  actual: readonly WeightedPair[],
  expected: readonly PairWeights[],
  pending: readonly PairWeights[] | null
): string[] {
  const actualByKey = new Map(actual.map((pair) => [pairKey(pair), pair]));
  // A pair may have several targets in flight (a rollback started while a shift's write was partial).
  const atPending = (weights: PairWeights) => {
    const pair = actualByKey.get(pairKey(weights));
    return (pending ?? []).some(
      (target) =>
        pair !== undefined &&
        pairKey(target) === pairKey(weights) &&
        pair.blue.Weight === target.blueWeight &&
        pair.green.Weight === target.greenWeight
    );
  };
  const wanted = new Set(expected.map(pairKey));
  return [
    ...expected
      .filter((weights) => !atPending(weights))
      .flatMap((weights) =>
        findDrift(
          actual.filter((pair) => pairKey(pair) === pairKey(weights)),
          [weights]
        )
      ),
    ...findDrift(
      actual.filter((pair) => !wanted.has(pairKey(pair))),
      []
    ),
  ];
}

/** Whether `executionArn` owns the entry now: it is unfinished and names that execution. */
export function ownsEntry(entry: MigrationEntry | null, executionArn: string): boolean {
  return (
    entry !== null && UNFINISHED_PHASES.includes(entry.phase) && entry.executionArn === executionArn
  );
}

export interface EndedRunFacts {
  entry: MigrationEntry;
  /** The execution that ended (from the event, or the reconciler's read). */
  executionArn: string;
  /** Its status: `NOT_FOUND` when it never existed (a continuation that was never started). */
  status: ExecutionStatus | 'NOT_FOUND';
  /** The error it ended with (Fail state, or StopExecution's code, from the history's end event). */
  error: string | null;
  /** Seconds since the entry last changed: a missing execution may simply not be started yet. */
  secondsSinceUpdate: number;
  /** How long a missing owner is given before its entry is recovered. */
  graceSeconds: number;
  /**
   * How long a write announced in `pending` may still land (the writing Lambda keeps running after a stop):
   * within it, the snapshot is restored but the entry stays open, for a later pass to restore again and finish.
   */
  inFlightSeconds: number;
}

export type EndedRunPlan =
  | { action: 'skip'; reason: string }
  | { action: 'release'; reason: string }
  | { action: 'keep-weights'; reason: string }
  | { action: 'restore'; reason: string }
  | { action: 'restore-and-wait'; reason: string };

/**
 * What to do with a migration after its owning execution ended without finishing it. Only the registry decides
 * ownership: a finished entry (completed, rolled back, stopped on drift) or one a newer execution owns is never
 * touched, whatever the execution's error says.
 *
 * @example
 * planEndedRun({ entry: running, executionArn: running.executionArn, status: 'ABORTED', error: null, ... });
 * // => { action: 'restore', reason: 'execution ABORTED while running: restoring the snapshot' }
 */
export function planEndedRun(facts: EndedRunFacts): EndedRunPlan {
  const { entry, status } = facts;
  if (!UNFINISHED_PHASES.includes(entry.phase)) {
    return { action: 'skip', reason: `migration already ${entry.phase}` };
  }
  if (entry.executionArn !== facts.executionArn) {
    return { action: 'skip', reason: `migration is owned by ${entry.executionArn} now` };
  }
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') {
    return { action: 'skip', reason: `execution ${status}: it still owns the migration` };
  }
  if (status === 'NOT_FOUND' && facts.secondsSinceUpdate < facts.graceSeconds) {
    return {
      action: 'skip',
      reason: `execution not found yet (${Math.round(facts.secondsSinceUpdate)}s < ${facts.graceSeconds}s grace)`,
    };
  }
  const ended = status === 'NOT_FOUND' ? 'never started' : status;
  if (entry.snapshot.length === 0 || entry.phase === 'preflight') {
    return {
      action: 'release',
      reason: `execution ${ended} before any write: releasing the records`,
    };
  }
  if (entry.mode === 'observe') {
    return { action: 'release', reason: `execution ${ended} in observe mode: it never wrote` };
  }
  if (facts.error === KEEP_WEIGHTS_ERROR) {
    return {
      action: 'keep-weights',
      reason: `stopped with ${KEEP_WEIGHTS_ERROR}: the operator keeps the current weights`,
    };
  }
  if (entry.pending !== null && facts.secondsSinceUpdate < facts.inFlightSeconds) {
    return {
      action: 'restore-and-wait',
      reason: `execution ${ended} with a write in flight: restoring the snapshot now and again once it can no longer land (${facts.inFlightSeconds}s)`,
    };
  }
  return { action: 'restore', reason: `execution ${ended} while running: restoring the snapshot` };
}
