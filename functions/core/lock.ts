/**
 * The per-record lock, derived from the running executions of the state machine.
 * There is no lock table: the executions themselves are the lock, ordered by start time.
 */
import type { RecordRef } from './input.ts';
import { recordSetKey } from './names.ts';

/** A running execution as far as the lock is concerned. */
export interface LockCandidate {
  executionArn: string;
  name: string;
  /** ISO-8601: when the run took the records; for a continuation, when its first generation started. */
  startDate: string;
  /** The records it shifts (`zone name type` keys); empty when its input could not be read. */
  recordKeys: string[];
  /** The execution it continues, if it is a continuation. */
  continuedFrom: string | null;
  /** Whether it already passed preflight (a Task returned its state): it holds the lock whatever the order. */
  established?: boolean;
}

/** `Z123 api.example.com A`: what two runs must not share. */
export function recordKey(ref: Pick<RecordRef, 'hostedZoneId' | 'name' | 'type'>): string {
  return recordSetKey(ref);
}

const byStartThenName = (a: LockCandidate, b: LockCandidate) =>
  a.startDate === b.startDate
    ? a.name.localeCompare(b.name)
    : a.startDate.localeCompare(b.startDate);

/**
 * Which execution owns the records `self` wants, or null when `self` may proceed.
 * The owner is the earliest-started running execution sharing a record (ties: the smaller name), so two runs
 * started at the same moment agree on one winner without a lock table. A continuation is never blocked by the
 * execution it continues (both run for a moment while the predecessor hands over). A rival that already passed
 * preflight always wins, so a tie that is not simultaneous cannot let two runs through.
 *
 * @example
 * findLockOwner(self, [self, older]); // => older: self must fail fast, naming older.executionArn
 */
export function findLockOwner(
  self: LockCandidate,
  running: readonly LockCandidate[]
): LockCandidate | null {
  const mine = new Set(self.recordKeys);
  const rivals = running.filter(
    (other) =>
      other.executionArn !== self.executionArn &&
      other.executionArn !== self.continuedFrom &&
      other.continuedFrom !== self.executionArn &&
      other.recordKeys.some((key) => mine.has(key))
  );
  // A rival that already passed preflight owns the records, even if this run sorts first: the ordering only
  // settles runs that are in preflight at the same time.
  const established = rivals.filter((rival) => rival.established === true).sort(byStartThenName)[0];
  if (established !== undefined) return established;
  const winner = rivals.reduce(
    (best, rival) => (byStartThenName(rival, best) < 0 ? rival : best),
    self
  );
  return winner === self ? null : winner;
}
