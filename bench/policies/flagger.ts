/**
 * A Flagger-style reference, modelled from Flagger's documentation and source (fluxcd/flagger):
 * - the analysis from docs "How it works": `interval: 1m`, `threshold: 10`, `maxWeight: 50`, `stepWeight: 5`,
 *   metrics `request-success-rate` (thresholdRange min 99, i.e. 5xx <= 1 %) and `request-duration`
 *   (thresholdRange max; here the average TargetResponseTime, AWS/ECS publishes no p99);
 * - pkg/controller/scheduler.go, once per interval: if failed checks >= threshold -> roll back; else run the
 *   checks: any failing check (a breach, or "no values found") increments the cumulative failed-checks
 *   counter and halts advancement; all passing -> weight += stepWeight; at maxWeight with passing checks ->
 *   promote (copy the spec to primary), next tick route all traffic to the new version, then finalise.
 *   Analysis stops once promoting: a regression that appears after that is not seen;
 * - pkg/metrics/providers/cloudwatch.go: GetMetricData from now - 10 x metric interval to now, the first
 *   value of the first result, i.e. the newest published datapoint; none -> ErrNoValuesFound, a failed check.
 * Traffic moves through the same Route 53 world as ours (INSYNC + TTL), so only the decision policy differs.
 */
import type { World } from '../traffic.ts';
import { type Policy, type PolicyRun, rollBack, SIMULATION_CAP_MS } from './policy.ts';

export interface FlaggerOptions {
  intervalSeconds: number;
  threshold: number;
  maxWeight: number;
  stepWeight: number;
  /** request-success-rate thresholdRange min, percent. */
  minSuccessRatePercent: number;
  /** request-duration thresholdRange max, milliseconds. */
  maxLatencyMs: number;
}

export const FLAGGER_DEFAULTS: FlaggerOptions = {
  intervalSeconds: 60,
  threshold: 10,
  maxWeight: 50,
  stepWeight: 5,
  minSuccessRatePercent: 99,
  maxLatencyMs: 130,
};

/** cloudWatchStartDeltaMultiplierOnMetricInterval in Flagger's CloudWatch provider. */
const LOOKBACK_INTERVALS = 10;

export function flaggerPolicy(options: FlaggerOptions = FLAGGER_DEFAULTS): Policy {
  return {
    name: 'Flagger-style',
    parameters: [
      `interval ${options.intervalSeconds} s, threshold ${options.threshold} failed checks (cumulative), stepWeight ${options.stepWeight} %, maxWeight ${options.maxWeight} %, then promotion to 100 % (analysis ends)`,
      `checks: success rate >= ${options.minSuccessRatePercent} % and average latency <= ${options.maxLatencyMs} ms on the newest CloudWatch datapoint of the last ${LOOKBACK_INTERVALS} intervals; no value -> failed check`,
    ],
    run(world: World, startMs: number): PolicyRun {
      const intervalMs = options.intervalSeconds * 1_000;
      const lookbackMs = LOOKBACK_INTERVALS * intervalMs;
      let weight = 0;
      let failedChecks = 0;
      let phase: 'progressing' | 'promoting' | 'finalising' = 'progressing';
      let judgements = 0;
      for (let t = startMs; t - startMs <= SIMULATION_CAP_MS; t += intervalMs) {
        if (phase === 'finalising') {
          return {
            outcome: 'completed',
            decidedAtMs: t,
            rollbackCompleteMs: null,
            trigger: null,
            reason: `promoted with ${failedChecks} failed checks`,
            judgements,
          };
        }
        if (phase === 'promoting') {
          world.write(t, 100);
          phase = 'finalising';
          continue;
        }
        if (failedChecks >= options.threshold) {
          return rollBack(
            world,
            t,
            'failed-checks',
            `failed checks threshold reached ${failedChecks}`,
            judgements
          );
        }
        if (weight === 0) {
          // First tick: no traffic on the canary yet, so no analysis; start shifting.
          weight = options.stepWeight;
          world.write(t, weight);
          continue;
        }
        judgements += 1;
        const datapoint = world.newestDatapoint('green', t, lookbackMs);
        const passed =
          datapoint !== null &&
          100 - (100 * datapoint.http5xx) / datapoint.requests >= options.minSuccessRatePercent &&
          (datapoint.latencyAvgMs ?? 0) <= options.maxLatencyMs;
        if (!passed) {
          failedChecks += 1;
          continue;
        }
        if (weight < options.maxWeight) {
          weight = Math.min(options.maxWeight, weight + options.stepWeight);
          world.write(t, weight);
        } else {
          phase = 'promoting';
        }
      }
      return {
        outcome: 'held',
        decidedAtMs: startMs + SIMULATION_CAP_MS,
        rollbackCompleteMs: null,
        trigger: null,
        reason: 'still analysing',
        judgements,
      };
    },
  };
}
