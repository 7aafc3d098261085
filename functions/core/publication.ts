/**
 * Judging each minute as soon as CloudWatch publishes it: instead of always waiting the worst-case
 * publication delay, EvaluateMetrics looks for the newest minute `earliestPublicationSeconds` after it ends
 * and looks again every `publicationPollSeconds` until `publicationDelaySeconds` (the bound: a minute still
 * missing then is judged as it is). A look that finds the minute missing judges nothing: it only waits again.
 * With `publicationPollSeconds` 0 the fixed delay applies as before.
 *
 * The run learns the lag (`RunState.publicationLag`): a look that misses moves it one poll later, so a steady
 * lag costs one missed look instead of one per minute; after `PROBE_AFTER_HITS` judged looks in a row it
 * moves one poll earlier, so a publication that sped up is found again (a probe that misses costs one look).
 */
import { addEvents, EVENTS_PER_EVALUATION } from './history.ts';
import type { MigrationInput } from './input.ts';
import type { RunState } from './state.ts';
import { Action, type Evaluation, type MetricReading, type TimeWindow, Verdict } from './types.ts';

/**
 * The lag learned within the run: looks are at `seconds` after a minute ends (on the poll grid, between
 * the first look and `publicationDelaySeconds`); `hits` counts the judged looks since the last miss.
 */
export interface PublicationLag {
  seconds: number;
  hits: number;
}

/**
 * Judged looks in a row before the lag moves one poll earlier: 1, so a judged look moves it back at once and
 * the next minute is looked at as early as without learning. What stays learned is the poll sequence of one
 * minute: a look that misses keeps the window on that minute (with the first look's lag, the window at the
 * 150-s look already ended a minute later, so a steady lag of 121-150 s was never judged). Holding the lag for
 * 8 looks saves looks on a steady lag (the 120-s what-if: 28 -> 4 missed looks, $0.0151 -> $0.0108), but
 * where each minute's lag varies (the fair bench: 60-150 s) it judges a third of the minutes one poll later:
 * restore median 451 -> 480 s (2 looks: the same), so detection speed wins (bench/README, issue 13).
 */
export const PROBE_AFTER_HITS = 1;

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
 * The metric settings of the run's looks: `earliestPublicationSeconds` is the learned lag when polling
 * (the window and the next look follow it), else the input's.
 *
 * @example
 * lookSettings({ input, publicationLag: { seconds: 120, hits: 2 } }).earliestPublicationSeconds; // => 120
 */
export function lookSettings(
  state: Pick<RunState, 'input' | 'publicationLag'>
): MigrationInput['metrics'] {
  const { metrics } = state.input;
  const learned = state.publicationLag?.seconds;
  if (learned === undefined || metrics.publicationPollSeconds <= 0) return metrics;
  return { ...metrics, earliestPublicationSeconds: learned };
}

/**
 * The learned lag after a look that found the newest minute missing: one poll later (at most the bound).
 *
 * @example
 * lagAfterMiss({ input, publicationLag: { seconds: 90, hits: 3 } }); // => { seconds: 120, hits: 0 }
 */
export function lagAfterMiss(state: Pick<RunState, 'input' | 'publicationLag'>): PublicationLag {
  const { publicationDelaySeconds, publicationPollSeconds } = state.input.metrics;
  const seconds = windowLagSeconds(lookSettings(state)) + publicationPollSeconds;
  return { seconds: Math.min(seconds, publicationDelaySeconds), hits: 0 };
}

/**
 * The learned lag after a look that judged: one more hit, and one poll earlier after `PROBE_AFTER_HITS`
 * hits (never before the first look). Unchanged when not polling, when no window was judged, or when the
 * verdict is Error (a failed read says nothing about publication).
 *
 * @example
 * lagAfterJudged({ input, publicationLag: { seconds: 120, hits: 7 } }, evaluation); // => { seconds: 90, hits: 0 }
 */
export function lagAfterJudged(
  state: Pick<RunState, 'input' | 'publicationLag'>,
  evaluation: Pick<Evaluation, 'verdict' | 'window'>
): PublicationLag | undefined {
  const { metrics } = state.input;
  if (metrics.publicationPollSeconds <= 0) return state.publicationLag;
  if (evaluation.window == null || evaluation.verdict === Verdict.Error)
    return state.publicationLag;
  const seconds = windowLagSeconds(lookSettings(state));
  const hits = Math.min((state.publicationLag?.hits ?? 0) + 1, PROBE_AFTER_HITS);
  const lower = seconds - metrics.publicationPollSeconds;
  // One poll earlier once PROBE_AFTER_HITS judged looks are in (with 1: after every judged look), never before
  // the first look.
  return hits === PROBE_AFTER_HITS && lower >= windowLagSeconds(metrics)
    ? { seconds: lower, hits: 0 }
    : { seconds, hits };
}

/**
 * Seconds from `now` to the first look at the next minute to judge: the minute `evaluationIntervalSeconds`
 * (rounded up to whole periods) after the newest one the window could hold at `now` (with `metrics`' lag),
 * looked at `nextLagSeconds` after it ends (default: the same lag). At least 1.
 *
 * @example
 * nextLookSeconds(new Date('2026-01-01T10:02:30Z'), metrics, 60); // => 60 (the minute ending 10:02 is looked at from 10:03:30)
 */
export function nextLookSeconds(
  now: Date,
  metrics: PublicationSettings,
  evaluationIntervalSeconds: number,
  nextLagSeconds = windowLagSeconds(metrics)
): number {
  const periodMs = metrics.periodSeconds * 1_000;
  const lagMs = windowLagSeconds(metrics) * 1_000;
  const newestEndMs = Math.floor((now.getTime() - lagMs) / periodMs) * periodMs;
  const stepMs = Math.max(1, Math.ceil((evaluationIntervalSeconds * 1_000) / periodMs)) * periodMs;
  const nextLookMs = newestEndMs + stepMs + nextLagSeconds * 1_000;
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
    // The next look at this minute is one poll later: so are the run's next looks (and its window's lag).
    publicationLag: lagAfterMiss(state),
    history: addEvents(state.history, EVENTS_PER_EVALUATION),
  };
}
