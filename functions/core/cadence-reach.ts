/**
 * What a sequential test that has not folded every minute read so far (the baseline test while blue has no
 * traffic, e.g. at 100 %) could reach if it folded them at once at a later minute (design.md §4 "Cadence").
 * Its unfolded minutes are in the past: their counts are known, so the cadence bounds them by those counts
 * at the test's lowest possible limit instead of by the cap, and a healthy green stays quiet.
 */
import { Check } from './checks.ts';
import type { MigrationInput } from './input.ts';
import {
  initialSequentialState,
  logLikelihoodRatio,
  ODDS_RATIOS,
  type PeriodCounts,
  periodCap,
  type SequentialSettings,
  type SequentialState,
} from './sequential.ts';
import type { ServiceSample, TimeWindow } from './types.ts';

/**
 * The largest evidence a test could have after folding, at once, the minutes after its `consumedUntil` that
 * start at or after any instant from `from` on, up to the end of the window read (`evidence`); `from`: the
 * first minute read.
 */
export interface SequentialReach {
  from: string;
  evidence: number;
}

/**
 * The largest likelihood ratio one period's known counts can bring to any alternative at a limit of at
 * least `lowestLimit` (a fraction): each ratio falls as the limit rises (log L = x log r - n log(1 + (r - 1)
 * p0), r > 1), so the lowest limit bounds them all; capped as the test caps it.
 *
 * @example
 * periodBound({ start, requests: 3000, errors: 3 }, 0.005, 95.3); // => ≈ 0.002
 */
export function periodBound(period: PeriodCounts, lowestLimit: number, cap: number): number {
  const ratios = ODDS_RATIOS.map((ratio) =>
    Math.exp(logLikelihoodRatio(period.errors, period.requests, lowestLimit, ratio))
  );
  return Math.min(cap, Math.max(...ratios));
}

/**
 * The test's reach (SequentialReach) over the periods of `read` (oldest first or not), from `state`: for
 * every suffix of the minutes it has not consumed, each known period takes the evidence e to at most
 * (e + 1) x periodBound (the mixture is linear in the statistics), a period without requests leaves it (as
 * updateSequential does), and a minute of `read` with no counts (not published yet) is taken at the cap.
 *
 * @example
 * sequentialReach(state, periods, { start: '…T10:02:00Z', end: '…T10:08:00Z' }, 0.005, 60, settings);
 * // => { from: '…T10:02:00Z', evidence: 0.0 } (healthy minutes)
 */
export function sequentialReach(
  state: SequentialState,
  periods: readonly PeriodCounts[],
  read: TimeWindow,
  lowestLimit: number,
  periodSeconds: number,
  settings: SequentialSettings
): SequentialReach {
  const cap = periodCap(settings);
  const periodMs = periodSeconds * 1_000;
  const consumedMs =
    // Stryker disable next-line ConditionalExpression: equivalent, Date.parse(null) is NaN and no start is below it either
    state.consumedUntil === null ? Number.NEGATIVE_INFINITY : Date.parse(state.consumedUntil);
  const byStart = new Map(periods.map((period) => [Date.parse(period.start), period]));
  const endMs = Date.parse(read.end);
  // The per-period bounds of the minutes it would fold, oldest first.
  const bounds: number[] = [];
  for (let start = Date.parse(read.start); start < endMs; start += periodMs) {
    if (start < consumedMs) continue;
    const period = byStart.get(start);
    if (period === undefined) bounds.push(cap);
    else if (period.requests > 0) bounds.push(periodBound(period, lowestLimit, cap));
  }
  // Each suffix from the test's own evidence; the empty one (nothing folded) is the evidence itself.
  let most = state.evidence;
  // Stryker disable next-line EqualityOperator: equivalent, first = bounds.length is the empty suffix, already counted
  for (let first = 0; first < bounds.length; first++) {
    let evidence = state.evidence;
    for (const bound of bounds.slice(first)) evidence = (evidence + 1) * bound;
    most = Math.max(most, evidence);
  }
  return { from: read.start, evidence: most };
}

/**
 * The minutes every sample has a count for, summed: a minute one name has not published yet is not known
 * (its count may still come), so the reach takes it at the cap.
 *
 * @example
 * knownPeriods([orders, payments]); // => [{ start: '…:01:00.000Z', requests: 620, errors: 3 }] (both have :01)
 */
export function knownPeriods(samples: readonly ServiceSample[]): PeriodCounts[] {
  const lists = samples.map((sample) => sample.periods ?? []);
  const [first = [], ...others] = lists;
  return first.flatMap((period) => {
    const matches = others.map((list) => list.find((other) => other.start === period.start));
    if (matches.some((match) => match === undefined)) return [];
    const all = [period, ...(matches as PeriodCounts[])];
    return [
      {
        start: period.start,
        requests: all.reduce((sum, each) => sum + each.requests, 0),
        errors: all.reduce((sum, each) => sum + each.errors, 0),
      },
    ];
  });
}

/** What `sequentialReaches` reads: green's samples of the window and of the backlog read before it. */
export interface ReachArgs {
  input: Pick<MigrationInput, 'metrics' | 'thresholds'>;
  /** The tests after this evaluation (a missing one is fresh). */
  states: Record<string, SequentialState>;
  window: TimeWindow;
  windowSamples: readonly ServiceSample[];
  /** Green's read of `[start, window.start)` (verdict.ts backlogStart); null when none was read. */
  backlog: { start: string; samples: readonly ServiceSample[] } | null;
}

/**
 * Each overall error-rate test's reach over the minutes read at this evaluation: the absolute test at its
 * limit, the baseline test at the lowest limit blue can give it, max(blue x ratio, blue + minDelta) >=
 * minDelta (blue's rate is >= 0).
 *
 * @example
 * sequentialReaches({ input, states, window, windowSamples, backlog: null }).baselineErrorRate; // => { from: window.start, evidence }
 */
export function sequentialReaches(args: ReachArgs): Record<string, SequentialReach> {
  const { input, states, window, backlog } = args;
  const { thresholds, metrics } = input;
  const settings = {
    falseAlarmRate: thresholds.falseAlarmRate,
    minEvidenceMinutes: thresholds.minEvidenceMinutes,
  };
  const periods = [
    // Stryker disable next-line ArrayDeclaration: equivalent, an entry without a start matches no minute
    ...(backlog === null ? [] : knownPeriods(backlog.samples)),
    ...knownPeriods(args.windowSamples),
  ];
  const read = { start: backlog?.start ?? window.start, end: window.end };
  const lowest: Record<string, number> = {
    [Check.ErrorRate]: thresholds.errorRateMaxPercent / 100,
    [Check.BaselineErrorRate]: thresholds.baseline.errorRateMinDeltaPercent / 100,
  };
  return Object.fromEntries(
    Object.entries(lowest).map(([check, limit]) => [
      check,
      sequentialReach(
        states[check] ?? initialSequentialState(),
        periods,
        read,
        limit,
        metrics.periodSeconds,
        settings
      ),
    ])
  );
}
