/**
 * Judges one window of Service Connect metrics. Verdicts are data: every check says what it saw,
 * against which limit, over how many requests, so a person can see why a run advanced or rolled back.
 */
import type { MigrationInput } from './input.ts';
import { wilsonLowerBound } from './stats.ts';
import {
  type Assessment,
  type BlueLatency,
  type Evaluation,
  type MetricReading,
  type ServiceSample,
  type TimeWindow,
  Verdict,
} from './types.ts';

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

/**
 * What the checks need from one scope's samples.
 *
 * @example
 * const quiet: Measure = { requests: null, errors: 0, latencySamples: 0, latencyAvgMs: null, latencyMaxMs: null, latencyP99Ms: null };
 */
export interface Measure {
  /** Sum of HTTPCode_Target_2XX..5XX when any has datapoints, else RequestCount; null = no traffic data. */
  requests: number | null;
  /** 5xx responses (0 without traffic data: no 5xx datapoint means no 5xx). */
  errors: number;
  latencySamples: number;
  /** Average weighted by sample count. */
  latencyAvgMs: number | null;
  latencyMaxMs: number | null;
  /** The largest p99 among the parts: an upper bound for the p99 of their union. */
  latencyP99Ms: number | null;
}

type Thresholds = MigrationInput['thresholds'];

function sumKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : known.reduce((sum, value) => sum + value, 0);
}

function maxKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : Math.max(...known);
}

/**
 * The measure of one sample. HTTP status counts come from the client side (TargetDiscoveryName) and
 * exist only with appProtocol http/http2; RequestCount is the fallback. With requests known, a missing
 * 5xx series means no 5xx: CloudWatch publishes no datapoint for a count that stayed at zero.
 *
 * @example
 * measureOf({ discoveryName: 'orders', http2xx: 990, http3xx: null, http4xx: null, http5xx: 10, requestCount: 1000, latencySampleCount: 1000, latencyAvgMs: 20, latencyMaxMs: 400, latencyP99Ms: null, lastPeriodStart: null });
 * // => { requests: 1000, errors: 10, latencySamples: 1000, latencyAvgMs: 20, latencyMaxMs: 400, latencyP99Ms: null }
 */
export function measureOf(sample: ServiceSample): Measure {
  const codes = sumKnown([sample.http2xx, sample.http3xx, sample.http4xx, sample.http5xx]);
  const requests = codes ?? sample.requestCount;
  return {
    requests,
    // Requests unknown means no status series at all, so this is 0 exactly when there is no traffic data.
    errors: sample.http5xx ?? 0,
    latencySamples: sample.latencySampleCount ?? 0,
    latencyAvgMs:
      sample.latencySampleCount !== null && sample.latencySampleCount > 0
        ? sample.latencyAvgMs
        : null,
    latencyMaxMs: sample.latencyMaxMs,
    latencyP99Ms: sample.latencyP99Ms,
  };
}

/**
 * Sums measures (an empty list is "no data"): counts add up, the latency average is weighted by sample
 * count, the maximum is the largest, and p99 is the largest p99 (percentiles do not add up; the largest
 * is a safe upper bound).
 *
 * @example
 * combineMeasures([measureOf(a), measureOf(b)]);
 */
export function combineMeasures(measures: readonly Measure[]): Measure {
  const weighted = measures.flatMap((m) =>
    m.latencyAvgMs === null ? [] : [{ avgMs: m.latencyAvgMs, samples: m.latencySamples }]
  );
  const weight = weighted.reduce((sum, w) => sum + w.samples, 0);
  return {
    requests: sumKnown(measures.map((m) => m.requests)),
    errors: measures.reduce((sum, m) => sum + m.errors, 0),
    latencySamples: measures.reduce((sum, m) => sum + m.latencySamples, 0),
    // An average without samples weighs nothing.
    latencyAvgMs:
      weight === 0 ? null : weighted.reduce((sum, w) => sum + w.avgMs * w.samples, 0) / weight,
    latencyMaxMs: maxKnown(measures.map((m) => m.latencyMaxMs)),
    latencyP99Ms: maxKnown(measures.map((m) => m.latencyP99Ms)),
  };
}

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const MILLIS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** `1,812`; limits print as given (`1`, `0.5`). */
function count(value: number): string {
  return COUNT.format(value);
}

