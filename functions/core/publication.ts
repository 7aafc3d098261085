/**
 * Judging each minute as soon as CloudWatch publishes it: instead of always waiting the worst-case
 * publication delay, EvaluateMetrics looks for the newest minute `earliestPublicationSeconds` after it ends
 * and looks again every `publicationPollSeconds` until `publicationDelaySeconds` (the bound: a minute still
 * missing then is judged as it is). A look that finds the minute missing judges nothing: it only waits again.
 * With `publicationPollSeconds` 0 the fixed delay applies as before.
 */
import { addEvents, EVENTS_PER_EVALUATION } from './history.ts';
import type { MigrationInput } from './input.ts';
import type { RunState } from './state.ts';
import { Action, type MetricReading, type TimeWindow, Verdict } from './types.ts';

export type PublicationSettings = Pick<
  MigrationInput['metrics'],
  | 'periodSeconds'
  | 'publicationDelaySeconds'
  | 'earliestPublicationSeconds'
  | 'publicationPollSeconds'
>;

/**
 * How long after a minute ends the window may include it: the first look when polling, else the fixed delay.
 *
 * @example
 * windowLagSeconds({ periodSeconds: 60, publicationDelaySeconds: 150, earliestPublicationSeconds: 90, publicationPollSeconds: 30 }); // => 90
 */
export function windowLagSeconds(metrics: PublicationSettings): number {
  return metrics.publicationPollSeconds > 0
    ? Math.min(metrics.earliestPublicationSeconds, metrics.publicationDelaySeconds)
    : metrics.publicationDelaySeconds;
}

/**
 * Seconds from `now` to the first look at the next minute to judge: the minute `evaluationIntervalSeconds`
 * (rounded up to whole periods) after the newest one the window could hold at `now`. At least 1.
 *
 * @example
 * nextLookSeconds(new Date('2026-01-01T10:02:30Z'), metrics, 60); // => 60 (the minute ending 10:02 is looked at from 10:03:30)
 */
export function nextLookSeconds(
  now: Date,
  metrics: PublicationSettings,
  evaluationIntervalSeconds: number
): number {
  const periodMs = metrics.periodSeconds * 1_000;
  const lagMs = windowLagSeconds(metrics) * 1_000;
  const newestEndMs = Math.floor((now.getTime() - lagMs) / periodMs) * periodMs;
  const stepMs = Math.max(1, Math.ceil((evaluationIntervalSeconds * 1_000) / periodMs)) * periodMs;
  const nextLookMs = newestEndMs + stepMs + lagMs;
  return Math.max(1, Math.ceil((nextLookMs - now.getTime()) / 1_000));
}

/**
 * Whether green's reading holds the window's newest period (a datapoint in any status or request series).
 *
 * @example
 * newestPeriodPublished(green, window, 60); // => false while CloudWatch has not published 10:04-10:05
 */
export function newestPeriodPublished(
  green: MetricReading,
  window: TimeWindow,
  periodSeconds: number
): boolean {
  if (green.kind === 'unavailable') return true;
  const newestStartMs = Date.parse(window.end) - periodSeconds * 1_000;
  return green.services.some((service) =>
    service.periodStarts.some((start) => Date.parse(start) === newestStartMs)
  );
}

/**
 * The state after a look that found the window's newest minute not yet published, or null when the
 * evaluation should go ahead (published, polling off, source error, or no time left for another look
 * before `publicationDelaySeconds`). A poll counts no verdict and carries no evaluation (null); it adds one
 * evaluation round to the history estimate.
 *
 * @example
 * awaitPublication(state, window, green, now); // => { ...state, waitSeconds: 30, decision: { action: 'observe', reason: 'waiting for …' } }
 */
export function awaitPublication(
  state: RunState,
  window: TimeWindow,
  green: MetricReading,
  now: Date
): RunState | null {
  const { metrics } = state.input;
  const pollSeconds = metrics.publicationPollSeconds;
  if (pollSeconds <= 0) return null;
  if (newestPeriodPublished(green, window, metrics.periodSeconds)) return null;
  const boundMs = Date.parse(window.end) + metrics.publicationDelaySeconds * 1_000;
  if (now.getTime() + pollSeconds * 1_000 > boundMs) return null;
  const newestStart = new Date(Date.parse(window.end) - metrics.periodSeconds * 1_000);
  const action =
    state.status.lastVerdict === null || state.status.lastVerdict === Verdict.Pass
      ? Action.Observe
      : Action.Hold;
  const reason = `waiting for CloudWatch to publish the minute from ${newestStart.toISOString()} (looking every ${pollSeconds} s until ${new Date(boundMs).toISOString()})`;
  return {
    ...state,
    // This look judged nothing: no evaluation to record or report.
    evaluation: null,
    decision: { action, reason },
    waitSeconds: pollSeconds,
    history: addEvents(state.history, EVENTS_PER_EVALUATION),
  };
}
