/** The data the report draws, prepared from a RunReport: green's share of the traffic over time. */
import type { WeightedPair } from '../../functions/core/types.ts';
import { percentOf } from '../../functions/core/weights.ts';
import type { RunReport } from '../rehearsal.ts';

/** Green's share of the first pair's group, in percent; null when there is no pair or both weights are 0. */
export function greenPercentOf(pairs: readonly WeightedPair[]): number | null {
  const [pair] = pairs;
  if (pair === undefined) return null;
  // The real share of the whole weighted group (Route 53 counts every record of the name and type).
  return pair.blue.Weight + pair.green.Weight === 0 ? null : percentOf(pair);
}

export interface GreenPoint {
  /** Epoch milliseconds. */
  t: number;
  percent: number;
}

/**
 * The green share over time as a step function: the snapshot's share at the start, each shift's percent
 * from its write, the snapshot's share again at a rollback or a restore, and the final share at the end.
 */
export function greenSeries(report: RunReport): GreenPoint[] {
  const start = Date.parse(report.startedAt);
  const end = Math.max(Date.parse(report.endedAt), start);
  const snapshotPercent = greenPercentOf(report.snapshot) ?? 0;
  const points: GreenPoint[] = [{ t: start, percent: snapshotPercent }];
  const markers = [...report.markers].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (const marker of markers) {
    const t = Date.parse(marker.at);
    if (marker.kind === 'shift') {
      const percent = Number.parseFloat(marker.label);
      if (Number.isFinite(percent)) points.push({ t, percent });
    }
    if (
      marker.kind === 'rollback' ||
      (marker.kind === 'recovery' && marker.label === 'snapshot restored')
    ) {
      points.push({ t, percent: snapshotPercent });
    }
  }
  const finalPercent = greenPercentOf(report.finalPairs) ?? points.at(-1)?.percent ?? 0;
  points.push({ t: Math.max(end, points.at(-1)?.t ?? end), percent: finalPercent });
  return points;
}
