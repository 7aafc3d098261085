/**
 * A quiet look (cadence.ts) judges its k new minutes one by one, each with the window, the cursor and the
 * counters a one-minute loop would have had at that minute, so the window checks, the bake and the limits
 * see exactly the evaluations of a one-minute loop; only the last one becomes the state machine's evaluation.
 */
import type { Cadence } from './cadence.ts';
import { decide } from './decide.ts';
import type { MigrationInput } from './input.ts';
import { lookSettings, windowLagSeconds } from './publication.ts';
import { sliceReading } from './reading-slice.ts';
import type { RunState } from './state.ts';
import {
  Action,
  type Evaluation,
  type MetricReading,
  type ShiftStatus,
  type TimeWindow,
  Verdict,
} from './types.ts';
import { backlogStart, evaluate } from './verdict.ts';
import { evaluationWindow } from './window.ts';

/**
 * The ends of the minutes this look judges, oldest first: every period end after the cadence's `through` up
 * to the window's end after a quiet wait (or after a quiet look whose read of green failed: `refold`), else
 * only the window's end (a watchful look is one evaluation, as before the cadence). At most
 * `windowSeconds / periodSeconds + minEvidenceMinutes` ends, the newest: a `through` far behind (a stale or
 * hand-made continuation) never makes a look fold minute by minute since then.
 *
 * @example
 * foldEnds({ minutes: 2, through: '…T10:04:00.000Z', reason: 'quiet' }, { start: '…T10:04:00.000Z', end: '…T10:06:00.000Z' }, input);
 * // => ['…T10:05:00.000Z', '…T10:06:00.000Z']
 */
export function foldEnds(
  cadence: Cadence | undefined,
  window: TimeWindow,
  input: Pick<MigrationInput, 'metrics' | 'thresholds'>
): string[] {
  const endMs = Date.parse(window.end);
  if (cadence === undefined || (cadence.minutes <= 1 && cadence.refold !== true))
    return [window.end];
  const { periodSeconds, windowSeconds } = input.metrics;
  const periodMs = periodSeconds * 1_000;
  const most = Math.ceil(windowSeconds / periodSeconds) + input.thresholds.minEvidenceMinutes;
  const ends: string[] = [];
  const first = Math.max(Date.parse(cadence.through) + periodMs, endMs - (most - 1) * periodMs);
  for (let end = first; end < endMs; end += periodMs) ends.push(new Date(end).toISOString());
  return [...ends, window.end];
}

/** When a one-minute loop looked at the minute ending `end` (its first look: the window then ends there). */
function lookAt(state: RunState, end: string): Date {
  return new Date(Date.parse(end) + windowLagSeconds(lookSettings(state)) * 1_000);
}

/**
 * The first instant the folded minutes read (their windows and the sequential tests' backlog): one read
 * from there to the last end serves every minute. Windows and backlogs only move forward, so the first
 * minute's are the earliest.
 *
 * @example
 * foldSpan(state, ends); // => { start: '…T10:03:00.000Z', end: '…T10:06:00.000Z' }
 */
export function foldSpan(state: RunState, ends: readonly string[]): TimeWindow | null {
  const first = ends[0] as string;
  const last = ends[ends.length - 1] as string;
  const window = evaluationWindow(lookAt(state, first), state.status, lookSettings(state));
  if (window === null) return null;
  const backlog = backlogStart(state.status.sequential, window, state.input.metrics.windowSeconds);
  return { start: backlog ?? window.start, end: last };
}

/** Judges one minute's window (null: no new complete window at that minute) with the status of that minute. */
export type MinuteJudge = (status: ShiftStatus, window: TimeWindow | null) => Evaluation;

/**
 * Folds the minutes ending at `ends` but the last through `decide`, each judged at its own look, and judges
 * the last at `now`: the state to fold the returned evaluation into (run.ts afterEvaluation), its status
 * being the one-minute loop's before that minute. Should an earlier minute decide anything but observe or
 * hold (the cadence rules that out), that minute's evaluation is returned instead, so nothing decided is lost.
 * `minutes` hands back every minute's evaluation as judged, oldest first, up to the returned one: the
 * dashboard logs one line per judged minute (lib/dashboard-fields.ts `minuteJudgedLine`).
 *
 * @example
 * foldMinutes(state, ends, now, judgeMinute); // => { state: { ...state, status: afterFirstMinute }, evaluation: lastMinute, minutes: [firstMinute, lastMinute] }
 */
