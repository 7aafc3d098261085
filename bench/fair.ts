/**
 * Part 1c: the fair comparison (issue 13). Every judge runs under the same plan (the reference plan: steps
 * 1, 5, 10, 25, 50, 75, 100, 12 min per step = 60 s INSYNC + 60 s TTL + 10 min bake, then a 12 min watch
 * at 100 %), and each tool also under its own default plans; the references are swept over their real
 * settings and reported as curves of bad requests against the false-rollback rate. Ours is compared with
 * the best reference whose false-rollback rate is at most ours. Two onset models (at a step, and uniform in
 * share and time during a bake), the same seeds for everyone, and a world whose clients keep pooled
 * connections and whose resolvers cache past the TTL (STICKY_CLIENTS). Beside every figure, the physical
 * floor of the same runs: a perfect detector that acts the moment the first regressed minute is published.
 */
import { seedOf } from './decision-quality.ts';
import { entries } from './fair-settings.ts';
import type { Policy } from './policies/policy.ts';
import { STICKY_CLIENTS, TRAFFIC_SCENARIOS, type TrafficScenario, World } from './traffic.ts';

const MINUTE_MS = 60_000;
const BASE_START_MS = Date.UTC(2026, 0, 5, 8, 0, 0);
/** A missed regression counts this long after onset (as in part 1). */
export const MISSED_HORIZON_MS = 60 * MINUTE_MS;

export const FAIR_SCENARIOS = [
  'healthy',
  'flapping',
  'error-regression',
  'error-regression-uniform',
] as const satisfies readonly TrafficScenario['name'][];

export interface RunOutcome {
  falseRollback: boolean;
  bad: number | null;
  /**
   * The physical floor on this run's own timeline: a perfect detector that rolls back the moment the first
   * regressed minute is published (it would not act before the onset, so up to then the run is the same).
   */
  floorBad: number | null;
  floorRestoreSeconds: number | null;
  /** Onset -> rollback complete (INSYNC + TTL), seconds; detected runs only. */
  restoreSeconds: number | null;
  onsetShare: number | null;
}

/** Run `index` of `scenario`: the same seed, start time and sticky clients for every policy. */
export function fairWorld(
  scenario: TrafficScenario,
  index: number
): { world: World; startMs: number } {
  const scenarioIndex = Object.keys(TRAFFIC_SCENARIOS).indexOf(scenario.name);
  const seed = seedOf(scenarioIndex, index);
  const startMs = BASE_START_MS + index * 86_400_000 + (seed % 60_000);
  return { world: new World({ scenario, seed, startMs, stickyClients: true }), startMs };
}

export function simulate(policy: Policy, scenario: TrafficScenario, index: number): RunOutcome {
  const { world, startMs } = fairWorld(scenario, index);
  const run = policy.run(world, startMs);
  const settledMs = Math.max(run.rollbackCompleteMs ?? run.decidedAtMs, run.decidedAtMs);
  world.minute(Math.floor(settledMs / MINUTE_MS) * MINUTE_MS + MISSED_HORIZON_MS);
  const onsetMs = world.onsetMs;
  const rolledBack = run.outcome === 'rolled-back';
  const detected = rolledBack && onsetMs !== null && onsetMs <= run.decidedAtMs;
  let bad: number | null = null;
  let floorBad: number | null = null;
  let floorRestoreSeconds: number | null = null;
  if (onsetMs !== null) {
    const floorDecidedMs = world.minute(onsetMs).publishedAtMs;
    floorBad = world.errorsWithRollbackAt(onsetMs, floorDecidedMs);
    floorRestoreSeconds = (world.effectiveAt(floorDecidedMs) - onsetMs) / 1_000;
    // Sticky clients keep reaching green after the restore: count until every client has moved.
    const endMs = detected ? world.drainedAt(run.decidedAtMs) : onsetMs + MISSED_HORIZON_MS;
    bad = world.greenServed(onsetMs, endMs).errors;
  }
  return {
    falseRollback: rolledBack && !detected,
    bad,
    floorBad,
    floorRestoreSeconds,
    restoreSeconds:
      detected && onsetMs !== null ? ((run.rollbackCompleteMs as number) - onsetMs) / 1_000 : null,
    onsetShare: world.regression?.fromSharePercent ?? null,
  };
}

