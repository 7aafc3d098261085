/**
 * The settings part 1c compares (bench/fair.ts): the plans (our reference plan as time, and CodeDeploy's /
 * ECS's predefined ECS configurations), the judges (CloudWatch alarms M of N with and without a minimum
 * request count, Flagger's checks), and every combination swept, with ours and Flagger on its own plan.
 */
import { CODEDEPLOY_DEFAULTS } from './policies/codedeploy.ts';
import { FLAGGER_DEFAULTS, flaggerPolicy } from './policies/flagger.ts';
import { oursPolicy, referenceInput } from './policies/ours.ts';
import { type Policy, type PolicyRun, rollBack, SIMULATION_CAP_MS } from './policies/policy.ts';
import { REFERENCE_STEPS, type World } from './traffic.ts';

const MINUTE_MS = 60_000;

/** A plan as time: the shares in order, how long each is held before the next write, and the watch at 100 %. */
export interface TimedPlan {
  name: string;
  steps: readonly number[];
  holdMs: number;
  finalWatchMs: number;
}

/** Our reference plan held for what it takes: INSYNC + TTL + the 10-minute bake, without our holds. */
export const REFERENCE_PLAN: TimedPlan = {
  name: 'reference plan',
  steps: REFERENCE_STEPS,
  holdMs: (60 + 60 + 600) * 1_000,
  finalWatchMs: (60 + 60 + 600) * 1_000,
};

/** When each of `plan`'s writes is made from `startMs`, and when its final watch ends. */
export function planSchedule(
  plan: TimedPlan,
  startMs: number
): { writeAt: number[]; endMs: number } {
  return {
    writeAt: plan.steps.map((_, i) => startMs + i * plan.holdMs),
    endMs: startMs + (plan.steps.length - 1) * plan.holdMs + plan.finalWatchMs,
  };
}

/** The run of a plan that reached the end of its final watch (`endMs`) without a rollback. */
export function completedRun(endMs: number, judgements: number): PolicyRun {
  return {
    outcome: 'completed',
    decidedAtMs: endMs,
    rollbackCompleteMs: null,
    trigger: null,
    reason: 'plan done',
    judgements,
  };
}

function linear(percent: number, minutes: number): TimedPlan {
  const steps: number[] = [];
  for (let p = percent; p < 100; p += percent) steps.push(p);
  steps.push(100);
  return {
    name: `linear ${percent} % every ${minutes} min`,
    steps,
    holdMs: minutes * MINUTE_MS,
    finalWatchMs: CODEDEPLOY_DEFAULTS.terminationWaitMinutes * MINUTE_MS,
  };
}

function canary(percent: number, minutes: number): TimedPlan {
  return {
    name: `canary ${percent} % for ${minutes} min`,
    steps: [percent, 100],
    holdMs: minutes * MINUTE_MS,
    finalWatchMs: CODEDEPLOY_DEFAULTS.terminationWaitMinutes * MINUTE_MS,
  };
}

/** CodeDeploy's and ECS's predefined ECS configurations (ECSLinear10PercentEvery1/3Minutes, ECSCanary10Percent5/15Minutes). */
const TOOL_PLANS: TimedPlan[] = [linear(10, 1), linear(10, 3), canary(10, 5), canary(10, 15)];

/** What a judge says at one look: null, or why it rolls back. */
type Look = (world: World, nowMs: number) => { trigger: string; reason: string } | null;

interface Judge {
  name: string;
  family: string;
  /** How often it looks, and where in the minute (CloudWatch alarms evaluate on their own minute grid). */
  everyMs: number;
  phaseMs: number;
  look: () => Look;
}

/** Drives `plan` through the world, letting `judge` look every `everyMs`; rollback as soon as it says so. */
function timedPolicy(plan: TimedPlan, judge: Judge, name: string): Policy {
  return {
    name,
    parameters: [`${plan.name}; ${judge.name}`],
    run(world: World, startMs: number): PolicyRun {
      const look = judge.look();
      const { writeAt, endMs } = planSchedule(plan, startMs);
      let next = 0;
      let judgements = 0;
      const first = Math.floor(startMs / judge.everyMs) * judge.everyMs + judge.phaseMs;
      for (let t = first; t <= endMs && t - startMs <= SIMULATION_CAP_MS; t += judge.everyMs) {
        while (next < plan.steps.length && (writeAt[next] as number) <= t) {
          world.write(writeAt[next] as number, plan.steps[next] as number);
          next += 1;
        }
        if (t < startMs) continue;
        judgements += 1;
        const verdict = look(world, t);
        if (verdict !== null)
          return rollBack(world, t, verdict.trigger, verdict.reason, judgements);
      }
      while (next < plan.steps.length) {
        world.write(writeAt[next] as number, plan.steps[next] as number);
        next += 1;
      }
      return completedRun(endMs, judgements);
    },
  };
}

/** The newest `count` published minutes of green with requests, within `count + 5` minutes of `nowMs`. */
function newestMinutes(world: World, nowMs: number, count: number) {
  const found = [];
  const lastStart = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
  for (
    let ms = lastStart;
    ms >= nowMs - (count + 5) * MINUTE_MS && found.length < count;
    ms -= MINUTE_MS
  ) {
    const minute = world.minute(ms);
    if (minute.publishedAtMs > nowMs || minute.green.requests === 0) continue;
    found.push(minute.green);
  }
  return found;
}

