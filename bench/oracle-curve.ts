/**
 * The oracle's calibration (bench/oracle-bound.ts): a sweep of the CUSUM threshold h over part 1c's runs,
 * each h's false rollbacks (healthy, flapping) and restore median against the floor (aligned onsets, shares
 * >= 25 %, fair.ts's definitions), and the bound: the smallest h whose false rollbacks are <= the limit on
 * both. Each scenario is traced once without a rollback (the decision of any h is the first of W's highs
 * >= h); at the bound the oracle runs again as a policy through fair.ts's `simulate`, which gives the 5xx
 * served exactly as part 1c counts them and checks the trace's figures.
 */
import { MISSED_HORIZON_MS, mean, median, type RunOutcome, round, simulate } from './fair.ts';
import {
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

export interface OracleResult {
  runs: number;
  /** Where the oracle lets the change begin (oracle-bound.ts OnsetKnowledge). */
  onsets: OnsetKnowledge;
  /** It rolls back only from this plan weight on (OracleOptions). */
  rollbackFromPercent: number;
  falseRollbackLimitPct: number;
  curve: CurvePoint[];
  bound: CurvePoint | null;
  boundAsPolicy: PolicyCheck | null;
  /** The smallest h at a false-rollback rate <= `matchedFalseRollbackPct` (ours' in part 1c). */
  matchedFalseRollbackPct: number;
  atMatchedFalseRollback: CurvePoint | null;
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

/** Traces `runs` seeds of each fair scenario, sweeps `thresholds`, and runs the bound as a policy. */
export function runOracle(options: {
  runs: number;
  thresholds?: readonly number[];
  limitPct?: number;
  matchedFalseRollbackPct?: number;
  onsets?: OnsetKnowledge;
  rollbackFromPercent?: number;
  onProgress?: (message: string) => void;
}): OracleResult {
  const started = performance.now();
  const limitPct = options.limitPct ?? FALSE_ROLLBACK_LIMIT_PCT;
  const matched = options.matchedFalseRollbackPct ?? 0;
  const onsets = options.onsets ?? 'any-minute';
  const rollbackFromPercent = options.rollbackFromPercent ?? 0;
  const oracle: OracleOptions = { onsets, rollbackFromPercent };
  const per: Record<string, Traced[]> = {};
  for (const name of [
    'healthy',
    'flapping',
    'error-regression',
    'error-regression-uniform',
  ] as const) {
    per[name] = Array.from({ length: options.runs }, (_, i) => traced(name, i, oracle));
    options.onProgress?.(`  oracle: ${name} traced`);
  }
  const curve = (options.thresholds ?? DEFAULT_THRESHOLDS).map((h) => point(h, per));
  const bound = selectBound(curve, limitPct);
  const boundAsPolicy = bound === null ? null : asPolicy(bound.threshold, options.runs, oracle);
  return {
    runs: options.runs,
    onsets,
    rollbackFromPercent,
    falseRollbackLimitPct: limitPct,
    curve,
    bound,
    boundAsPolicy,
    matchedFalseRollbackPct: matched,
    atMatchedFalseRollback: selectBound(curve, matched),
    seconds: round((performance.now() - started) / 1_000, 1),
  };
}
