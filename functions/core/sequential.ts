/**
 * A sequential test on per-minute 5xx counts with a false-alarm rate controlled by design: strong evidence
 * rolls back within `minEvidenceMinutes`, weak evidence waits, and a green within its limit is rolled back
 * with probability at most `falseAlarmRate` per 1,440 judged periods, however often it is looked at.
 *
 * The test (design.md §4 "Sequential error-rate test"):
 * - Each period i brings n_i requests with a status code and x_i 5xx. Under the null, green's 5xx
 *   probability is at most the limit p0 in every period.
 * - For each alternative k (green's 5xx odds `ODDS_RATIOS[k]` times the limit's odds) the period's
 *   likelihood ratio is L_k = (p_k / p0)^x (1 - p_k)^(n - x) / (1 - p0)^(n - x). For any true p <= p0,
 *   E[L_k] <= 1 (the Bernoulli ratio's mean p p_k/p0 + (1-p)(1-p_k)/(1-p0) grows with p and is 1 at p0).
 *   Each ratio is capped at `cap` per period: E[min(L, cap)] <= E[L] <= 1 still, so one burst minute never
 *   suffices on its own.
 * - A Shiryaev–Roberts statistic per alternative, R_k <- (R_k + 1) L_k (the sum of the likelihood ratios of
 *   every possible onset), mixed with equal weights: R = sum_k w_k R_k. R - t is a supermartingale under the
 *   null, so by Doob's maximal inequality P(R reaches A within t periods) <= t / A. With
 *   A = 1,440 / falseAlarmRate the false-alarm probability is at most falseAlarmRate per 1,440 periods.
 * - Unlike a plain likelihood-ratio martingale, R forgets healthy minutes (R stays near 0 while green is
 *   healthy), so a regression that starts late in a long bake is found as fast as one at the step's start.
 *
 * This is the method of mixtures of Lindon & Malek (2022), "Anytime-valid inference for multinomial count
 * data" (NeurIPS; reference implementation github.com/assuncaolfi/savvi and Optimizely's "sequential test"),
 * specialised to two categories (5xx / other) and a one-sided null, with a discrete mixing distribution over
 * odds ratios instead of their Dirichlet prior (no special functions, exact in floating point), and run as a
 * Shiryaev–Roberts e-detector (Shin, Ramdas & Rinaldo 2023, "E-detectors") so that it detects a change.
 */

/** Odds ratios of the alternatives, mixed with equal weights: from a 1.5x to a 30x worse green. */
export const ODDS_RATIOS = [1.5, 2, 3, 5, 10, 30] as const;

/** Periods a false-alarm rate is stated over: 24 hours of one-minute periods. */
export const FALSE_ALARM_PERIODS = 1_440;

/** JSON cannot hold Infinity: statistics stay below this. */
const STATISTIC_CEILING = 1e300;

/** The smallest limit the test uses: a 0 % limit is read as 0.0001 % (any 5xx is then strong evidence). */
const LIMIT_FLOOR = 1e-6;

/**
 * The detector's memory across evaluations (JSON, travels in `ShiftStatus.sequential`).
 *
 * @example
 * const fresh: SequentialState = initialSequentialState(); // { statistics: [0, 0, 0, 0, 0, 0], evidence: 0, … }
 */
export interface SequentialState {
  /** Shiryaev–Roberts statistic per alternative (ODDS_RATIOS order). */
  statistics: number[];
  /** The mixture: sum of the statistics with equal weights. */
  evidence: number;
  /** Periods, requests and 5xx since the evidence was last below 1 (what the reason reports). */
  minutes: number;
  requests: number;
  errors: number;
  /** End (ISO-8601) of the newest period already folded in: a period is counted once, however often read. */
  consumedUntil: string | null;
}

/** One period's counts. */
export interface PeriodCounts {
  /** ISO-8601 start of the period. */
  start: string;
  /** Requests with a status code. */
  requests: number;
  /** 5xx among them. */
  errors: number;
}

/** The test's settings, from `thresholds`. */
export interface SequentialSettings {
  falseAlarmRate: number;
  minEvidenceMinutes: number;
}

/**
 * The state before any period was seen.
 *
 * @example
 * initialSequentialState().evidence; // => 0
 */
export function initialSequentialState(): SequentialState {
  return {
    statistics: ODDS_RATIOS.map(() => 0),
    evidence: 0,
    minutes: 0,
    requests: 0,
    errors: 0,
    consumedUntil: null,
  };
}

/**
 * Evidence at or above this rolls back: 1,440 / falseAlarmRate.
 *
 * @example
 * alarmThreshold({ falseAlarmRate: 0.01, minEvidenceMinutes: 2 }); // => 144000
 */
