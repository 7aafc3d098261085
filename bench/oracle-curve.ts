/**
 * The oracle's calibration (bench/oracle-bound.ts): a sweep of the threshold h over part 1c's runs 0..N-1,
 * each h's false rollbacks (healthy, flapping) and restore median against the floor (aligned onsets, shares
 * >= 25 %, fair.ts's definitions), and the chosen h: the smallest whose false rollbacks are <= the limit on
 * both. The figures at that h are then measured on fresh runs N..2N-1 (out of sample: h is not chosen on
 * the runs that report it). Each scenario is traced once without a rollback (the decision of any h is the
 * first of the statistic's highs >= h); at the chosen h the oracle runs again as a policy through fair.ts's
 * `simulate` on runs 0..N-1, which gives the 5xx served exactly as part 1c counts them and checks the
 * trace's figures. Ours' false-rollback rate is matched on as many runs as part 1c measured it on.
 */
import { MISSED_HORIZON_MS, mean, median, type RunOutcome, round, simulate } from './fair.ts';
import {
  type DetectorKind,
  firstPassage,
  type OnsetKnowledge,
  type OracleHigh,
  type OracleOptions,
  oraclePolicy,
  traceRun,
} from './oracle-bound.ts';
import { TRAFFIC_SCENARIOS } from './traffic.ts';

export const GOAL_MARGIN_SECONDS = 60;
export const FALSE_ROLLBACK_LIMIT_PCT = 0.5;
/** h in nats: 1 to 20 by 0.25. */
export const DEFAULT_THRESHOLDS = Array.from({ length: 77 }, (_, i) => 1 + i / 4);
const SHARES = [25, 50, 75, 100] as const;
const SCENARIOS = ['healthy', 'flapping', 'error-regression', 'error-regression-uniform'] as const;

export interface ShareGap {
  share: number;
  runs: number;
  restoreMedianSeconds: number | null;
  floorRestoreMedianSeconds: number | null;
  /** restore median - floor median. */
  gapSeconds: number | null;
}

export interface CurvePoint {
  threshold: number;
  falseRollbackPct: { healthy: number; flapping: number };
  /** Aligned onsets, every share. */
  detectedPct: number;
  /** Median onset -> restored at shares >= 25 %, aligned, detected runs (as fair.ts). */
  restoreMedianSeconds: number | null;
  /** The floor's median over the same runs (every run at shares >= 25 %, as fair.ts). */
  floorRestoreMedianSeconds: number | null;
  gapSeconds: number | null;
  /** Median over the detected runs at shares >= 25 % of decided - floor decided. */
  medianRunGapSeconds: number | null;
  byShare: ShareGap[];
  /**
   * 5xx served, mean: as the floor is counted (World.errorsWithRollbackAt on the run without a rollback);
   * a rollback before the onset counts 0, a missed regression 60 min.
   */
  badRequestsEstimate: { aligned: number; uniform: number };
}

/** The smallest threshold whose false rollbacks are <= `limitPct` on both healthy and flapping. */
export function selectBound(curve: readonly CurvePoint[], limitPct: number): CurvePoint | null {
  const meeting = curve.filter(
    (point) =>
      point.falseRollbackPct.healthy <= limitPct && point.falseRollbackPct.flapping <= limitPct
  );
  return [...meeting].sort((a, b) => a.threshold - b.threshold)[0] ?? null;
}

/** The oracle as a part-1c policy at one h: exact 5xx served, checked against the trace's figures. */
export interface PolicyCheck {
  threshold: number;
  falseRollbackPct: { healthy: number; flapping: number };
  badRequests: { aligned: number; uniform: number };
  floorBadRequests: { aligned: number; uniform: number };
  restoreMedianSeconds: number | null;
  floorRestoreMedianSeconds: number | null;
  /** Regressions not rolled back before the plan ended. */
  missedPct: { aligned: number; uniform: number };
}

/** The curve at ours' false-rollback rate, chosen on as many runs as ours' rate was measured on. */
export interface MatchedPoint {
  /** Ours' rate (the larger of healthy and flapping) and the runs it is measured on (part 1c). */
  falseRollbackPct: number;
  runs: number;
  /** The smallest h at a rate <= ours' on runs 0..runs-1 of each scenario, and its figures there. */
  onTheseRuns: CurvePoint;
  /** Its figures on the fresh runs N..2N-1. */
  outOfSample: CurvePoint;
}

export interface OracleResult {
  /** Runs per scenario: h is calibrated on runs 0..runs-1, reported out of sample on runs..2 runs-1. */
  runs: number;
  detector: DetectorKind;
  /** Where the oracle lets the change begin (oracle-bound.ts OnsetKnowledge). */
  onsets: OnsetKnowledge;
  /** It rolls back only from this plan weight on (OracleOptions). */
  rollbackFromPercent: number;
  falseRollbackLimitPct: number;
  /** The sweep on the calibration runs 0..runs-1. */
  curve: CurvePoint[];
  /** The smallest h with false rollbacks <= the limit on the calibration runs, and its figures there. */
  bound: CurvePoint | null;
  /** The same h on fresh runs runs..2 runs-1: the figures to report. */
  outOfSample: CurvePoint | null;
  boundAsPolicy: PolicyCheck | null;
  /** At ours' false-rollback rate in part 1c (null: no h in the sweep, or ours not measured). */
  atMatchedFalseRollback: MatchedPoint | null;
  seconds: number;
}

