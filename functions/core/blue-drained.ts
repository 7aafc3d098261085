/**
 * Blue drained at 100 % green: once a judged look at 100 % finds blue below `minRequests`, blue is not read
 * again in the run (GetMetricData bills every metric requested). At 100 % blue's weight is 0 on every
 * record: what it still serves comes from clients that ignore DNS, and only drains. Below `minRequests`
 * blue's baseline checks take the "no baseline" path (baseline.ts) and its sequential test is not run, so a
 * look judges blue as read with no datapoints (`drainedBlueReading`), the same for every decision.
 */
import { combineMeasures, measureOf } from './measure.ts';
import type { DiscoveryTarget, MetricReading, ShiftStatus, TimeWindow } from './types.ts';

/**
 * Whether this look skips blue's read: green at 100 % and blue found drained by an earlier look.
 *
 * @example
 * isBlueDrained({ ...status, greenPercent: 100, blueDrainedFrom: '2026-01-01T10:20:00.000Z' }); // => true
 */
export function isBlueDrained(
  status: Pick<ShiftStatus, 'greenPercent' | 'blueDrainedFrom'>
): boolean {
  return status.greenPercent >= 100 && typeof status.blueDrainedFrom === 'string';
}

/**
 * What the adapter returns for blue's names when none has a datapoint in the window
 * (adapters/service-connect-samples.ts `samplesOf`): what a look judges in place of a drained blue's read.
 *
 * @example
 * drainedBlueReading([{ discoveryName: 'orders-blue' }]); // => { kind: 'ok', services: [{ discoveryName: 'orders-blue', http2xx: null, … }] }
 */
export function drainedBlueReading(targets: readonly DiscoveryTarget[]): MetricReading {
  return {
    kind: 'ok',
    services: targets.map((target) => ({
      ...target,
      http2xx: null,
      http3xx: null,
      http4xx: null,
      http5xx: null,
      requestCount: null,
      latencySampleCount: null,
      latencyAvgMs: null,
      latencyMaxMs: null,
      latencyP99Ms: null,
      periodStarts: [],
      periods: [],
      byPeriod: [],
    })),
  };
}

/**
 * The status's `blueDrainedFrom` after a judged look at `status.greenPercent` that read `blue` (null: not
 * read) over `window`: kept once set; set to the window's end when the look is at 100 % and blue's read
 * came back with fewer than `minRequests` requests (no datapoint counts as none); null below 100 %, where
 * blue still has weight. Only a rollback takes green below 100 %, and it ends the run.
 *
 * @example
 * blueDrainedFrom({ status, blue: quietBlue, window, minRequests: 50 }); // => window.end at 100 %
 */
export function blueDrainedFrom(args: {
  status: Pick<ShiftStatus, 'greenPercent' | 'blueDrainedFrom'>;
  blue: MetricReading | null;
  window: TimeWindow;
  minRequests: number;
}): string | null {
  const { status, blue, window, minRequests } = args;
  if (status.greenPercent < 100) return null;
  if (isBlueDrained(status)) return status.blueDrainedFrom as string;
  if (blue === null || blue.kind === 'unavailable') return null;
  const requests = combineMeasures(blue.services.map(measureOf)).requests ?? 0;
  return requests < minRequests ? window.end : null;
}