/**
 * CodeDeploy's / ECS's alarm rollback: two CloudWatch alarms on green (5xx rate > 1 %, average latency >
 * 130 ms), each ALARM when `m` of the newest `n` datapoints breach (TreatMissingData missing: a missing
 * datapoint is not breaching). With `minRequests`, a minute with fewer requests does not breach (metric
 * math `IF(requests >= min, rate)`, the usual guard).
 */
function alarmJudge(m: number, n: number, minRequests: number | null): Judge {
  const guard = minRequests === null ? '' : `, >= ${minRequests} requests`;
  return {
    name: `alarms ${m} of ${n}${guard}`,
    family: `alarms${minRequests === null ? '' : ' + min requests'}`,
    everyMs: MINUTE_MS,
    phaseMs: 10_000,
    look: () => (world, nowMs) => {
      const minutes = newestMinutes(world, nowMs, n).filter(
        (minute) => minRequests === null || minute.requests >= minRequests
      );
      const errors = minutes.filter(
        (minute) =>
          (100 * minute.http5xx) / minute.requests > CODEDEPLOY_DEFAULTS.errorRateAlarmPercent
      ).length;
      if (errors >= m) return { trigger: 'alarm-5xx', reason: `${errors} of ${n} minutes > 1 %` };
      const slow = minutes.filter(
        (minute) => (minute.latencyAvgMs ?? 0) > CODEDEPLOY_DEFAULTS.latencyAlarmMs
      ).length;
      if (slow >= m) return { trigger: 'alarm-latency', reason: `${slow} of ${n} minutes slow` };
      return null;
    },
  };
}

/**
 * Flagger's analysis as a judge under a plan it does not drive: every `intervalSeconds` both checks on the
 * newest datapoint of the last 10 intervals (no value is a failed check); roll back once the cumulative
 * failed checks reach `threshold`.
 */
function flaggerJudge(intervalSeconds: number, threshold: number): Judge {
  return {
    name: `Flagger checks every ${intervalSeconds} s, threshold ${threshold}`,
    family: 'Flagger checks',
    everyMs: intervalSeconds * 1_000,
    phaseMs: 0,
    look: () => {
      let failed = 0;
      return (world, nowMs) => {
        const [minute] = newestMinutes(world, nowMs, 1);
        const passes =
          minute !== undefined &&
          100 - (100 * minute.http5xx) / minute.requests >=
            FLAGGER_DEFAULTS.minSuccessRatePercent &&
          (minute.latencyAvgMs ?? 0) <= FLAGGER_DEFAULTS.maxLatencyMs;
        if (!passes) failed += 1;
        return failed >= threshold
          ? { trigger: 'failed-checks', reason: `${failed} failed checks` }
          : null;
      };
    },
  };
}

export interface FairEntry {
  policy: Policy;
  family: string;
  plan: string;
  setting: string;
  reference: boolean;
}

export function entries(): FairEntry[] {
  const list: FairEntry[] = [
    {
      policy: oursPolicy('ours (defaults)', referenceInput()),
      family: 'ours',
      plan: REFERENCE_PLAN.name,
      setting: 'defaults',
      reference: false,
    },
  ];
  const alarms: Judge[] = [];
  for (const [m, n] of [
    [1, 1],
    [2, 2],
    [2, 3],
    [3, 3],
    [3, 5],
    [5, 5],
  ] as const) {
    alarms.push(alarmJudge(m, n, null), alarmJudge(m, n, 50));
  }
  for (const plan of [REFERENCE_PLAN, ...TOOL_PLANS]) {
    for (const judge of alarms) {
      list.push({
        policy: timedPolicy(plan, judge, `${judge.name} / ${plan.name}`),
        family: judge.family,
        plan: plan.name,
        setting: judge.name,
        reference: true,
      });
    }
  }
  for (const threshold of [1, 2, 3, 5, 10]) {
    for (const interval of [30, 60]) {
      const judge = flaggerJudge(interval, threshold);
      list.push({
        policy: timedPolicy(REFERENCE_PLAN, judge, `${judge.name} / ${REFERENCE_PLAN.name}`),
        family: judge.family,
        plan: REFERENCE_PLAN.name,
        setting: judge.name,
        reference: true,
      });
    }
  }
  for (const stepWeight of [5, 10, 20]) {
    for (const threshold of [1, 2, 5, 10]) {
      for (const intervalSeconds of [30, 60]) {
        const policy = flaggerPolicy({
          ...FLAGGER_DEFAULTS,
          stepWeight,
          threshold,
          intervalSeconds,
        });
        const setting = `interval ${intervalSeconds} s, threshold ${threshold}, stepWeight ${stepWeight}`;
        list.push({
          policy: { ...policy, name: `Flagger ${setting} / Flagger plan` },
          family: 'Flagger (own plan)',
          plan: `Flagger plan (stepWeight ${stepWeight} to maxWeight ${FLAGGER_DEFAULTS.maxWeight}, then promote)`,
          setting,
          reference: true,
        });
      }
    }
  }
  return list;
}
