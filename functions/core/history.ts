/**
 * A conservative count of the execution's history events. A Standard execution fails outright at
 * 25,000 events (no Catch runs), so a long bake continues in a new execution well before that.
 * Per state: a Task 5 events (Entered, Scheduled, Started, Succeeded, Exited), a Wait 2, a Choice 2.
 */
import type { RunState } from './state.ts';

/**
 * Bake (Wait 2) + EvaluateMetrics (Task 5) + Decide (Choice 2).
 *
 * @example
 * 10 * EVENTS_PER_EVALUATION; // => 90 events for a 10-minute bake judged every minute
 */
export const EVENTS_PER_EVALUATION = 9;
/**
 * AfterBakeHook (Choice 2) + BeforeShiftHook (Choice 2) + ShiftTraffic (Task 5) + WaitForDnsSync (Wait 2) +
 * CheckDnsSync (Task 5) + IsDnsSynced (Choice 2). The hook rounds themselves: core/step-hooks.ts. The two Choices
 * are counted even when Decide skips them (no hooks): an approved gate still passes them, and counting 4 events
 * too many keeps the estimate conservative and the continue-as-new point where it was.
 *
 * @example
 * 7 * EVENTS_PER_SHIFT; // => 126 events for seven steps synced at the first poll
 */
export const EVENTS_PER_SHIFT = 18;
/**
 * One more WaitForDnsSync + CheckDnsSync + IsDnsSynced round while the change is PENDING.
 *
 * @example
 * EVENTS_PER_SHIFT + 2 * EVENTS_PER_EXTRA_SYNC_POLL; // => 32 events for a shift synced at the third poll
 */
export const EVENTS_PER_EXTRA_SYNC_POLL = 9;
/**
 * ExecutionStarted (1) + Preflight (Task 5).
 *
 * @example
 * initialHistory().eventsEstimate === EVENTS_AT_START; // => true
 */
export const EVENTS_AT_START = 6;
/**
 * AWS's hard limit on events in one Standard execution's history.
 *
 * @example
 * HISTORY_EVENT_LIMIT - HISTORY_EVENT_BUDGET; // => 5,000 events of margin
 */
export const HISTORY_EVENT_LIMIT = 25_000;
/**
 * Where we aim to stay below: 5,000 events of margin for retries this estimate does not see.
 *
 * @example
 * addEvents({ eventsEstimate: HISTORY_EVENT_BUDGET, continueNow: false }, 0, 0).continueNow; // => true
 */
export const HISTORY_EVENT_BUDGET = 20_000;
/**
 * Kept free for one more shift, a rollback and its retries after the decision to continue.
 *
 * @example
 * addEvents(history, EVENTS_PER_EVALUATION, HISTORY_RESERVE); // the default reserve
 */
export const HISTORY_RESERVE = 200;

/**
 * The `history` field of the run state.
 *
 * @example
 * const history: HistoryEstimate = { eventsEstimate: 6, continueNow: false };
 */
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