/** What the curve needs of one run without a rollback (the world itself is not kept). */
interface Traced {
  onsetMs: number | null;
  share: number | null;
  floorDecidedMs: number | null;
  floorRestoreSeconds: number | null;
  highs: OracleHigh[];
  /** 5xx served had the oracle decided at each high's instant (as the floor is counted), and if it missed. */
  badAtHigh: number[];
  badMissed: number;
  /** Decision -> restored (INSYNC + TTL). */
  restoreAfterMs: number;
}

function traced(
  name: keyof typeof TRAFFIC_SCENARIOS,
  index: number,
  options: OracleOptions
): Traced {
  const { world, trace } = traceRun(name, index, options);
  const onsetMs = world.onsetMs;
  const floorDecidedMs = onsetMs === null ? null : world.minute(onsetMs).publishedAtMs;
  const bad = (decidedMs: number) => {
    if (onsetMs === null || decidedMs < onsetMs) return 0;
    return world.errorsWithRollbackAt(onsetMs, decidedMs);
  };
  return {
    onsetMs,
    share: world.regression?.fromSharePercent ?? null,
    floorDecidedMs,
    floorRestoreSeconds:
      onsetMs === null || floorDecidedMs === null
        ? null
        : (world.effectiveAt(floorDecidedMs) - onsetMs) / 1_000,
    highs: trace.highs,
    badAtHigh: onsetMs === null ? [] : trace.highs.map((high) => bad(high.atMs)),
    badMissed:
      onsetMs === null ? 0 : world.greenServed(onsetMs, onsetMs + MISSED_HORIZON_MS).errors,
    restoreAfterMs: world.effectiveAt(0),
  };
}

/** The 5xx served at `threshold` (a rollback before the onset counts 0, a missed regression 60 min). */
function badAt(run: Traced, threshold: number): number {
  if (run.onsetMs === null) return 0;
  const at = run.highs.findIndex((high) => high.w >= threshold);
  return at < 0 ? run.badMissed : (run.badAtHigh[at] as number);
}

function point(threshold: number, per: Record<string, Traced[]>): CurvePoint {
  const rate = (name: 'healthy' | 'flapping') => {
    const runs = per[name] as Traced[];
    const rolledBack = runs.filter((run) => firstPassage(run.highs, threshold) !== null).length;
    return round((100 * rolledBack) / runs.length);
  };
  const aligned = (per['error-regression'] as Traced[]).map((run) => {
    const decidedMs = firstPassage(run.highs, threshold);
    const detected = decidedMs !== null && run.onsetMs !== null && run.onsetMs <= decidedMs;
    return {
      run,
      decidedMs,
      restore: detected ? (decidedMs + run.restoreAfterMs - (run.onsetMs as number)) / 1_000 : null,
    };
  });
  const at = (share: (s: number) => boolean) =>
    aligned.filter((r) => r.run.share !== null && share(r.run.share));
  const gap = (list: ReturnType<typeof at>) => {
    const restore = median(list.filter((r) => r.restore !== null).map((r) => r.restore as number));
    const floor = median(
      list
        .filter((r) => r.run.floorRestoreSeconds !== null)
        .map((r) => r.run.floorRestoreSeconds as number)
    );
    return {
      runs: list.length,
      restoreMedianSeconds: restore === null ? null : round(restore, 1),
      floorRestoreMedianSeconds: floor === null ? null : round(floor, 1),
      gapSeconds: restore === null || floor === null ? null : round(restore - floor, 1),
    };
  };
  const high = at((s) => s >= 25);
  const overall = gap(high);
  const runGap = median(
    high
      .filter((r) => r.restore !== null)
      .map((r) => ((r.decidedMs as number) - (r.run.floorDecidedMs as number)) / 1_000)
  );
  const bad = (name: 'error-regression' | 'error-regression-uniform') =>
    round(mean((per[name] as Traced[]).map((run) => badAt(run, threshold))), 1);
  return {
    threshold,
    falseRollbackPct: { healthy: rate('healthy'), flapping: rate('flapping') },
    detectedPct: round((100 * aligned.filter((r) => r.restore !== null).length) / aligned.length),
    restoreMedianSeconds: overall.restoreMedianSeconds,
    floorRestoreMedianSeconds: overall.floorRestoreMedianSeconds,
    gapSeconds: overall.gapSeconds,
    medianRunGapSeconds: runGap === null ? null : round(runGap, 1),
    byShare: SHARES.map((share) => ({ share, ...gap(at((s) => s === share)) })),
    badRequestsEstimate: {
      aligned: bad('error-regression'),
      uniform: bad('error-regression-uniform'),
    },
  };
}