/** Observed rates print with two decimals: `2.40%`. */
function percent(value: number): string {
  return `${value.toFixed(2)}%`;
}

function millis(value: number): string {
  return `${MILLIS.format(value)} ms`;
}

interface ErrorRateJudgement {
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

function judgeErrorRate(j: ErrorRateJudgement): Assessment {
  const base = { check: j.check, scope: j.scope, limit: j.limitPercent };
  const { minRequests, confidence } = j.thresholds;
  const requests = j.measure.requests ?? 0;
  const { errors } = j.measure;
  const rate = requests > 0 ? (100 * errors) / requests : null;
  if (j.measure.requests === null || requests < minRequests) {
    const reason =
      j.measure.requests === null
        ? `no request data (no traffic): requests (0) < minRequests (${count(minRequests)})`
        : `requests (${count(requests)}) < minRequests (${count(minRequests)})`;
    return {
      ...base,
      verdict: Verdict.Inconclusive,
      value: rate,
      sampleSize: requests,
      counted: j.countShortfall,
      reason,
    };
  }
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
  const lowerPercent = 100 * wilsonLowerBound(errors, requests, confidence);
  const bound = `lower bound ${percent(lowerPercent)} at ${count(confidence * 100)}%`;
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

interface LatencyJudgement {
  check: Check;
  scope: string;
  /** `latency avg`, `latency max`, `latency p99`. */
  label: string;
  samples: number;
  valueMs: number | null;
  limitMs: number;
  limitText: string;
  minRequests: number;
  countShortfall: boolean;
  /** Why there is no value although there are samples. */
  missing: string;
}

function judgeLatency(j: LatencyJudgement): Assessment {
  const base = { check: j.check, scope: j.scope, limit: j.limitMs, sampleSize: j.samples };
  if (j.samples < j.minRequests) {
    const reason = `latency samples (${count(j.samples)}) < minRequests (${count(j.minRequests)})`;
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
  const reason = `${j.label} ${millis(j.valueMs)} ${failed ? '>' : '<='} ${j.limitText} over ${count(j.samples)} samples`;
  return {
    ...base,
    verdict: failed ? Verdict.Fail : Verdict.Pass,
    value: j.valueMs,
    counted: true,
    reason,
  };
}

/** The absolute checks of one scope: error rate always, latency only where a limit is configured. */
function assessScope(scope: string, measure: Measure, thresholds: Thresholds): Assessment[] {
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

/**
 * Blue's latency average when it had enough samples to be a baseline, tagged with the window it is from.
 * Null without a window, without an average, or with fewer than `minRequests` samples.
 */
function blueLatencyOf(
  blue: Measure,
  minRequests: number,
  window: TimeWindow | null
): BlueLatency | null {
  if (window === null || blue.latencyAvgMs === null || blue.latencySamples < minRequests)
    return null;
  return { avgMs: blue.latencyAvgMs, samples: blue.latencySamples, windowEnd: window.end };
}

/**
 * Green against blue over the same window: `max(blue x ratio, blue + minDelta)`. When blue has too little
 * traffic for a latency baseline (at 100 % green it has none), the run's remembered one (`remembered`, the
 * latest blue window with enough samples) stands in, and the reason says so.
 */
function assessBaseline(
  green: Measure,
  blue: Measure,
  thresholds: Thresholds,
  window: TimeWindow | null,
  remembered: BlueLatency | null
): Assessment[] {
  const { minRequests, baseline } = thresholds;
  const noBaseline = (check: Check, reason: string): Assessment => ({
    check,
    scope: OVERALL_SCOPE,
    verdict: Verdict.Inconclusive,
    value: null,
    limit: null,
    sampleSize: 0,
    // Too little blue traffic says nothing about green: it must not hold the run.
    counted: false,
    reason: `${reason}: no baseline`,
  });
  const blueRequests = blue.requests ?? 0;
  const errorRate =
    blueRequests < minRequests
      ? noBaseline(
          Check.BaselineErrorRate,
          `blue requests (${count(blueRequests)}) < minRequests (${count(minRequests)})`
        )
      : (() => {
          const blueRate = (100 * blue.errors) / blueRequests;
          const limitPercent = Math.max(
            blueRate * baseline.errorRateMaxRatio,
            blueRate + baseline.errorRateMinDeltaPercent
          );
          return judgeErrorRate({
            check: Check.BaselineErrorRate,
            scope: OVERALL_SCOPE,
            measure: green,
            limitPercent,
            limitText: `baseline ${percent(limitPercent)} (max(blue ${percent(blueRate)} x ${count(baseline.errorRateMaxRatio)}, blue + ${count(baseline.errorRateMinDeltaPercent)}))`,
            thresholds,
            countShortfall: true,
          });
        })();
  const current = blueLatencyOf(blue, minRequests, window);
  const shortfall =
    blue.latencySamples < minRequests
      ? `blue latency samples (${count(blue.latencySamples)}) < minRequests (${count(minRequests)})`
      : 'no blue latency average in the window';
  const source = current ?? remembered;
  const latencyAvg =
    source === null
      ? noBaseline(Check.BaselineLatencyAvg, shortfall)
      : (() => {
          const limitMs = Math.max(
            source.avgMs * baseline.latencyAvgMaxRatio,
            source.avgMs + baseline.latencyAvgMinDeltaMs
          );
          const formula = `max(blue ${millis(source.avgMs)} x ${count(baseline.latencyAvgMaxRatio)}, blue + ${millis(baseline.latencyAvgMinDeltaMs)})`;
          const limitText =
            current !== null
              ? `baseline ${millis(limitMs)} (${formula})`
              : `remembered baseline ${millis(limitMs)} (${formula}; ${shortfall}, so blue from the window ending ${source.windowEnd} over ${count(source.samples)} samples)`;
          return judgeLatency({
            check: Check.BaselineLatencyAvg,
            scope: OVERALL_SCOPE,
            label: 'latency avg',
            samples: green.latencySamples,
            valueMs: green.latencyAvgMs,
            limitMs,
            limitText,
            minRequests,
            countShortfall: true,
            missing: 'no latency average in the window',
          });
        })();
  return [errorRate, latencyAvg];
}

function unavailableBaseline(reason: string): Assessment[] {
  return [Check.BaselineErrorRate, Check.BaselineLatencyAvg].map((check) => ({
    check,
    scope: OVERALL_SCOPE,
    verdict: Verdict.Error,
    value: null,
    limit: null,
    sampleSize: 0,
    counted: true,
    reason: `blue metrics unavailable: ${reason}`,
  }));
}

/**
 * The end of the newest period of `window` with a green request datapoint, kept within
 * `[window.start + period, window.end]`; the window's end when green has none (nothing newer was missed).
 */
function judgedUntilOf(
  services: readonly ServiceSample[],
  window: TimeWindow | null,
  periodSeconds: number
): string | null {
  if (window === null) return null;
  const starts = services.flatMap((service) =>
    service.lastPeriodStart == null ? [] : [Date.parse(service.lastPeriodStart)]
  );
  const endMillis = Date.parse(window.end);
  if (starts.length === 0) return window.end;
  const periodMillis = periodSeconds * 1_000;
  const until = Math.min(
    endMillis,
    Math.max(Date.parse(window.start) + periodMillis, Math.max(...starts) + periodMillis)
  );
  return new Date(until).toISOString();
}

/** `overall: a, b; orders: c`, in order of first appearance. */
function describe(assessments: readonly Assessment[]): string {
  const byScope = new Map<string, string[]>();
  for (const assessment of assessments) {
    byScope.set(assessment.scope, [...(byScope.get(assessment.scope) ?? []), assessment.reason]);
  }
  return [...byScope].map(([scope, reasons]) => `${scope}: ${reasons.join(', ')}`).join('; ');
}

/**
 * Judges one window: each green discovery name and `overall` (their sum) on error rate, plus latency
 * average / maximum / p99 where a limit is configured, plus the comparison with blue when a blue
 * reading is given. The overall verdict: green's reading unavailable -> Error; else any counted Fail ->
 * Fail; else any counted Error (blue's reading unavailable) -> Error; else any counted Inconclusive ->
 * Inconclusive; else Pass. No data is never a pass: the overall error rate always counts.
 * `rememberedBlueLatency` (the run's `status.blueLatency`) is the latency baseline for a window in which
 * blue has too few samples; the evaluation's `blueLatency` is blue's own when it had enough. Its
 * `judgedUntil` is how far green's data reached (`input.metrics.periodSeconds` aligned): where the cursor
 * moves after a Pass or Fail.
 *
 * @example
 * evaluate({ kind: 'ok', services: [orders] }, null, input, window);
 * // => { verdict: 'Fail', reason: 'overall: error rate 2.43% > 1% over 1,812 requests (lower bound 1.90% at 95%); orders: …', … }
 */
export function evaluate(
  green: MetricReading,
  blue: MetricReading | null,
  input: Pick<MigrationInput, 'metrics' | 'thresholds'>,
  window: TimeWindow | null,
  rememberedBlueLatency: BlueLatency | null = null
): Evaluation {
  if (green.kind === 'unavailable') {
    return {
      verdict: Verdict.Error,
      reason: `green metrics unavailable: ${green.reason}`,
      assessments: [],
      window,
    };
  }
  const { thresholds } = input;
  const judgedUntil = judgedUntilOf(
    green.services.filter((s) => input.metrics.greenDiscoveryNames.includes(s.discoveryName)),
    window,
    input.metrics.periodSeconds
  );
  const perName = input.metrics.greenDiscoveryNames.map((name) => ({
    name,
    measure: combineMeasures(green.services.filter((s) => s.discoveryName === name).map(measureOf)),
  }));
  const overall = combineMeasures(perName.map((entry) => entry.measure));
  const blueMeasure = blue?.kind === 'ok' ? combineMeasures(blue.services.map(measureOf)) : null;
  const baseline =
    blue?.kind === 'unavailable'
      ? unavailableBaseline(blue.reason)
      : blueMeasure === null
        ? []
        : assessBaseline(overall, blueMeasure, thresholds, window, rememberedBlueLatency);
  const assessments = [
    ...assessScope(OVERALL_SCOPE, overall, thresholds),
    ...baseline,
    ...perName.flatMap((entry) => assessScope(entry.name, entry.measure, thresholds)),
  ];
  const blueLatency =
    blueMeasure === null ? null : blueLatencyOf(blueMeasure, thresholds.minRequests, window);
  const counted = assessments.filter((assessment) => assessment.counted);
  for (const verdict of [Verdict.Fail, Verdict.Error, Verdict.Inconclusive]) {
    const matching = counted.filter((assessment) => assessment.verdict === verdict);
    if (matching.length > 0)
      return {
        verdict,
        reason: describe(matching),
        assessments,
        window,
        judgedUntil,
        blueLatency,
      };
  }
  return {
    verdict: Verdict.Pass,
    reason: describe(counted.filter((assessment) => assessment.scope === OVERALL_SCOPE)),
    assessments,
    window,
    judgedUntil,
    blueLatency,
  };
}
