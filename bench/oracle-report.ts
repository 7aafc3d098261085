/**
 * Part 1o's lines in `npm run bench` (bench/oracle-curve.ts measures them): the best known detector (the
 * regime-aware oracle) beside ours and the floor, out of sample, its variants, and the curve over h.
 */
import {
  type CurvePoint,
  GOAL_MARGIN_SECONDS,
  type MatchedPoint,
  type OracleResult,
} from './oracle-curve.ts';
import { WORLD_MODEL } from './oracle-likelihood.ts';

/** Ours in part 1c (bench/fair.ts FairRow), when that part ran or is in the merged results. */
export interface OursRestore {
  falseRollbackPct: { healthy: number; flapping: number };
  restoreMedianSeconds: number | null;
  floorRestoreMedianSeconds: number | null;
}

const seconds = (value: number | null) => (value === null ? '-' : `${value} s`);
const signed = (value: number | null) =>
  value === null ? '-' : `${value >= 0 ? '+' : ''}${Math.round(value * 10) / 10} s`;

const pointLine = (point: CurvePoint) =>
  `h ${point.threshold}: FR ${point.falseRollbackPct.healthy} % / ${point.falseRollbackPct.flapping} %, restore median ${seconds(point.restoreMedianSeconds)} (floor ${seconds(point.floorRestoreMedianSeconds)}, ${signed(point.gapSeconds)}; median per-run gap ${signed(point.medianRunGapSeconds)}), detected ${point.detectedPct} %`;

const fresh = (result: OracleResult) => `runs ${result.runs}..${2 * result.runs - 1}`;
const calibration = (result: OracleResult) => `runs 0..${result.runs - 1}`;

const oursGapOf = (ours: OursRestore | null) =>
  ours?.restoreMedianSeconds == null || ours.floorRestoreMedianSeconds == null
    ? null
    : ours.restoreMedianSeconds - ours.floorRestoreMedianSeconds;

/** Whether the goal (restore median <= floor + 60 s) is reached out of sample at FR <= the limit. */
export function goalReachable(result: OracleResult): boolean {
  const gap = result.outOfSample?.gapSeconds;
  return gap !== undefined && gap !== null && gap <= GOAL_MARGIN_SECONDS;
}

/** The goal against the best known detector out of sample: reached, or by how much it misses. */
const goalVerdict = (result: OracleResult) => {
  const gap = result.outOfSample?.gapSeconds ?? null;
  if (gap === null) return 'not measured';
  return goalReachable(result)
    ? 'reached by the best known detector'
    : `best known detector ${Math.round((gap - GOAL_MARGIN_SECONDS) * 10) / 10} s over`;
};

const matchedLine = (result: OracleResult, matched: MatchedPoint | null) =>
  matched === null
    ? `at ours' FR: no h in the sweep (or ours not measured)`
    : `at ours' FR (<= ${matched.falseRollbackPct} % on both, h chosen on runs 0..${matched.runs - 1} like ours' ${matched.runs}): ${pointLine(matched.onTheseRuns)}; out of sample (${fresh(result)}): ${pointLine(matched.outOfSample)}`;

/** The summary row of the table: the regime-aware detector out of sample, the green-only one, ours. */
export function oracleRow(
  reference: OracleResult,
  greenOnly: OracleResult | null,
  ours: OursRestore | null
) {
  const best = reference.outOfSample;
  return {
    part: '1o best known detector',
    measure: `onset -> restored median at >= 25 %, FR <= ${reference.falseRollbackLimitPct} % (h fit on other runs)`,
    ours:
      best === null
        ? `no h reaches FR <= ${reference.falseRollbackLimitPct} %`
        : `regime-aware ${seconds(best.restoreMedianSeconds)} (${signed(best.gapSeconds)}); green-only ${signed(greenOnly?.outOfSample?.gapSeconds ?? null)}; ours ${seconds(ours?.restoreMedianSeconds ?? null)} (${signed(oursGapOf(ours))})`,
    goal: `floor + ${GOAL_MARGIN_SECONDS} s`,
    met: goalVerdict(reference),
    on: `${reference.runs} + ${reference.runs} sim. runs x ${reference.curve.length} h`,
  };
}

