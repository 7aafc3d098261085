/**
 * Part 1o: the best detector we know in part 1c's world (issue 13), and what it needs to know. In part 1c's
 * world (bench/fair.ts: sticky clients, the same seeds and start times, the reference plan), how fast can a
 * detector that knows the world's exact distributions restore traffic? Not a proven lower bound: the best
 * detector we know here. Two detectors (bench/oracle-likelihood.ts), both Page's CUSUM in minute order:
 * - regime-aware (the reference): bursts are a property of the scenario (flapping: blue and green; healthy and
 *   regressed runs: none), so it weighs green's regression evidence (2 % against 0.2 %, no bursts) against the
 *   mixture "healthy or flapping", learning which from every published minute of blue and green
 *   (oracle-likelihood.ts regimeStatistic);
 * - green-only: reads green alone and must treat a burst as possible in any minute of any run (f0 a mixture).
 * Each judges every minute the instant CloudWatch publishes it (no polling grain), a minute without requests
 * carries no evidence, and it rolls back through `rollBack` (restored INSYNC + TTL after the decision), like
 * the floor and ours. So its gap to the floor is evidence alone.
 *
 * Out-of-order publication (1 % of minutes are published 180-300 s late): at each publication W is the CUSUM
 * over every published minute in minute order, an unpublished minute being missing (no evidence). In order
 * this is Page's recursion; a late minute takes its place in time, so the changepoint stays in minute time
 * and a late pre-onset minute cannot cancel the regressed minutes published before it.
 *
 * The world and the plan run the same whatever h until the first rollback, so one run without a rollback
 * (h = Infinity) gives the decision instant of every h: the first of the statistic's highs >= h. The calibration over h
 * is bench/oracle-curve.ts.
 */
import { fairWorld, MISSED_HORIZON_MS, round } from './fair.ts';
import { completedRun, planSchedule, REFERENCE_PLAN, type TimedPlan } from './fair-settings.ts';
import {
  cusum,
  flappingEvidence,
  minuteEvidence,
  type OracleModel,
  regimeStatistic,
  regressionEvidence,
  WORLD_MODEL,
} from './oracle-likelihood.ts';
import { type Policy, type PolicyRun, rollBack } from './policies/policy.ts';
import { type Minute, TRAFFIC_SCENARIOS, type World } from './traffic.ts';

const MINUTE_MS = 60_000;

/** A publication instant at which the statistic reached a new high (among the instants it may roll back at). */
export interface OracleHigh {
  atMs: number;
  /** The statistic: W (green-only) or W - log(1 + e^B) (regime-aware). */
  w: number;
}

export interface OracleTrace {
  run: PolicyRun;
  /** The statistic's successive highs: the decision for any h is the first high >= h. */
  highs: OracleHigh[];
}

/**
 * Where the oracle lets the change begin: at any minute (Page's CUSUM), or only in the two minutes in which
 * each step's write settles (INSYNC + TTL later): where a load-triggered regression appears in the aligned
 * world. The second knows the bench's onset model, which no detector can assume in general (a defect can
 * appear during a bake): a sensitivity of the bound, not the bound.
 */
export type OnsetKnowledge = 'any-minute' | 'step-settled';

/** What the detector reads: green and blue, learning the burst regime (the reference), or green alone. */
export type DetectorKind = 'regime-aware' | 'green-only';

export interface OracleOptions {
  /** Default 'regime-aware'. */
  detector?: DetectorKind;
  model?: OracleModel;
  plan?: TimedPlan;
  onsets?: OnsetKnowledge;
  /**
   * Roll back only while the plan's current weight is at least this (default 0: always). A detector that
   * lets a regression at a lower share run on spends no false rollbacks there: a sensitivity for a goal
   * measured at shares >= 25 %, not a detector anyone should ship.
   */
  rollbackFromPercent?: number;
}

/** The minute in which each write's change settles for the TTL-following clients, and the one after. */
export function settledMinutes(writeAt: readonly number[], settleMs: number): number[] {
  return writeAt.flatMap((atMs) => {
    const minute = Math.floor((atMs + settleMs) / MINUTE_MS) * MINUTE_MS;
    return [minute, minute + MINUTE_MS];
  });
}

/** max(0, the largest sum of published evidence from one of `changepoints` on), minutes in time order. */
export function restrictedCusum(
  published: readonly { startMs: number; llr: number }[],
  changepoints: readonly number[]
): number {
  let best = 0;
  let suffix = 0;
  let next = published.length - 1;
  for (const k of [...changepoints].sort((a, b) => b - a)) {
    while (next >= 0 && (published[next] as { startMs: number }).startMs >= k) {
      suffix += (published[next] as { llr: number }).llr;
      next -= 1;
    }
    best = Math.max(best, suffix);
  }
  return best;
}

type Evidence = (x: number, n: number, model: OracleModel) => number;
const worldEvidence = new Map<Evidence, Map<number, number>>();
/** One minute's evidence of a kind; the world model's values are cached by (n, x). */
function evidenceOf(kind: Evidence, x: number, n: number, model: OracleModel): number {
  if (model !== WORLD_MODEL) return kind(x, n, model);
  let table = worldEvidence.get(kind);
  if (table === undefined) {
    table = new Map();
    worldEvidence.set(kind, table);
  }
  const key = n * 1_000_000 + x;
  let llr = table.get(key);
  if (llr === undefined) {
    llr = kind(x, n, model);
    table.set(key, llr);
  }
  return llr;
}

/**
 * Drives `plan` through `world` in event order (plan writes, minute publications) and rolls back at the
 * first publication at which the statistic >= `threshold` (Infinity: never; the trace then holds every high).
 */