export function foldMinutes(
  state: RunState,
  ends: readonly string[],
  now: Date,
  judge: MinuteJudge
): { state: RunState; evaluation: Evaluation; minutes: Evaluation[] } {
  let status = state.status;
  const minutes: Evaluation[] = [];
  for (const end of ends.slice(0, -1)) {
    const at = lookAt(state, end);
    const evaluation = judge(status, evaluationWindow(at, status, lookSettings(state)));
    minutes.push(evaluation);
    const decided = decide({ status, evaluation, steps: state.steps, input: state.input, now: at });
    const action = decided.decision.action;
    if (action !== Action.Observe && action !== Action.Hold)
      return { state: { ...state, status }, evaluation, minutes };
    status = decided.status;
  }
  const evaluation = judge(status, evaluationWindow(now, status, lookSettings(state)));
  minutes.push(evaluation);
  return { state: { ...state, status }, evaluation, minutes };
}

/** A minute with no new complete window (already judged, or not judgeable yet). */
export function notJudgedYet(): Evaluation {
  return {
    verdict: Verdict.Inconclusive,
    reason:
      'no new complete metric window yet (since the step became judgeable or since the last judged window)',
    assessments: [],
    window: null,
  };
}

/** A quiet look's minutes judged: the state to fold `evaluation` into, as foldMinutes returns it. */
export interface FoldedLook {
  state: RunState;
  evaluation: Evaluation;
  /** Every minute's evaluation as judged, oldest first, ending with `evaluation` (foldMinutes). */
  minutes: Evaluation[];
  /** Green's read failed: the cadence's `through` to keep (run.ts afterEvaluation `refoldThrough`). */
  refoldThrough?: string;
}

/**
 * A quiet look's minutes judged one by one from the one read of its span (foldSpan), each cut from it
 * (reading-slice.ts); null when a reading cannot be cut (no per-period values). A failed read of green is
 * one Error, as at a one-minute look, and its minutes are read again a minute later, one by one
 * (`refoldThrough`). A failed read of blue alone is one Error too, at the look's own (last) minute: the
 * minutes before it are judged on green alone, so a regression on green still fails every one of them.
 *
 * @example
 * foldReading(state, window, ends, { green, blue }, now); // => { state: afterTheFirstMinutes, evaluation: lastMinute }
 */
export function foldReading(
  state: RunState,
  window: TimeWindow,
  ends: readonly string[],
  reading: { green: MetricReading; blue: MetricReading | null },
  now: Date
): FoldedLook | null {
  if (sliceReading(reading.green, window) === null) return null;
  if (reading.blue !== null && sliceReading(reading.blue, window) === null) return null;
  const { input } = state;
  if (reading.green.kind === 'unavailable') {
    const { status } = state;
    const evaluation = evaluate(
      reading.green,
      reading.blue,
      input,
      window,
      status.blueLatency ?? null,
      status.sequential ?? null
    );
    return {
      state,
      evaluation,
      minutes: [evaluation],
      refoldThrough: state.cadence?.through ?? window.start,
    };
  }
  const green = reading.green;
  const last = ends[ends.length - 1];
  return foldMinutes(state, ends, now, (status, minute) => {
    if (minute === null) return notJudgedYet();
    const blue =
      reading.blue === null || (reading.blue.kind === 'unavailable' && minute.end !== last)
        ? null
        : sliceReading(reading.blue, minute);
    const from = backlogStart(status.sequential, minute, input.metrics.windowSeconds);
    return evaluate(
      sliceReading(green, minute) as MetricReading,
      blue,
      input,
      minute,
      status.blueLatency ?? null,
      status.sequential ?? null,
      from === null ? null : sliceReading(green, { start: from, end: minute.start })
    );
  });
}
