/**
 * A conservative count of the execution's history events. A Standard execution fails outright at
 * 25,000 events (no Catch runs), so a long bake continues in a new execution well before that.
 * Per state: a Task 5 events (Entered, Scheduled, Started, Succeeded, Exited), a Wait 2, a Choice 2.
 */
import type { RunState } from './state.ts';

/** Bake (Wait 2) + EvaluateMetrics (Task 5) + Decide (Choice 2). */
export const EVENTS_PER_EVALUATION = 9;
/** ShiftTraffic (Task 5) + WaitForDnsSync (Wait 2) + CheckDnsSync (Task 5) + IsDnsSynced (Choice 2). */
export const EVENTS_PER_SHIFT = 14;
/** One more WaitForDnsSync + CheckDnsSync + IsDnsSynced round while the change is PENDING. */
export const EVENTS_PER_EXTRA_SYNC_POLL = 9;
/** ExecutionStarted (1) + Preflight (Task 5). */
export const EVENTS_AT_START = 6;
/** AWS's hard limit on events in one Standard execution's history. */
export const HISTORY_EVENT_LIMIT = 25_000;
/** Where we aim to stay below: 5,000 events of margin for retries this estimate does not see. */
export const HISTORY_EVENT_BUDGET = 20_000;
/** Kept free for one more shift, a rollback and its retries after the decision to continue. */
export const HISTORY_RESERVE = 200;

export type HistoryEstimate = RunState['history'];

/**
 * The history of a new execution (first generation or continuation) after Preflight.
 *
 * @example
 * initialHistory(); // => { eventsEstimate: 6, continueNow: false }
 */
export function initialHistory(): HistoryEstimate {
  return { eventsEstimate: EVENTS_AT_START, continueNow: false };
}

/**
 * Adds `events` and flags `continueNow` once the estimate plus `reserveEvents` reaches the budget.
 *
 * @example
 * addEvents({ eventsEstimate: 19_795, continueNow: false }, 9); // => { eventsEstimate: 19_804, continueNow: true }
 */
export function addEvents(
  history: HistoryEstimate,
  events: number,
  reserveEvents: number = HISTORY_RESERVE
): HistoryEstimate {
  const eventsEstimate = history.eventsEstimate + events;
  return { eventsEstimate, continueNow: eventsEstimate + reserveEvents >= HISTORY_EVENT_BUDGET };
}

/**
 * After one Bake -> EvaluateMetrics -> Decide round.
 *
 * @example
 * historyAfterEvaluation({ eventsEstimate: 100, continueNow: false }); // => { eventsEstimate: 109, continueNow: false }
 */
export function historyAfterEvaluation(
  history: HistoryEstimate,
  reserveEvents: number = HISTORY_RESERVE
): HistoryEstimate {
  return addEvents(history, EVENTS_PER_EVALUATION, reserveEvents);
}

/**
 * After one shift, including `extraSyncPolls` more rounds of waiting for INSYNC.
 *
 * @example
 * historyAfterShift({ eventsEstimate: 100, continueNow: false }, 2); // => { eventsEstimate: 132, continueNow: false }
 */
export function historyAfterShift(
  history: HistoryEstimate,
  extraSyncPolls = 0,
  reserveEvents: number = HISTORY_RESERVE
): HistoryEstimate {
  return addEvents(
    history,
    EVENTS_PER_SHIFT + extraSyncPolls * EVENTS_PER_EXTRA_SYNC_POLL,
    reserveEvents
  );
}