export interface FairRow {
  policy: string;
  family: string;
  plan: string;
  setting: string;
  reference: boolean;
  falseRollbackPct: { healthy: number; flapping: number };
  /** max(healthy, flapping): the rate the curves and the matching use. */
  falseRollbackPctMax: number;
  badRequests: { aligned: number; uniform: number };
  /** The physical floor on each run's own timeline (RunOutcome.floorBad), mean over the same runs. */
  floorBadRequests: { aligned: number; uniform: number };
  /** Median onset -> rollback complete at onset shares >= 25 %, aligned onsets. */
  restoreMedianSeconds: number | null;
  /** The floor's, over the same runs (onset shares >= 25 %, aligned). */
  floorRestoreMedianSeconds: number | null;
}

export const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
export const median = (values: readonly number[]) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
};
export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The reference with the fewest bad requests among those whose false-rollback rate is at most ours. */
export interface MatchedReference {
  policy: string;
  badRequests: number;
  floorBadRequests: number;
  falseRollbackPctMax: number;
}

export interface FairResult {
  runs: number;
  world: { stickyClients: typeof STICKY_CLIENTS; onsetModels: Record<string, string> };
  rows: FairRow[];
  comparison: {
    ours: FairRow;
    bestReferenceAtMatchedFalseRollback: {
      aligned: MatchedReference | null;
      uniform: MatchedReference | null;
    };
  };
  seconds: number;
}

