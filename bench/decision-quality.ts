/**
 * Part 1: decision quality. Every policy runs the same seeded migrations (same regression and onset share
 * per seed) against the simulated world of bench/traffic.ts, in virtual time; nothing touches AWS.
 *
 * Per scenario and policy:
 * - false-rollback rate: rollbacks in a scenario without a regression (healthy, low traffic, flapping), and
 *   in a regression scenario a rollback decided before the regression appeared;
 * - detection rate: runs whose regression appeared and that rolled back after it, before completing;
 * - onset -> rollback complete: from the first regressed minute to the restore being INSYNC + TTL;
 * - bad requests: what green served while regressed: 5xx responses (error regression) or slow responses
 *   (latency regression), from onset to rollback complete; a missed regression is counted for
 *   `MISSED_HORIZON_MINUTES` after onset (someone notices within the hour: an assumption).
 */
import { wilsonInterval } from '../functions/core/stats.ts';
import type { Policy, PolicyRun } from './policies/policy.ts';
import { TRAFFIC_SCENARIOS, type TrafficScenario, World } from './traffic.ts';

export const MISSED_HORIZON_MINUTES = 60;
const MINUTE_MS = 60_000;
const BASE_START_MS = Date.UTC(2026, 0, 5, 8, 0, 0);

export interface ScenarioPolicyResult {
  scenario: TrafficScenario['name'];
  policy: string;
  /** Median minutes from start to the rollback decision, rolled-back runs only. */
  medianMinutesToRollback: number | null;
  runs: number;
  completed: number;
  rolledBack: number;
  held: number;
  /** Rollbacks without a regression behind them. */
  falseRollbacks: number;
  falseRollbackRate: number;
  /** One-sided 95 % Wilson upper bound of the false-rollback rate. */
  falseRollbackRateUpper95: number;
  /** Rollback triggers and how often each fired. */
  triggers: Record<string, number>;
  /** Median minutes from start to completion, completed runs only. */
  medianMinutesToComplete: number | null;
  /** Regression scenarios only. */
  regression: {
    withOnset: number;
    detected: number;
    detectionRate: number;
    minutesOnsetToRollbackComplete: { median: number | null; p95: number | null };
    /** `ci95`: half-width of the normal 95 % confidence interval of the mean. */
    badRequests: { mean: number; ci95: number; median: number; p95: number };
    /** Mean bad requests by the share at which the regression appeared. */
    meanBadRequestsByOnsetShare: Record<string, number>;
    detectionRateByOnsetShare: Record<string, number>;
  } | null;
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

const round = (value: number | null, digits = 1) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/** Seed of run `index` of scenario `scenarioIndex`: the same for every policy. */
export function seedOf(scenarioIndex: number, index: number): number {
  return (Math.imul(scenarioIndex + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}

interface RunRecord {
  run: PolicyRun;
  onsetMs: number | null;
  startMs: number;
  falseRollback: boolean;
  detected: boolean;
  bad: number | null;
  onsetShare: number | null;
}

function simulate(
  policy: Policy,
  scenario: TrafficScenario,
  scenarioIndex: number,
  index: number
): RunRecord {
  const seed = seedOf(scenarioIndex, index);
  const startMs = BASE_START_MS + index * 86_400_000 + (seed % 60_000);
  const world = new World({ scenario, seed, startMs });
  const run = policy.run(world, startMs);
  // Let the world run on after the policy stopped, so a regression that appears later is seen.
  const settledMs = Math.max(run.rollbackCompleteMs ?? run.decidedAtMs, run.decidedAtMs);
  world.minute(Math.floor(settledMs / MINUTE_MS) * MINUTE_MS + MISSED_HORIZON_MINUTES * MINUTE_MS);
  const onsetMs = world.onsetMs;
  const rolledBack = run.outcome === 'rolled-back';
  const detected = rolledBack && onsetMs !== null && onsetMs <= run.decidedAtMs;
  const falseRollback = rolledBack && !detected;
  let bad: number | null = null;
  if (onsetMs !== null) {
    const endMs = detected
      ? (run.rollbackCompleteMs as number)
      : onsetMs + MISSED_HORIZON_MINUTES * MINUTE_MS;
    const served = world.greenServed(onsetMs, endMs);
    bad = world.regression?.kind === 'latency' ? served.requests : served.errors;
  }
  return {
    run,
    onsetMs,
    startMs,
    falseRollback,
    detected,
    bad,
    onsetShare: world.regression?.fromSharePercent ?? null,
  };
}

export function summarise(
  policy: Policy,
  scenario: TrafficScenario,
  records: readonly RunRecord[]
): ScenarioPolicyResult {
  const runs = records.length;
  const count = (predicate: (record: RunRecord) => boolean) => records.filter(predicate).length;
  const falseRollbacks = count((r) => r.falseRollback);
  const triggers: Record<string, number> = {};
  for (const record of records) {
    if (record.run.trigger === null) continue;
    triggers[record.run.trigger] = (triggers[record.run.trigger] ?? 0) + 1;
  }
  const rollbackMinutes = records
    .filter((r) => r.run.outcome === 'rolled-back')
    .map((r) => (r.run.decidedAtMs - r.startMs) / MINUTE_MS)
    .sort((a, b) => a - b);
  const completedMinutes = records
    .filter((r) => r.run.outcome === 'completed')
    .map((r) => (r.run.decidedAtMs - r.startMs) / MINUTE_MS)
    .sort((a, b) => a - b);
  let regression: ScenarioPolicyResult['regression'] = null;
  if (scenario.regression !== null) {
    const withOnset = records.filter((r) => r.onsetMs !== null);
    const detected = withOnset.filter((r) => r.detected);
    const exposure = detected
      .map((r) => ((r.run.rollbackCompleteMs as number) - (r.onsetMs as number)) / MINUTE_MS)
      .sort((a, b) => a - b);
    const bad = withOnset.map((r) => r.bad as number).sort((a, b) => a - b);
    const mean = bad.reduce((sum, value) => sum + value, 0) / Math.max(1, bad.length);
    const variance =
      bad.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, bad.length - 1);
    const byShare = new Map<number, RunRecord[]>();
    for (const record of withOnset) {
      const share = record.onsetShare as number;
      byShare.set(share, [...(byShare.get(share) ?? []), record]);
    }
    const shares = [...byShare.keys()].sort((a, b) => a - b);
    regression = {
      withOnset: withOnset.length,
      detected: detected.length,
      detectionRate: withOnset.length === 0 ? 0 : detected.length / withOnset.length,
      minutesOnsetToRollbackComplete: {
        median: round(quantile(exposure, 0.5)),
        p95: round(quantile(exposure, 0.95)),
      },
      badRequests: {
        mean: round(mean) ?? 0,
        ci95: round(1.96 * Math.sqrt(variance / Math.max(1, bad.length))) ?? 0,
        median: quantile(bad, 0.5) ?? 0,
        p95: quantile(bad, 0.95) ?? 0,
      },
      meanBadRequestsByOnsetShare: Object.fromEntries(
        shares.map((share) => {
          const group = byShare.get(share) ?? [];
          return [
            `${share}%`,
            round(group.reduce((sum, r) => sum + (r.bad as number), 0) / group.length, 0) ?? 0,
          ];
        })
      ),
      detectionRateByOnsetShare: Object.fromEntries(
        shares.map((share) => {
          const group = byShare.get(share) ?? [];
          return [
            `${share}%`,
            round(group.filter((r) => r.detected).length / group.length, 3) ?? 0,
          ];
        })
      ),
    };
  }
  return {
    scenario: scenario.name,
    policy: policy.name,
    medianMinutesToRollback: round(quantile(rollbackMinutes, 0.5)),
    runs,
    completed: count((r) => r.run.outcome === 'completed'),
    rolledBack: count((r) => r.run.outcome === 'rolled-back'),
    held: count((r) => r.run.outcome === 'held'),
    falseRollbacks,
    falseRollbackRate: falseRollbacks / runs,
    falseRollbackRateUpper95: wilsonInterval(falseRollbacks, runs, 0.95).upper,
    triggers,
    medianMinutesToComplete: round(quantile(completedMinutes, 0.5)),
    regression,
  };
}

export interface DecisionQualityOptions {
  runs: number;
  policies: readonly Policy[];
  scenarios?: readonly TrafficScenario['name'][];
  onProgress?: (message: string) => void;
}

/** Runs every scenario x policy `runs` times; returns one summary per pair. */
export function runDecisionQuality(options: DecisionQualityOptions): ScenarioPolicyResult[] {
  const names = options.scenarios ?? (Object.keys(TRAFFIC_SCENARIOS) as TrafficScenario['name'][]);
  const results: ScenarioPolicyResult[] = [];
  for (const name of names) {
    const scenario = TRAFFIC_SCENARIOS[name];
    const scenarioIndex = Object.keys(TRAFFIC_SCENARIOS).indexOf(name);
    for (const policy of options.policies) {
      const started = performance.now();
      const records: RunRecord[] = [];
      for (let index = 0; index < options.runs; index++)
        records.push(simulate(policy, scenario, scenarioIndex, index));
      const summary = summarise(policy, scenario, records);
      results.push(summary);
      options.onProgress?.(
        `  ${name.padEnd(18)} ${policy.name.padEnd(34)} ${options.runs} runs in ${((performance.now() - started) / 1_000).toFixed(1)} s`
      );
    }
  }
  return results;
}
