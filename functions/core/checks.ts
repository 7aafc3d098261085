/**
 * The absolute checks of one scope (error rate, latency average / maximum / p99) and how their reasons read.
 * Every check says what it saw, against which limit, over how many requests.
 */
import type { MigrationInput } from './input.ts';
import type { Measure } from './measure.ts';
import { wilsonLowerBound } from './stats.ts';
import { type Assessment, Verdict } from './types.ts';

/**
 * The scope that sums every green discovery name.
 *
 * @example
 * evaluation.assessments.filter((a) => a.scope === OVERALL_SCOPE);
 */
export const OVERALL_SCOPE = 'overall';

/**
 * The `check` names an assessment may carry.
 *
 * @example
 * evaluation.assessments.find((a) => a.check === Check.BaselineErrorRate);
 */
export const Check = {
  ErrorRate: 'errorRate',
  LatencyAvg: 'latencyAvg',
  LatencyMax: 'latencyMax',
  LatencyP99: 'latencyP99',
  BaselineErrorRate: 'baselineErrorRate',
  BaselineLatencyAvg: 'baselineLatencyAvg',
} as const;
export type Check = (typeof Check)[keyof typeof Check];

export type Thresholds = MigrationInput['thresholds'];

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const MILLIS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** `1,812`; limits print as given (`1`, `0.5`). */
export function count(value: number): string {
  return COUNT.format(value);
}

/** Observed rates print with two decimals: `2.40%`. */
export function percent(value: number): string {
  return `${value.toFixed(2)}%`;
}

export function millis(value: number): string {
  return `${MILLIS.format(value)} ms`;
}

export interface ErrorRateJudgement {
  check: Check;
  scope: string;
  measure: Measure;
  limitPercent: number;
  /** How the limit reads in a reason: `1%`, or the baseline formula. */
  limitText: string;
  thresholds: Pick<Thresholds, 'minRequests' | 'confidence'>;
  /** Per-name sample shortfalls do not count; the overall one does (no data is never a pass). */
  countShortfall: boolean;
}

function shortfall(j: ErrorRateJudgement): Assessment | null {
  const { minRequests } = j.thresholds;
  const { requests, statusRequests } = j.measure;
  const base = { check: j.check, scope: j.scope, limit: j.limitPercent, value: null };
  if (requests === null) {
    return {
      ...base,
      verdict: Verdict.Inconclusive,
      sampleSize: 0,
      counted: j.countShortfall,
      reason: `no request data (no traffic): requests (0) < minRequests (${count(minRequests)})`,
    };
  }
  const judged = statusRequests ?? requests;
  if (judged < minRequests) {
    return {
      ...base,
      // The observed rate of a small sample stays on record.
      value:
        // Stryker disable next-line ConditionalExpression: `null > 0` is false, so the null test cannot change the result
        statusRequests !== null && statusRequests > 0
          ? (100 * j.measure.errors) / statusRequests
          : null,
      verdict: Verdict.Inconclusive,
      sampleSize: judged,
      counted: j.countShortfall,
      reason: `requests (${count(judged)}) < minRequests (${count(minRequests)})`,
    };
  }
  if (statusRequests === null) {
    // Traffic without status codes is unjudged traffic, not error-free traffic: it always counts.
    return {
      ...base,
      verdict: Verdict.Inconclusive,
      sampleSize: requests,
      counted: true,
      reason: `no HTTPCode_Target_* datapoints (RequestCount ${count(requests)}): error rate not measurable`,
    };
  }
  return null;
}

/**
 * The error rate over the requests with a status code: Inconclusive below `minRequests` or without status
 * codes, Pass at or below the limit, Fail only when the Wilson lower bound at `confidence` is above it.
 */
