/**
 * The two-state evaluation cadence (design.md §4 "Cadence"): every evaluation costs three state transitions
 * and one GetMetricData call (billed per metric, not per minute), so while no check can act on the next
 * minute alone the loop looks only every k minutes ("quiet") and folds the k new minutes one by one
 * (cadence-fold.ts), exactly as k one-minute evaluations would; otherwise it looks every minute
 * ("watchful"). A quiet look is never later than the first minute at which a one-minute loop could roll back
 * or advance, so both loops decide the same thing at the same minute.
 */
import type { MigrationInput } from './input.ts';
import { bakeSecondsAt } from './plan.ts';
import {
  alarmThreshold,
  initialSequentialState,
  periodCap,
  type SequentialSettings,
  type SequentialState,
} from './sequential.ts';
import type { EdgeLoadBalancer } from './sources.ts';
import {
  Action,
  type Decision,
  type Evaluation,
  type ShiftStatus,
  type TimeWindow,
} from './types.ts';

/**
 * The cadence chosen after an evaluation: `minutes` new minutes until the next look (1 = watchful), counted
 * from `through`, the end of the newest minute judged; `reason` says what kept it at one minute.
 */
export interface Cadence {
  minutes: number;
  through: string;
  reason: string;
  /**
   * The last quiet look's read of green failed: its minutes (after `through`, which did not move) are read
   * again a minute later and folded one by one (cadence-fold.ts), not judged as one grown window.
   */
  refold?: boolean;
}

/** Service Connect's sequential tests (status.sequential keys); a missing one may start at any window. */
const SEQUENTIAL_CHECKS = ['errorRate', 'baselineErrorRate'] as const;

/** Relative margin against floating-point rounding between this bound and the test's own sums. */
const ROUNDING_MARGIN = 1e-9;

/**
 * The largest evidence `periods` more periods can bring: each alternative's ratio is at most the cap, and
 * the mixture is linear in the statistics, so after one period evidence <= (evidence + 1) x cap (equality
 * when every alternative's ratio reaches the cap), and so on.
 *
 * @example
 * evidenceReach(0, 1, 929.5); // => 929.5
 * evidenceReach(0, 2, 929.5); // => (929.5 + 1) x 929.5 ≈ 864,900
 */
export function evidenceReach(evidence: number, periods: number, cap: number): number {
  let reach = evidence;
  for (let period = 0; period < periods; period++) reach = (reach + 1) * cap;
  return reach;
}

/**
 * Whether `periods` more periods, whatever their counts, leave the test below its threshold: no rollback
 * through it before they are all folded.
 *
 * @example
 * quietFor(initialSequentialState(), 1, { falseAlarmRate: 0.01, minEvidenceMinutes: 2 }); // => true (929 < 144,000)
 */
export function quietFor(
  state: Pick<SequentialState, 'evidence'>,
  periods: number,
  settings: SequentialSettings
): boolean {
  const reach = evidenceReach(state.evidence, periods, periodCap(settings));
  // Stryker disable next-line EqualityOperator: equivalent, a reach exactly at the margin is not a float this sum produces
  return reach < alarmThreshold(settings) * (1 - ROUNDING_MARGIN);
}

/** What `nextCadence` reads. */
export interface CadenceArgs {
  input: Pick<MigrationInput, 'plan' | 'metrics' | 'thresholds' | 'limits' | 'alarms'>;
  edge?: readonly EdgeLoadBalancer[] | undefined;
  /** The status after this evaluation's decision. */
  status: ShiftStatus;
  decision: Decision;
  /** The window this evaluation judged (null: none). */
  window: TimeWindow | null;
  /** An operator request or an open gate is pending (lib/evaluated-state.ts): act on it every minute. */
  operatorPending?: boolean;
  /** The evaluation's `sequentialReach` (core/cadence-reach.ts): its tests' reach over the minutes it read. */
  reach?: Evaluation['sequentialReach'];
}

/**
 * How many minutes until the next look: the largest k (at most `minEvidenceMinutes`) such that none of the
 * k - 1 minutes in between could roll back or advance in a one-minute loop, with the reason when it is 1.
 * Any check that could act on one minute keeps it at 1: alarms, custom queries and the edge (read once per
 * look), p99 (percentiles do not fold minute by minute), an interval other than one period, a decision other
 * than observe or hold, a pending operator request or gate. Otherwise k is bounded by the bake (the look
 * falls on the first minute at which it could be over), by each limit counter (k - 1 more Fails, errors
 * or, with onInconclusiveLimit rollback, Inconclusives must stay within it) and by each sequential test
 * (k - 1 more minutes, plus those not folded yet, must stay below its threshold even at the cap).
 *
 * @example
 * nextCadence({ input, status, decision: { action: 'observe', reason }, window }); // => { minutes: 2, through: window.end, reason: 'quiet' }
 */