export function driveOracle(
  world: World,
  startMs: number,
  threshold: number,
  options: OracleOptions = {}
): OracleTrace {
  const { model = WORLD_MODEL, plan = REFERENCE_PLAN, onsets = 'any-minute' } = options;
  const regimeAware = (options.detector ?? 'regime-aware') === 'regime-aware';
  const rollbackFromPercent = options.rollbackFromPercent ?? 0;
  const { writeAt, endMs } = planSchedule(plan, startMs);
  const changepoints =
    onsets === 'any-minute' ? null : settledMinutes(writeAt, world.syncMs + world.ttlMs);
  const published: { startMs: number; llr: number }[] = [];
  const pending: Minute[] = [];
  const highs: OracleHigh[] = [];
  let nextWrite = 0;
  let judgements = 0;
  let flapping = 0;
  const advanceTo = (limitMs: number): PolicyRun | null => {
    for (;;) {
      const writeMs = nextWrite < writeAt.length ? (writeAt[nextWrite] as number) : Infinity;
      let first = -1;
      for (let i = 0; i < pending.length; i++) {
        const at = (pending[i] as Minute).publishedAtMs;
        if (at <= limitMs && (first < 0 || at < (pending[first] as Minute).publishedAtMs))
          first = i;
      }
      const publishMs = first < 0 ? Infinity : (pending[first] as Minute).publishedAtMs;
      if (publishMs === Infinity && writeMs > limitMs) return null;
      if (publishMs > writeMs) {
        world.write(writeMs, plan.steps[nextWrite] as number);
        nextWrite += 1;
        continue;
      }
      const [minute] = pending.splice(first, 1) as [Minute];
      let at = published.length;
      while (at > 0 && (published[at - 1] as { startMs: number }).startMs > minute.startMs) at -= 1;
      const { green, blue } = minute;
      const llr = evidenceOf(
        regimeAware ? regressionEvidence : minuteEvidence,
        green.http5xx,
        green.requests,
        model
      );
      published.splice(at, 0, { startMs: minute.startMs, llr });
      judgements += 1;
      if (regimeAware)
        flapping +=
          evidenceOf(flappingEvidence, green.http5xx, green.requests, model) +
          evidenceOf(flappingEvidence, blue.http5xx, blue.requests, model);
      const cusumW =
        changepoints === null
          ? cusum(published.map((entry) => entry.llr))
          : restrictedCusum(published, changepoints);
      const w = regimeAware ? regimeStatistic(cusumW, flapping) : cusumW;
      const current = nextWrite === 0 ? 0 : (plan.steps[nextWrite - 1] as number);
      if (current < rollbackFromPercent) continue;
      if (w > (highs.at(-1)?.w ?? 0)) highs.push({ atMs: publishMs, w });
      if (w >= threshold)
        return rollBack(
          world,
          publishMs,
          regimeAware ? 'oracle-regime' : 'oracle-cusum',
          `statistic ${w.toFixed(2)} >= h ${threshold} over ${published.length} minutes`,
          judgements
        );
    }
  };
  for (let ms = Math.floor(startMs / MINUTE_MS) * MINUTE_MS; ms <= endMs; ms += MINUTE_MS) {
    // Every write that can move minute `ms` (written before it starts) and every decision before it are made.
    const decided = advanceTo(ms);
    if (decided !== null) return { run: decided, highs };
    const minute = world.minute(ms);
    if (minute.green.requests > 0 || (regimeAware && minute.blue.requests > 0))
      pending.push(minute);
  }
  const decided = advanceTo(endMs);
  if (decided !== null) return { run: decided, highs };
  return { run: completedRun(endMs, judgements), highs };
}

/** The oracle as a part-1c policy with threshold `h`. */
export function oraclePolicy(h: number, options: OracleOptions = {}): Policy {
  const { model = WORLD_MODEL, onsets = 'any-minute', rollbackFromPercent = 0 } = options;
  const detector = options.detector ?? 'regime-aware';
  const evidence =
    detector === 'regime-aware'
      ? `regression ${model.regressedPercent} % vs ${model.healthyPercent} % against the mixture healthy or flapping (bursts to ${model.burstPercent} % at ${round(model.burstProbability, 4)} per minute, learnt from blue and green)`
      : `5xx ${model.healthyPercent} % with bursts to ${model.burstPercent} % at ${round(model.burstProbability, 4)} per minute vs ${model.regressedPercent} %`;
  return {
    name: `oracle ${detector} CUSUM h ${h}${onsets === 'any-minute' ? '' : ', changes only where a step settles'}${rollbackFromPercent > 0 ? `, rollback from ${rollbackFromPercent} %` : ''}`,
    parameters: [
      `${REFERENCE_PLAN.name}; CUSUM on exact per-minute likelihoods (${evidence}, log-sd ${model.errorSigma}), h ${h}, each minute judged when published`,
    ],
    run: (world, startMs) => driveOracle(world, startMs, h, options).run,
  };
}

/** When a threshold `h` rolls back on this trace: the first high >= h (null: never). */
export function firstPassage(highs: readonly OracleHigh[], h: number): number | null {
  return highs.find((high) => high.w >= h)?.atMs ?? null;
}

/** One traced run of `scenario`, without a rollback, with what the curve needs from its world. */
export function traceRun(
  scenarioName: keyof typeof TRAFFIC_SCENARIOS,
  index: number,
  options: OracleOptions = {}
) {
  const { world, startMs } = fairWorld(TRAFFIC_SCENARIOS[scenarioName], index);
  const trace = driveOracle(world, startMs, Infinity, options);
  world.minute(Math.floor(trace.run.decidedAtMs / MINUTE_MS) * MINUTE_MS + MISSED_HORIZON_MS);
  return { world, trace };
}