export function judgeErrorRate(j: ErrorRateJudgement): Assessment {
  const early = shortfall(j);
  if (early !== null) return early;
  const base = { check: j.check, scope: j.scope, limit: j.limitPercent };
  const requests = j.measure.statusRequests as number;
  const { errors } = j.measure;
  const observed = (100 * errors) / requests;
  const over = `error rate ${percent(observed)} > ${j.limitText} over ${count(requests)} requests`;
  if (observed <= j.limitPercent) {
    const reason = `error rate ${percent(observed)} <= ${j.limitText} over ${count(requests)} requests`;
    return {
      ...base,
      verdict: Verdict.Pass,
      value: observed,
      sampleSize: requests,
      counted: true,
      reason,
    };
  }
  // A handful of errors in a small window is not evidence: fail only when even the optimistic end of
  // the one-sided Wilson interval is above the limit.
  const lowerPercent = 100 * wilsonLowerBound(errors, requests, j.thresholds.confidence);
  const bound = `lower bound ${percent(lowerPercent)} at ${count(j.thresholds.confidence * 100)}%`;
  return lowerPercent > j.limitPercent
    ? {
        ...base,
        verdict: Verdict.Fail,
        value: observed,
        sampleSize: requests,
        counted: true,
        reason: `${over} (${bound})`,
      }
    : {
        ...base,
        verdict: Verdict.Inconclusive,
        value: observed,
        sampleSize: requests,
        counted: true,
        reason: `${over}, not significant (${bound} <= ${j.limitText})`,
      };
}

export interface LatencyJudgement {
  check: Check;
  scope: string;
  /** `latency avg`, `latency max`, `latency p99`. */
  label: string;
  /** Requests behind the value: the evidence guard (SampleCount is no request count on AWS/ECS). */
  requests: number;
  /** TargetResponseTime SampleCount, printed as the weight of the value. */
  samples: number;
  valueMs: number | null;
  limitMs: number;
  limitText: string;
  minRequests: number;
  countShortfall: boolean;
  /** Why there is no value although there is traffic. */
  missing: string;
}

/** A latency value against its limit, judged only over at least `minRequests` requests. */
export function judgeLatency(j: LatencyJudgement): Assessment {
  const base = { check: j.check, scope: j.scope, limit: j.limitMs, sampleSize: j.requests };
  if (j.requests < j.minRequests) {
    const reason = `requests (${count(j.requests)}) < minRequests (${count(j.minRequests)})`;
    return {
      ...base,
      verdict: Verdict.Inconclusive,
      value: j.valueMs,
      counted: j.countShortfall,
      reason,
    };
  }
  if (j.valueMs === null) {
    return {
      ...base,
      verdict: Verdict.Inconclusive,
      value: null,
      counted: true,
      reason: j.missing,
    };
  }
  const failed = j.valueMs > j.limitMs;
  const reason = `${j.label} ${millis(j.valueMs)} ${failed ? '>' : '<='} ${j.limitText} over ${count(j.requests)} requests (${count(j.samples)} samples)`;
  return {
    ...base,
    verdict: failed ? Verdict.Fail : Verdict.Pass,
    value: j.valueMs,
    counted: true,
    reason,
  };
}

/** The absolute checks of one scope: error rate always, latency only where a limit is configured. */
export function assessScope(scope: string, measure: Measure, thresholds: Thresholds): Assessment[] {
  const countShortfall = scope === OVERALL_SCOPE;
  const latency = (
    check: Check,
    label: string,
    valueMs: number | null,
    limitMs: number | undefined,
    missing: string
  ): Assessment[] =>
    limitMs === undefined
      ? []
      : [
          judgeLatency({
            check,
            scope,
            label,
            requests: measure.requests ?? 0,
            samples: measure.latencySamples,
            valueMs,
            limitMs,
            limitText: millis(limitMs),
            minRequests: thresholds.minRequests,
            countShortfall,
            missing,
          }),
        ];
  return [
    judgeErrorRate({
      check: Check.ErrorRate,
      scope,
      measure,
      limitPercent: thresholds.errorRateMaxPercent,
      limitText: `${count(thresholds.errorRateMaxPercent)}%`,
      thresholds,
      countShortfall,
    }),
    ...latency(
      Check.LatencyAvg,
      'latency avg',
      measure.latencyAvgMs,
      thresholds.latencyAvgMaxMs,
      'no latency average in the window'
    ),
    ...latency(
      Check.LatencyMax,
      'latency max',
      measure.latencyMaxMs,
      thresholds.latencyMaxMs,
      'no latency maximum in the window'
    ),
    ...latency(
      Check.LatencyP99,
      'latency p99',
      measure.latencyP99Ms,
      thresholds.latencyP99MaxMs,
      'source publishes no p99'
    ),
  ];
}
