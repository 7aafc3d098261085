/**
 * The oracle bound's lines in `npm run bench` (bench/oracle-curve.ts measures them): the bound beside ours
 * and the floor, the per-share gaps, the 5xx served at the bound, and the curve over h.
 */
import { type CurvePoint, GOAL_MARGIN_SECONDS, type OracleResult } from './oracle-curve.ts';
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

/** Whether the goal (restore median <= floor + 60 s) is within the oracle's reach at the bound. */
export function goalReachable(result: OracleResult): boolean {
  const gap = result.bound?.gapSeconds;
  return gap !== undefined && gap !== null && gap <= GOAL_MARGIN_SECONDS;
}

/** The summary row of the table. */
export function oracleRow(result: OracleResult, ours: OursRestore | null) {
  const bound = result.bound;
  const oursGap =
    ours?.restoreMedianSeconds == null || ours.floorRestoreMedianSeconds == null
      ? null
      : ours.restoreMedianSeconds - ours.floorRestoreMedianSeconds;
  return {
    part: '1o oracle bound',
    measure: `onset -> restored median at >= 25 %: oracle at FR <= ${result.falseRollbackLimitPct} % vs ours`,
    ours:
      bound === null
        ? `no h reaches FR <= ${result.falseRollbackLimitPct} %`
        : `oracle ${seconds(bound.restoreMedianSeconds)} (floor ${seconds(bound.floorRestoreMedianSeconds)}, ${signed(bound.gapSeconds)}); ours ${seconds(ours?.restoreMedianSeconds ?? null)} (${signed(oursGap)})`,
    goal: `lower bound for floor + ${GOAL_MARGIN_SECONDS} s`,
    met: goalReachable(result) ? 'goal reachable' : 'goal below the bound',
    on: `${result.runs} sim. runs x ${result.curve.length} h`,
  };
}

export function oracleDetails(result: OracleResult, ours: OursRestore | null): string[] {
  const m = WORLD_MODEL;
  const lines = [
    '',
    `Part 1o: the oracle bound (bench/oracle-bound.ts, oracle-curve.ts): ${result.runs} runs per scenario of part 1c's world (same seeds, sticky clients, reference plan), ${result.curve.length} thresholds, ${result.seconds} s`,
    `  oracle: Page's CUSUM on green's per-minute 5xx counts, llr = log f1 - log f0 with f0 = (1 - ${Math.round(m.burstProbability * 1e4) / 1e4}) M(x | n, ${m.healthyPercent} %) + ${Math.round(m.burstProbability * 1e4) / 1e4} M(x | n, ${m.burstPercent} %), f1 = M(x | n, ${m.regressedPercent} %), M = binomial over the mean-one log-normal (log-sd ${m.errorSigma}); each minute judged the instant it is published; rollback INSYNC + TTL later, as the floor and ours`,
    `  it knows what no real detector does: the exact health, burst and regression rates, the over-dispersion, and each minute's publication instant`,
  ];
  const bound = result.bound;
  if (bound === null) {
    lines.push(`  bound: no h in the sweep reaches FR <= ${result.falseRollbackLimitPct} %`);
  } else {
    const oursGap =
      ours?.restoreMedianSeconds == null || ours.floorRestoreMedianSeconds == null
        ? null
        : ours.restoreMedianSeconds - ours.floorRestoreMedianSeconds;
    lines.push(
      `  bound (smallest h with FR <= ${result.falseRollbackLimitPct} % on healthy and flapping): ${pointLine(bound)}`
    );
    lines.push(
      `  restore median at >= 25 %: oracle ${seconds(bound.restoreMedianSeconds)} (floor ${seconds(bound.floorRestoreMedianSeconds)}, ${signed(bound.gapSeconds)}) | ours ${seconds(ours?.restoreMedianSeconds ?? null)} (floor ${seconds(ours?.floorRestoreMedianSeconds ?? null)}, ${signed(oursGap)}) | goal floor + ${GOAL_MARGIN_SECONDS} s: ${goalReachable(result) ? 'within the oracle’s reach' : `below what the oracle reaches at FR <= ${result.falseRollbackLimitPct} %`}`
    );
    lines.push(
      `  per onset share at the bound: ${bound.byShare.map((s) => `${s.share} %: ${seconds(s.restoreMedianSeconds)} vs floor ${seconds(s.floorRestoreMedianSeconds)} (${signed(s.gapSeconds)}, ${s.runs} runs)`).join('; ')}`
    );
  }
  const check = result.boundAsPolicy;
  if (check !== null)
    lines.push(
      `  at the bound as a part-1c policy (fair.ts simulate, same runs): FR ${check.falseRollbackPct.healthy} % / ${check.falseRollbackPct.flapping} %, restore median ${seconds(check.restoreMedianSeconds)} (floor ${seconds(check.floorRestoreMedianSeconds)}); 5xx served aligned ${check.badRequests.aligned} (floor ${check.floorBadRequests.aligned}), uniform ${check.badRequests.uniform} (floor ${check.floorBadRequests.uniform}; missed ${check.missedPct.uniform} %: onsets late in the final watch, after the reference plan stops watching)`
    );
  const matched = result.atMatchedFalseRollback;
  lines.push(
    matched === null
      ? `  at ours' FR (<= ${result.matchedFalseRollbackPct} %): no h in the sweep`
      : `  at ours' FR (<= ${result.matchedFalseRollbackPct} % on both, ${result.runs} runs): ${pointLine(matched)}; per share ${matched.byShare.map((s) => `${s.share} % ${signed(s.gapSeconds)}`).join(', ')}`
  );
  lines.push(
    `  curve, h 3 to 13 by 0.5 (results.json: 1 to 20 by 0.25) -> FR healthy / flapping %, restore median / floor, gap; 5xx aligned / uniform, estimated as the floor is:`
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

/** A sensitivity: the oracle granted more than the world's distributions (OracleOptions). */
export function sensitivityDetails(result: OracleResult): string[] {
  const bound = result.bound;
  const check = result.boundAsPolicy;
  const grants = [
    result.onsets === 'step-settled'
      ? 'the aligned onset model (a change only in the two minutes where a step settles, INSYNC + TTL after its write)'
      : null,
    result.rollbackFromPercent > 0
      ? `leave to let a regression run while the plan is below ${result.rollbackFromPercent} % (it rolls back only from that step on)`
      : null,
  ].filter((grant) => grant !== null);
  return [
    `  sensitivity, an oracle that also has ${grants.join(' and ')}: ${result.runs} runs, ${result.seconds} s`,
    bound === null
      ? `    no h reaches FR <= ${result.falseRollbackLimitPct} %`
      : `    bound ${pointLine(bound)}; per share ${bound.byShare.map((s) => `${s.share} % ${signed(s.gapSeconds)}`).join(', ')}`,
    ...(check === null
      ? []
      : [
          `    as a policy: FR ${check.falseRollbackPct.healthy} % / ${check.falseRollbackPct.flapping} %, 5xx aligned ${check.badRequests.aligned} (floor ${check.floorBadRequests.aligned}, missed ${check.missedPct.aligned} %), uniform ${check.badRequests.uniform} (missed ${check.missedPct.uniform} %)`,
        ]),
    result.atMatchedFalseRollback === null
      ? `    at ours' FR: no h in the sweep`
      : `    at ours' FR (<= ${result.matchedFalseRollbackPct} %): ${pointLine(result.atMatchedFalseRollback)}`,
  ];
}