export function alarmThreshold(settings: SequentialSettings): number {
  return FALSE_ALARM_PERIODS / settings.falseAlarmRate;
}

/**
 * The largest likelihood ratio one period may contribute: with it, `minEvidenceMinutes` periods of
 * overwhelming evidence are needed to reach the threshold through a single alternative (weight 1/K), and
 * fewer never suffice.
 *
 * @example
 * periodCap({ falseAlarmRate: 0.01, minEvidenceMinutes: 2 }); // => sqrt(144000 x 6) ≈ 929.5
 */
export function periodCap(settings: SequentialSettings): number {
  const target = alarmThreshold(settings) * ODDS_RATIOS.length;
  return target ** (1 / settings.minEvidenceMinutes);
}

/**
 * log of the likelihood ratio of `errors` in `requests` under the alternative with odds `ratio` x the limit's.
 *
 * @example
 * logLikelihoodRatio(60, 3000, 0.01, 2); // => ≈ 11.8 (2 % observed against a 1 % limit)
 */
export function logLikelihoodRatio(
  errors: number,
  requests: number,
  limit: number,
  ratio: number
): number {
  const p0 = Math.min(Math.max(limit, LIMIT_FLOOR), 1 - LIMIT_FLOOR);
  const odds = (ratio * p0) / (1 - p0);
  const p1 = odds / (1 + odds);
  return errors * Math.log(p1 / p0) + (requests - errors) * Math.log((1 - p1) / (1 - p0));
}

/**
 * Folds one period into the state against `limit` (a fraction, 0..1). A period without requests changes
 * nothing (no data is no evidence, and no step of the clock either).
 *
 * @example
 * updateSequential(initialSequentialState(), { start, requests: 3000, errors: 60 }, 0.01, settings).evidence; // => ≈ 155 (capped)
 */
export function updateSequential(
  state: SequentialState,
  period: PeriodCounts,
  limit: number,
  settings: SequentialSettings
): SequentialState {
  if (period.requests <= 0) return state;
  const cap = periodCap(settings);
  const statistics = ODDS_RATIOS.map((ratio, k) => {
    const ratioValue = Math.min(
      cap,
      Math.exp(logLikelihoodRatio(period.errors, period.requests, limit, ratio))
    );
    return Math.min(STATISTIC_CEILING, ((state.statistics[k] ?? 0) + 1) * ratioValue);
  });
  const evidence = statistics.reduce((sum, value) => sum + value, 0) / ODDS_RATIOS.length;
  // The reported stretch restarts once the evidence had fallen below even odds.
  const carried = state.evidence >= 1;
  return {
    statistics,
    evidence,
    minutes: (carried ? state.minutes : 0) + 1,
    requests: (carried ? state.requests : 0) + period.requests,
    errors: (carried ? state.errors : 0) + period.errors,
    consumedUntil: state.consumedUntil,
  };
}

/**
 * Folds every period of `periods` that starts at or after `state.consumedUntil`, oldest first, and moves
 * `consumedUntil` past the newest one. A period CloudWatch publishes after a newer one was folded is not
 * counted (a skipped period only weakens the evidence, never the false-alarm bound).
 *
 * @example
 * foldPeriods(state, [{ start: '…:01:00Z', requests: 3000, errors: 60 }], 0.01, 60, settings);
 */
export function foldPeriods(
  state: SequentialState,
  periods: readonly PeriodCounts[],
  limit: number,
  periodSeconds: number,
  settings: SequentialSettings
): SequentialState {
  const from =
    state.consumedUntil === null ? Number.NEGATIVE_INFINITY : Date.parse(state.consumedUntil);
  const fresh = periods
    .filter((period) => Date.parse(period.start) >= from)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  if (fresh.length === 0) return state;
  const folded = fresh.reduce(
    (next, period) => updateSequential(next, period, limit, settings),
    state
  );
  const newest = fresh[fresh.length - 1] as PeriodCounts;
  return {
    ...folded,
    consumedUntil: new Date(Date.parse(newest.start) + periodSeconds * 1_000).toISOString(),
  };
}

const ODDS = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 });

/**
 * Evidence as odds for a person: `38:1`, `0.02:1`, `1,400,000:1`; beyond 10^12 `>1e12:1`.
 *
 * @example
 * formatOdds(38.2); // => '38:1'
 */
export function formatOdds(evidence: number): string {
  if (evidence > 1e12) return '>1e12:1';
  return `${ODDS.format(evidence)}:1`;
}
