/**
 * The plan as green percents, and what it will cost in time and exposure.
 */
import type { MigrationInput, Plan } from './input.ts';
import type { Step } from './input-plan.ts';

/**
 * Route 53 changes "generally propagate" to all its name servers within 60 s (GetChange INSYNC).
 *
 * @example
 * estimatePlan(input, { ttlSeconds: 60 }).perStep[0].dnsSyncSeconds; // => DNS_SYNC_ESTIMATE_SECONDS
 */
export const DNS_SYNC_ESTIMATE_SECONDS = 60;
/**
 * The rollback's own change takes as long to reach INSYNC as any other.
 *
 * @example
 * ROLLBACK_SYNC_ESTIMATE_SECONDS; // => 60, one term of worstCaseExposureSeconds
 */
export const ROLLBACK_SYNC_ESTIMATE_SECONDS = 60;

/**
 * The green percent of a step, plain or with its own bake. Here, not beside StepSchema (input-plan.ts), so
 * that the handlers that expand a plan do not bundle zod: only Preflight parses input.
 *
 * @example
 * stepPercent({ percent: 10, bakeSeconds: 1800 }); // => 10
 */
export function stepPercent(step: Step): number {
  return typeof step === 'number' ? step : step.percent;
}

/** Rounds to one decimal, the resolution the input accepts for a percent. */
function toTenth(percent: number): number {
  return Math.round(percent * 10) / 10;
}

/**
 * The plan's green percents: strictly increasing, ending at exactly 100.
 * - `steps`: as given (the schema already checked them).
 * - `canary`: the percent, then 100.
 * - `linear`: stepPercent, 2 x stepPercent, ... below 100, then 100 (computed in tenths, so 33.3 gives 99.9 then 100).
 * - `exponential`: startPercent x factor^n rounded to one decimal; a value that rounds to no more than
 *   the previous one is dropped, and the series stops at the first value >= 100, which becomes 100.
 *
 * @throws RangeError for a plan of no kind, or one that would never reach 100 (the schema rejects both).
 * @example
 * expandSteps({ linear: { stepPercent: 25 }, ...defaults }); // => [25, 50, 75, 100]
 * expandSteps({ exponential: { startPercent: 1, factor: 3 }, ...defaults }); // => [1, 3, 9, 27, 81, 100]
 */
export function expandSteps(plan: Plan): number[] {
  if (plan.steps) return plan.steps.map(stepPercent);
  if (plan.canary) return [plan.canary.percent, 100];
  if (plan.linear) {
    const stepTenths = Math.round(plan.linear.stepPercent * 10);
    // The schema rules these out; a hand-made plan must not loop forever inside a Lambda.
    if (!(stepTenths > 0))
      throw new RangeError(
        `expandSteps: linear stepPercent must be >= 0.1 (got ${plan.linear.stepPercent})`
      );
    const steps: number[] = [];
    for (let tenths = stepTenths; tenths < 1000; tenths += stepTenths) steps.push(tenths / 10);
    return [...steps, 100];
  }
  if (plan.exponential) {
    const { startPercent, factor } = plan.exponential;
    if (!(startPercent > 0 && factor > 1)) {
      throw new RangeError(
        `expandSteps: exponential needs startPercent > 0 and factor > 1 (got ${startPercent}, ${factor})`
      );
    }
    const steps: number[] = [];
    for (let exponent = 0; ; exponent += 1) {
      const percent = toTenth(startPercent * factor ** exponent);
      if (percent >= 100) return [...steps, 100];
      // Rounding to tenths can repeat a value at the low end (0.1 x 1.5 = 0.15 -> 0.2, then 0.225 -> 0.2).
      if (percent > (steps.at(-1) ?? 0)) steps.push(percent);
    }
  }
  // The schema guarantees exactly one kind; a plan without one cannot be shifted.
  throw new RangeError('expandSteps: the plan has none of steps, canary, linear, exponential');
}

