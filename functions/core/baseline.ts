/**
 * Green against blue over the same window, and the blue latency average a run remembers for later windows.
 */
import {
  Check,
  count,
  judgeErrorRate,
  judgeLatency,
  millis,
  OVERALL_SCOPE,
  percent,
  type Thresholds,
} from './checks.ts';
import type { Measure } from './measure.ts';
import { type Assessment, type BlueLatency, type TimeWindow, Verdict } from './types.ts';

/**
 * Blue's latency average when it had enough requests to be a baseline, tagged with the window it is from.
 * Null without a window, without an average, or with fewer than `minRequests` requests.
 *
 * @example
 * blueLatencyOf(blueMeasure, 50, window); // => { avgMs: 80, samples: 750, windowEnd: '…' }
 */
export function blueLatencyOf(
  blue: Measure,
  minRequests: number,
  window: TimeWindow | null
): BlueLatency | null {
  const requests = blue.requests ?? 0;
  if (window === null || blue.latencyAvgMs === null || requests < minRequests) return null;
  return { avgMs: blue.latencyAvgMs, samples: requests, windowEnd: window.end };
}

/**
 * Why blue's window gives no latency baseline. Unknown requests are not 0: without status codes the adapter
 * reads blue's RequestCount only beside a latency datapoint (adapters/service-connect-request-counts.ts).
 */
function latencyShortfall(blue: Measure, minRequests: number): string {
  if (blue.requests === null)
    return blue.latencyAvgMs === null
      ? 'no blue status-code or latency datapoints'
      : 'no blue status-code or RequestCount datapoints';
  return blue.requests < minRequests
    ? `blue requests (${count(blue.requests)}) < minRequests (${count(minRequests)})`
    : 'no blue latency average in the window';
}

function noBaseline(check: Check, reason: string): Assessment {
  return {
    check,
    scope: OVERALL_SCOPE,
    verdict: Verdict.Inconclusive,
    value: null,
    limit: null,
    sampleSize: 0,
    // Too little blue traffic says nothing about green: it must not hold the run.
    counted: false,
    reason: `${reason}: no baseline`,
  };
}

function baselineErrorRate(green: Measure, blue: Measure, thresholds: Thresholds): Assessment {
  const { minRequests, baseline } = thresholds;
  if (blue.statusRequests === null) {
    return noBaseline(Check.BaselineErrorRate, 'no blue HTTPCode_Target_* datapoints');
  }
  // What blue's figures on the dashboard and in the report are drawn from: the numbers judged here.
  const counts = { requests: blue.statusRequests, errors5xx: blue.errors };
  if (blue.statusRequests < minRequests) {
    return {
      ...noBaseline(
        Check.BaselineErrorRate,
        `blue requests (${count(blue.statusRequests)}) < minRequests (${count(minRequests)})`
      ),
      blue: counts,
    };
  }
  const blueRate = (100 * blue.errors) / blue.statusRequests;
  const limitPercent = Math.max(
    blueRate * baseline.errorRateMaxRatio,
    blueRate + baseline.errorRateMinDeltaPercent
  );
  const judged = judgeErrorRate({
    check: Check.BaselineErrorRate,
    scope: OVERALL_SCOPE,
    measure: green,
    limitPercent,
    limitText: `baseline ${percent(limitPercent)} (max(blue ${percent(blueRate)} x ${count(baseline.errorRateMaxRatio)}, blue + ${count(baseline.errorRateMinDeltaPercent)}))`,
    thresholds,
    countShortfall: true,
  });
  return { ...judged, blue: counts };
}

/**
 * Green against blue over the same window: `max(blue x ratio, blue + minDelta)`. When blue has too little
 * traffic for a latency baseline (at 100 % green it has none), the run's remembered one (`remembered`, the
 * latest blue window with enough requests) stands in, and the reason says so.
 *
 * @example
 * assessBaseline(greenMeasure, blueMeasure, input.thresholds, window, state.status.blueLatency);
 */
export function assessBaseline(
  green: Measure,
  blue: Measure,
  thresholds: Thresholds,
  window: TimeWindow | null,
  remembered: BlueLatency | null
): Assessment[] {
  const { minRequests, baseline } = thresholds;
  const current = blueLatencyOf(blue, minRequests, window);
  const shortfall = latencyShortfall(blue, minRequests);
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
              : `remembered baseline ${millis(limitMs)} (${formula}; ${shortfall}, so blue from the window ending ${source.windowEnd} over ${count(source.samples)} requests)`;
          return judgeLatency({
            check: Check.BaselineLatencyAvg,
            scope: OVERALL_SCOPE,
            label: 'latency avg',
            requests: green.requests ?? 0,
            samples: green.latencySamples,
            valueMs: green.latencyAvgMs,
            limitMs,
            limitText,
            minRequests,
            countShortfall: true,
            missing: 'no latency average in the window',
          });
        })();
  return [baselineErrorRate(green, blue, thresholds), latencyAvg];
}

/**
 * Both baseline checks as Error: blue's reading failed, so the comparison could not be made.
 *
 * @example
 * unavailableBaseline('Throttling'); // => [{ check: 'baselineErrorRate', verdict: 'Error', … }, { check: 'baselineLatencyAvg', … }]
 */
export function unavailableBaseline(reason: string): Assessment[] {
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