/** The oracle at `h` through fair.ts's own runs (the same definitions as every row of part 1c). */
export function asPolicy(h: number, runs: number, options: OracleOptions): PolicyCheck {
  const policy = oraclePolicy(h, options);
  const outcomes = (name: keyof typeof TRAFFIC_SCENARIOS): RunOutcome[] =>
    Array.from({ length: runs }, (_, i) => simulate(policy, TRAFFIC_SCENARIOS[name], i));
  const rate = (list: RunOutcome[]) =>
    round((100 * list.filter((r) => r.falseRollback).length) / list.length);
  const aligned = outcomes('error-regression');
  const uniform = outcomes('error-regression-uniform');
  const high = aligned.filter((r) => (r.onsetShare ?? 0) >= 25);
  const restore = median(
    high.filter((r) => r.restoreSeconds !== null).map((r) => r.restoreSeconds as number)
  );
  const floor = median(
    high.filter((r) => r.floorRestoreSeconds !== null).map((r) => r.floorRestoreSeconds as number)
  );
  const badOf = (list: RunOutcome[], key: 'bad' | 'floorBad') =>
    round(mean(list.map((r) => r[key] ?? 0)), 1);
  const missed = (list: RunOutcome[]) =>
    round(
      (100 *
        list.filter((r) => r.floorRestoreSeconds !== null && r.restoreSeconds === null).length) /
        list.length
    );
  return {
    threshold: h,
    falseRollbackPct: { healthy: rate(outcomes('healthy')), flapping: rate(outcomes('flapping')) },
    badRequests: { aligned: badOf(aligned, 'bad'), uniform: badOf(uniform, 'bad') },
    floorBadRequests: { aligned: badOf(aligned, 'floorBad'), uniform: badOf(uniform, 'floorBad') },
    restoreMedianSeconds: restore === null ? null : round(restore, 1),
    floorRestoreMedianSeconds: floor === null ? null : round(floor, 1),
    missedPct: { aligned: missed(aligned), uniform: missed(uniform) },
  };
}

/**
 * Traces seeds 0..2 runs-1 of each fair scenario, sweeps `thresholds` on the first half, reports the chosen h
 * on the second, and runs it as a policy on the first.
 */
export function runOracle(options: {
  runs: number;
  thresholds?: readonly number[];
  limitPct?: number;
  /** Ours' false-rollback rate in part 1c, and its runs per scenario (default: not matched). */
  matched?: { falseRollbackPct: number; runs: number };
  detector?: DetectorKind;
  onsets?: OnsetKnowledge;
  rollbackFromPercent?: number;
  onProgress?: (message: string) => void;
}): OracleResult {
  const started = performance.now();
  const limitPct = options.limitPct ?? FALSE_ROLLBACK_LIMIT_PCT;
  const detector = options.detector ?? 'regime-aware';
  const onsets = options.onsets ?? 'any-minute';
  const rollbackFromPercent = options.rollbackFromPercent ?? 0;
  const oracle: OracleOptions = { detector, onsets, rollbackFromPercent };
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const trace = (from: number, count: number) => {
    const per: Record<string, Traced[]> = {};
    for (const name of SCENARIOS)
      per[name] = Array.from({ length: count }, (_, i) => traced(name, from + i, oracle));
    return per;
  };
  const calibration = trace(0, options.runs);
  options.onProgress?.(`  oracle ${detector}: runs 0..${options.runs - 1} traced`);
  const fresh = trace(options.runs, options.runs);
  options.onProgress?.(
    `  oracle ${detector}: runs ${options.runs}..${2 * options.runs - 1} traced`
  );
  const curve = thresholds.map((h) => point(h, calibration));
  const bound = selectBound(curve, limitPct);
  const boundAsPolicy = bound === null ? null : asPolicy(bound.threshold, options.runs, oracle);
  return {
    runs: options.runs,
    detector,
    onsets,
    rollbackFromPercent,
    falseRollbackLimitPct: limitPct,
    curve,
    bound,
    outOfSample: bound === null ? null : point(bound.threshold, fresh),
    boundAsPolicy,
    atMatchedFalseRollback:
      options.matched === undefined
        ? null
        : matchedPoint(options.matched, thresholds, calibration, fresh),
    seconds: round((performance.now() - started) / 1_000, 1),
  };
}

/** The smallest h at ours' rate on ours' number of runs (the first of the calibration runs), and out of sample. */
function matchedPoint(
  matched: { falseRollbackPct: number; runs: number },
  thresholds: readonly number[],
  calibration: Record<string, Traced[]>,
  fresh: Record<string, Traced[]>
): MatchedPoint | null {
  const sameRuns = Object.fromEntries(
    Object.entries(calibration).map(([name, runs]) => [name, runs.slice(0, matched.runs)])
  );
  const chosen = selectBound(
    thresholds.map((h) => point(h, sameRuns)),
    matched.falseRollbackPct
  );
  if (chosen === null) return null;
  return {
    falseRollbackPct: matched.falseRollbackPct,
    runs: Math.min(matched.runs, (calibration['healthy'] as Traced[]).length),
    onTheseRuns: chosen,
    outOfSample: point(chosen.threshold, fresh),
  };
}