/**
 * How long the step at `greenPercent` bakes: its own `bakeSeconds` when the plan's step entry gives one, else
 * `finalBakeSeconds` at 100 % and `bakeSeconds` below.
 *
 * @example
 * bakeSecondsAt({ steps: [{ percent: 10, bakeSeconds: 1800 }, 100], bakeSeconds: 600, finalBakeSeconds: 900 }, 10); // => 1800
 * bakeSecondsAt({ steps: [{ percent: 10, bakeSeconds: 1800 }, 100], bakeSeconds: 600, finalBakeSeconds: 900 }, 100); // => 900
 */
export function bakeSecondsAt(
  plan: Pick<Plan, 'steps' | 'bakeSeconds' | 'finalBakeSeconds'>,
  greenPercent: number
): number {
  for (const step of plan.steps ?? []) {
    if (typeof step !== 'number' && step.percent === greenPercent) return step.bakeSeconds;
  }
  return greenPercent >= 100 ? plan.finalBakeSeconds : plan.bakeSeconds;
}

/**
 * The steps still ahead of a run that starts at `startGreenPercent` (a manual shift left off there):
 * every step at or below it is skipped. A run that starts at 100 % keeps `[100]`, so it still bakes
 * and is judged at 100 % before it completes (and `steps` always ends at 100, as RunState promises).
 *
 * @example
 * remainingSteps([10, 25, 50, 100], 25); // => [50, 100]
 * remainingSteps([10, 100], 100); // => [100]
 */
export function remainingSteps(steps: readonly number[], startGreenPercent: number): number[] {
  const ahead = steps.filter((step) => step > startGreenPercent);
  return ahead.length === 0 ? [100] : ahead;
}

/**
 * The first step above `currentGreenPercent`; 100 when none is (it never exceeds 100).
 *
 * @example
 * nextGreenPercent([10, 50, 100], 10); // => 50
 * nextGreenPercent([10, 50, 100], 0); // => 10
 */
export function nextGreenPercent(steps: readonly number[], currentGreenPercent: number): number {
  return Math.min(100, steps.find((step) => step > currentGreenPercent) ?? 100);
}

/**
 * Where the time at one step goes.
 *
 * @example
 * // { greenPercent: 10, dnsSyncSeconds: 60, ttlSeconds: 60, publicationDelaySeconds: 150, periodSeconds: 60, bakeSeconds: 600, totalSeconds: 930 }
 */
export interface StepEstimate {
  greenPercent: number;
  dnsSyncSeconds: number;
  ttlSeconds: number;
  publicationDelaySeconds: number;
  periodSeconds: number;
  /** `bakeSeconds` below 100 %, `finalBakeSeconds` at 100 %. */
  bakeSeconds: number;
  totalSeconds: number;
}

/**
 * What `estimatePlan` returns.
 *
 * @example
 * const { etaSeconds, worstCaseExposureSeconds, formulas } = estimatePlan(input, { ttlSeconds: 60 });
 */
export interface PlanEstimate {
  steps: number[];
  perStep: StepEstimate[];
  /** Start to completion when every evaluation passes. */
  etaSeconds: number;
  /** Regression onset to rollback complete, when the regression is caught at the first opportunity the limits allow. */
  worstCaseExposureSeconds: number;
  formulas: { eta: string; worstCaseExposure: string };
}