export function oracleDetails(result: OracleResult, ours: OursRestore | null): string[] {
  const m = WORLD_MODEL;
  const q = Math.round(m.burstProbability * 1e4) / 1e4;
  const lines = [
    '',
    `Part 1o: the best known detector (bench/oracle-bound.ts, oracle-curve.ts; not a proven lower bound): part 1c's world (same seeds, sticky clients, reference plan), h chosen on ${calibration(result)} of each scenario, figures on fresh ${fresh(result)}, ${result.curve.length} thresholds, ${result.seconds} s`,
    `  regime-aware detector: W = Page's CUSUM on green's per-minute log M(x | n, ${m.regressedPercent} %) - log M(x | n, ${m.healthyPercent} %), B = sum over every published blue and green minute of log((1 - ${q}) + ${q} M(x | n, ${m.burstPercent} %) / M(x | n, ${m.healthyPercent} %)); roll back once W - log(1 + e^B) >= h (regressed against "healthy or flapping", equal priors); M = binomial over the mean-one log-normal (log-sd ${m.errorSigma}); each minute judged the instant it is published; restored INSYNC + TTL later, as the floor and ours`,
    `  it knows what no real detector does: the exact health, burst and regression rates, the over-dispersion, that bursts come with the service (both environments) and each minute's publication instant`,
  ];
  const bound = result.bound;
  const outOfSample = result.outOfSample;
  if (bound === null || outOfSample === null) {
    lines.push(`  no h in the sweep reaches FR <= ${result.falseRollbackLimitPct} %`);
  } else {
    lines.push(
      `  in sample (${calibration(result)}), smallest h with FR <= ${result.falseRollbackLimitPct} % on healthy and flapping: ${pointLine(bound)}`,
      `  out of sample (${fresh(result)}) at that h: ${pointLine(outOfSample)}`,
      `  restore median at >= 25 %, out of sample: regime-aware ${seconds(outOfSample.restoreMedianSeconds)} (floor ${seconds(outOfSample.floorRestoreMedianSeconds)}, ${signed(outOfSample.gapSeconds)}) | ours ${seconds(ours?.restoreMedianSeconds ?? null)} (floor ${seconds(ours?.floorRestoreMedianSeconds ?? null)}, ${signed(oursGapOf(ours))}) | goal floor + ${GOAL_MARGIN_SECONDS} s: ${goalVerdict(result)}`,
      `  per onset share, out of sample: ${outOfSample.byShare.map((s) => `${s.share} %: ${seconds(s.restoreMedianSeconds)} vs floor ${seconds(s.floorRestoreMedianSeconds)} (${signed(s.gapSeconds)}, ${s.runs} runs)`).join('; ')}`
    );
  }
  const check = result.boundAsPolicy;
  if (check !== null)
    lines.push(
      `  at that h as a part-1c policy (fair.ts simulate, ${calibration(result)}): FR ${check.falseRollbackPct.healthy} % / ${check.falseRollbackPct.flapping} %, restore median ${seconds(check.restoreMedianSeconds)} (floor ${seconds(check.floorRestoreMedianSeconds)}); 5xx served aligned ${check.badRequests.aligned} (floor ${check.floorBadRequests.aligned}), uniform ${check.badRequests.uniform} (floor ${check.floorBadRequests.uniform}; missed ${check.missedPct.uniform} %: onsets late in the final watch, after the reference plan stops watching)`
    );
  lines.push(`  ${matchedLine(result, result.atMatchedFalseRollback)}`);
  lines.push(
    `  curve (${calibration(result)}), h 3 to 13 by 0.5 (results.json: 1 to 20 by 0.25) -> FR healthy / flapping %, restore median / floor, gap; 5xx aligned / uniform, estimated as the floor is:`
  );
  const shown = result.curve.filter(
    (p) => Number.isInteger(p.threshold * 2) && p.threshold >= 3 && p.threshold <= 13
  );
  for (const point of shown)
    lines.push(
      `    ${point.threshold}: ${point.falseRollbackPct.healthy} / ${point.falseRollbackPct.flapping}, ${seconds(point.restoreMedianSeconds)} / ${seconds(point.floorRestoreMedianSeconds)}, ${signed(point.gapSeconds)}; ${point.badRequestsEstimate.aligned} / ${point.badRequestsEstimate.uniform}`
    );
  return lines;
}

/** A variant: the green-only detector, or the reference granted the onset model (OracleOptions). */
export function variantDetails(result: OracleResult): string[] {
  const what =
    result.detector === 'green-only'
      ? 'variant, green-only detector (CUSUM on green alone, a burst possible in any minute of any run: f0 = (1 - q) M(healthy) + q M(burst))'
      : 'regime-aware detector';
  const grants = [
    result.onsets === 'step-settled'
      ? 'the aligned onset model (a change only in the two minutes where a step settles, INSYNC + TTL after its write)'
      : null,
    result.rollbackFromPercent > 0
      ? `leave to let a regression run while the plan is below ${result.rollbackFromPercent} %`
      : null,
  ].filter((grant) => grant !== null);
  const label =
    grants.length === 0 ? what : `sensitivity, a ${what} that also has ${grants.join(' and ')}`;
  const bound = result.bound;
  const outOfSample = result.outOfSample;
  return [
    `  ${label}: ${result.seconds} s`,
    bound === null || outOfSample === null
      ? `    no h reaches FR <= ${result.falseRollbackLimitPct} %`
      : `    in sample (${calibration(result)}) ${pointLine(bound)}; out of sample (${fresh(result)}) ${pointLine(outOfSample)}; per share ${outOfSample.byShare.map((s) => `${s.share} % ${signed(s.gapSeconds)}`).join(', ')}`,
    `    ${matchedLine(result, result.atMatchedFalseRollback)}`,
  ];
}