/** Runs every entry over FAIR_SCENARIOS with `runs` seeds each. */
export function runFair(runs: number, onProgress?: (message: string) => void): FairResult {
  const started = performance.now();
  const rows: FairRow[] = [];
  for (const entry of entries()) {
    const per = Object.fromEntries(
      FAIR_SCENARIOS.map((name) => [
        name,
        Array.from({ length: runs }, (_, i) => simulate(entry.policy, TRAFFIC_SCENARIOS[name], i)),
      ])
    ) as Record<(typeof FAIR_SCENARIOS)[number], RunOutcome[]>;
    const rate = (name: 'healthy' | 'flapping') =>
      round((100 * per[name].filter((r) => r.falseRollback).length) / runs);
    const bad = (name: 'error-regression' | 'error-regression-uniform') =>
      round(mean(per[name].map((r) => r.bad ?? 0)), 1);
    const floorBad = (name: 'error-regression' | 'error-regression-uniform') =>
      round(mean(per[name].map((r) => r.floorBad ?? 0)), 1);
    const highShare = per['error-regression'].filter((r) => (r.onsetShare ?? 0) >= 25);
    const healthy = rate('healthy');
    const flapping = rate('flapping');
    rows.push({
      policy: entry.policy.name,
      family: entry.family,
      plan: entry.plan,
      setting: entry.setting,
      reference: entry.reference,
      falseRollbackPct: { healthy, flapping },
      falseRollbackPctMax: Math.max(healthy, flapping),
      badRequests: { aligned: bad('error-regression'), uniform: bad('error-regression-uniform') },
      floorBadRequests: {
        aligned: floorBad('error-regression'),
        uniform: floorBad('error-regression-uniform'),
      },
      restoreMedianSeconds: median(
        highShare.filter((r) => r.restoreSeconds !== null).map((r) => r.restoreSeconds as number)
      ),
      floorRestoreMedianSeconds: median(
        highShare
          .filter((r) => r.floorRestoreSeconds !== null)
          .map((r) => r.floorRestoreSeconds as number)
      ),
    });
    onProgress?.(`  fair: ${entry.policy.name} done`);
  }
  const ours = rows.find((row) => row.family === 'ours') as FairRow;
  const best = (model: 'aligned' | 'uniform') => {
    const matched = rows
      .filter((row) => row.reference && row.falseRollbackPctMax <= ours.falseRollbackPctMax)
      .sort((a, b) => a.badRequests[model] - b.badRequests[model]);
    const top = matched[0];
    return top === undefined
      ? null
      : {
          policy: top.policy,
          badRequests: top.badRequests[model],
          floorBadRequests: top.floorBadRequests[model],
          falseRollbackPctMax: top.falseRollbackPctMax,
        };
  };
  return {
    runs,
    world: {
      stickyClients: STICKY_CLIENTS,
      onsetModels: {
        aligned: TRAFFIC_SCENARIOS['error-regression'].description,
        uniform: TRAFFIC_SCENARIOS['error-regression-uniform'].description,
      },
    },
    rows,
    comparison: {
      ours,
      bestReferenceAtMatchedFalseRollback: { aligned: best('aligned'), uniform: best('uniform') },
    },
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

/** One setting's figures with the floor of the same runs beside each. */
export function showFair(row: FairRow): string {
  return `FR healthy ${row.falseRollbackPct.healthy} % / flapping ${row.falseRollbackPct.flapping} %; 5xx served aligned ${row.badRequests.aligned} (floor ${row.floorBadRequests.aligned}), uniform ${row.badRequests.uniform} (floor ${row.floorBadRequests.uniform}); restore median at >= 25 % ${row.restoreMedianSeconds ?? '-'} s (floor ${row.floorRestoreMedianSeconds ?? '-'} s)`;
}

/**
 * The curves: per family and plan, the settings that no other of the same family and plan beats on both
 * false rollbacks and bad requests (aligned onsets), as `false-rollback % -> bad requests`.
 */
export function fairDetails(result: FairResult): string[] {
  const lines: string[] = [];
  const { ours, bestReferenceAtMatchedFalseRollback: best } = result.comparison;
  lines.push(
    `Part 1c: the fair comparison (bench/fair.ts): ${result.runs} seeded runs per scenario and setting, ${result.rows.length} settings, ${result.seconds} s`
  );
  lines.push(
    `  world: sticky clients (${STICKY_CLIENTS.ttlShare * 100} % follow the TTL, ${STICKY_CLIENTS.pooledShare * 100} % pooled connections recycled within ${STICKY_CLIENTS.pooledSeconds} s, ${STICKY_CLIENTS.staleShare * 100} % resolvers caching up to ${STICKY_CLIENTS.staleSeconds} s); bad requests counted until every client has left green`
  );
  lines.push(`  onsets: aligned = ${result.world.onsetModels['aligned']}`);
  lines.push(`          uniform = ${result.world.onsetModels['uniform']}`);
  lines.push(
    '  floor = a perfect detector on the same run: rolls back the moment the first regressed minute is published'
  );
  lines.push(`  ours (defaults): ${showFair(ours)}`);
  for (const model of ['aligned', 'uniform'] as const) {
    const top = best[model];
    lines.push(
      top === null
        ? `  best reference at FR <= ours (${ours.falseRollbackPctMax} %), ${model}: none reaches that false-rollback rate`
        : `  best reference at FR <= ours (${ours.falseRollbackPctMax} %), ${model}: ${top.policy}: ${top.badRequests} 5xx (FR ${top.falseRollbackPctMax} %) vs ours ${ours.badRequests[model]}`
    );
  }
  const groups = new Map<string, FairRow[]>();
  for (const row of result.rows.filter((r) => r.reference)) {
    const key = `${row.family} / ${row.plan}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  lines.push(
    '  curves (Pareto front per family and plan: FR max(healthy, flapping) % -> 5xx aligned / uniform):'
  );
  for (const [key, list] of groups) {
    const front = list
      .filter(
        (row) =>
          !list.some(
            (other) =>
              other !== row &&
              other.falseRollbackPctMax <= row.falseRollbackPctMax &&
              other.badRequests.aligned <= row.badRequests.aligned &&
              (other.falseRollbackPctMax < row.falseRollbackPctMax ||
                other.badRequests.aligned < row.badRequests.aligned)
          )
      )
      .sort((a, b) => a.falseRollbackPctMax - b.falseRollbackPctMax);
    lines.push(
      `    ${key}: ${front.map((row) => `[${row.setting}] ${row.falseRollbackPctMax} % -> ${row.badRequests.aligned} / ${row.badRequests.uniform} (floor ${row.floorBadRequests.aligned} / ${row.floorBadRequests.uniform})`).join('; ')}`
    );
  }
  return lines;
}