/** `6,480 s (1 h 48 min)`; only called with positive totals (every step costs at least the DNS sync). */
function formatDuration(seconds: number): string {
  const hours = Math.floor(seconds / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const rest = seconds % 60;
  const parts = [
    hours > 0 ? `${hours} h` : '',
    minutes > 0 ? `${minutes} min` : '',
    rest > 0 ? `${rest} s` : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
  return `${seconds.toLocaleString('en-US')} s (${parts})`;
}

/**
 * How long the plan takes when every evaluation passes, and how long users see a regression before the
 * rollback has taken effect. A step costs DNS sync (~60 s) + TTL (resolvers keep the old answer) +
 * the CloudWatch publication delay + one period (the first complete datapoint) + its bake; the step at
 * 100 % bakes `finalBakeSeconds`. The exposure (for an error-rate regression, judged by the sequential
 * test) is publicationDelay + period (one bad datapoint) + evaluationInterval (waiting for the next
 * evaluation; 0 when polling for publication) + (minEvidenceMinutes - 1) x max(evaluationInterval, period)
 * (the test needs that many periods of overwhelming evidence) + 60 s (the rollback reaching INSYNC) + TTL.
 *
 * @example
 * estimatePlan(input, { ttlSeconds: 60 }).etaSeconds; // => 5_580 for steps [5, 10, 25, 50, 75, 100] with the defaults
 */
export function estimatePlan(
  input: MigrationInput,
  options: { ttlSeconds: number; startGreenPercent?: number }
): PlanEstimate {
  const { ttlSeconds } = options;
  const { publicationDelaySeconds, periodSeconds } = input.metrics;
  const { bakeSeconds, evaluationIntervalSeconds } = input.plan;
  const steps = remainingSteps(expandSteps(input.plan), options.startGreenPercent ?? 0);
  const lagSeconds =
    DNS_SYNC_ESTIMATE_SECONDS + ttlSeconds + publicationDelaySeconds + periodSeconds;
  const perStep = steps.map((greenPercent) => {
    const stepBakeSeconds = bakeSecondsAt(input.plan, greenPercent);
    return {
      greenPercent,
      dnsSyncSeconds: DNS_SYNC_ESTIMATE_SECONDS,
      ttlSeconds,
      publicationDelaySeconds,
      periodSeconds,
      bakeSeconds: stepBakeSeconds,
      totalSeconds: lagSeconds + stepBakeSeconds,
    };
  });
  const etaSeconds = perStep.reduce((sum, step) => sum + step.totalSeconds, 0);
  const { minEvidenceMinutes } = input.thresholds;
  // The sequential error-rate test needs minEvidenceMinutes periods of overwhelming evidence, each on new data.
  const confirmationSeconds = Math.max(evaluationIntervalSeconds, periodSeconds);
  // Polling for publication judges a minute when it appears (at the latest publicationDelay after it ends).
  const polling = input.metrics.publicationPollSeconds > 0;
  const nextEvaluationSeconds = polling ? 0 : evaluationIntervalSeconds;
  const worstCaseExposureSeconds =
    publicationDelaySeconds +
    periodSeconds +
    nextEvaluationSeconds +
    (minEvidenceMinutes - 1) * confirmationSeconds +
    ROLLBACK_SYNC_ESTIMATE_SECONDS +
    ttlSeconds;
  const lag = `${DNS_SYNC_ESTIMATE_SECONDS} s DNS sync + ${ttlSeconds} s TTL + ${publicationDelaySeconds} s publication delay + ${periodSeconds} s period`;
  const belowFull = steps.length - 1;
  const belowBakes = perStep.slice(0, -1).map((step) => step.bakeSeconds);
  const sameBakes = belowBakes.every((seconds) => seconds === bakeSeconds);
  // remainingSteps always keeps 100, so the final step is the one at 100 %.
  const finalSeconds = bakeSecondsAt(input.plan, 100);
  const eta = [
    belowFull > 0 && sameBakes ? `${belowFull} step(s) x (${lag} + ${bakeSeconds} s bake)` : '',
    belowFull > 0 && !sameBakes
      ? `${belowFull} step(s) x (${lag}) + bakes (${belowBakes.join(' + ')} s)`
      : '',
    `1 step at 100% x (${lag} + ${finalSeconds} s final bake)`,
  ]
    .filter((part) => part !== '')
    .join(' + ');
  const worstCaseExposure =
    `${publicationDelaySeconds} s publication delay + ${periodSeconds} s period` +
    (polling
      ? ' (judged when published)'
      : ` + ${evaluationIntervalSeconds} s to the next evaluation`) +
    ` + ${minEvidenceMinutes - 1} x ${confirmationSeconds} s (minEvidenceMinutes more periods of evidence for the sequential test)` +
    ` + ${ROLLBACK_SYNC_ESTIMATE_SECONDS} s rollback DNS sync + ${ttlSeconds} s TTL`;
  return {
    steps,
    perStep,
    etaSeconds,
    worstCaseExposureSeconds,
    formulas: {
      eta: `${eta} = ${formatDuration(etaSeconds)}`,
      worstCaseExposure: `${worstCaseExposure} = ${formatDuration(worstCaseExposureSeconds)}`,
    },
  };
}