export function nextCadence(args: CadenceArgs): Cadence {
  const { input, status, decision, window } = args;
  const watchful = (reason: string): Cadence => ({
    minutes: 1,
    through: window?.end ?? '',
    reason,
  });
  if (window === null) return watchful('no window judged');
  if (decision.action !== Action.Observe && decision.action !== Action.Hold)
    return watchful(`decision ${decision.action}`);
  const { metrics, thresholds, limits, plan } = input;
  if (plan.evaluationIntervalSeconds !== metrics.periodSeconds)
    return watchful('evaluation interval is not one period');
  if (input.alarms.length > 0) return watchful('alarms roll back at any look');
  if (metrics.queries.length > 0) return watchful('custom queries are read once per look');
  if ((args.edge ?? []).length > 0) return watchful('the edge is read once per look');
  if (thresholds.latencyP99MaxMs !== undefined) return watchful('p99 does not fold by minute');
  if (args.operatorPending === true) return watchful('operator request or gate pending');
  const periodMs = metrics.periodSeconds * 1_000;
  const bounds: { minutes: number; reason: string }[] = [
    { minutes: thresholds.minEvidenceMinutes, reason: 'minEvidenceMinutes' },
    { minutes: limits.maxFailures - status.failures + 1, reason: 'maxFailures' },
    {
      minutes: limits.maxConsecutiveFailures - status.consecutiveFailures + 1,
      reason: 'maxConsecutiveFailures',
    },
    {
      minutes: limits.maxConsecutiveErrors - status.consecutiveErrors + 1,
      reason: 'maxConsecutiveErrors',
    },
  ];
  if (limits.onInconclusiveLimit === 'rollback')
    bounds.push({
      minutes: limits.maxInconclusive - status.inconclusiveStreak + 1,
      reason: 'maxInconclusive',
    });
  const endMs = Date.parse(window.end);
  const cursorMs = Date.parse(status.windowFrom ?? window.start);
  // A Pass bakes every minute since the cursor (the window grows over Inconclusive minutes): the bake can
  // be over at the first minute at which those, plus the new ones, reach it.
  const bakeLeftMs =
    bakeSecondsAt(plan, status.greenPercent) * 1_000 -
    status.bakedSeconds * 1_000 -
    Math.max(0, endMs - cursorMs);
  bounds.push({ minutes: Math.ceil(bakeLeftMs / periodMs), reason: 'bake end' });
  const settings = {
    falseAlarmRate: thresholds.falseAlarmRate,
    minEvidenceMinutes: thresholds.minEvidenceMinutes,
  };
  // The oldest minute a later window can start at, and the backlog reads up to windowSeconds before that.
  const backlogFromMs =
    Math.max(endMs - metrics.windowSeconds * 1_000, cursorMs) - metrics.windowSeconds * 1_000;
  const checks = (metrics.blueDiscoveryNames ?? []).length > 0 ? SEQUENTIAL_CHECKS : ['errorRate'];
  for (const check of checks) {
    // A test not started yet (or not run for a while: no baseline at 100 %) may fold every minute a later
    // window and its backlog hold, at once.
    const state = status.sequential?.[check] ?? initialSequentialState();
    const consumedMs =
      state.consumedUntil === null ? Number.NEGATIVE_INFINITY : Date.parse(state.consumedUntil);
    const fromMs = Math.min(endMs, Math.max(consumedMs, backlogFromMs));
    const unfolded = Math.ceil((endMs - fromMs) / periodMs);
    // Minutes already read have known counts: when the evaluation read every minute a later window may fold,
    // their reach at the test's lowest limit (cadence-reach.ts) bounds them as well as the cap does (a
    // healthy green stays quiet at 100 %); either bound suffices. Only at 100 % green: the reach takes a
    // minute's counts as read, and CloudWatch may still add to a minute read in part. Below 100 % blue's
    // minutes can be published after green's, so the test resumes a minute later over green's minute re-read
    // in full, and a rollback could come up to k - 1 minutes late (review of f65ed65); at 100 % blue has no
    // weight and the test resumes only if stale clients bring blue minRequests again.
    const known = status.greenPercent === 100 ? args.reach?.[check] : undefined;
    const read = known !== undefined && Date.parse(known.from) <= fromMs;
    const quiet = (minutes: number) =>
      quietFor(state, unfolded + minutes, settings) || (read && quietFor(known, minutes, settings));
    // Ends: the reach grows by at least the cap (> 1) per period; the minEvidenceMinutes bound caps k anyway.
    let minutes = 1;
    while (quiet(minutes)) minutes += 1;
    bounds.push({ minutes, reason: `sequential ${check} evidence` });
  }
  const tightest = bounds.reduce((low, bound) => (bound.minutes < low.minutes ? bound : low));
  const minutes = Math.max(1, tightest.minutes);
  return {
    minutes,
    through: window.end,
    reason: minutes > 1 ? 'quiet' : tightest.reason,
  };
}
