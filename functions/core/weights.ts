/**
 * Green percent <-> Route 53 weights, and comparisons against what Route 53 holds.
 * Route 53 weights are integers 0..255 and a record's share is its weight over the group's sum;
 * if every weight in a group is 0, Route 53 splits traffic equally, so a pair must never be 0/0.
 */

import { canonicalRecordName } from './names.ts';
import type { PairWeights, RecordSet, WeightedPair } from './types.ts';

/**
 * Route 53's largest weight.
 *
 * @example
 * weightScale(pairWith({ blue: 300, green: 0 })) <= MAX_WEIGHT; // => true (scales are clamped)
 */
export const MAX_WEIGHT = 255;
/**
 * The smallest scale we write: 100 makes every whole percent exact.
 *
 * @example
 * weightScale(pairWith({ blue: 1, green: 0 })); // => MIN_WEIGHT_SCALE
 */
export const MIN_WEIGHT_SCALE = 100;

/** What identifies a pair across reads: one hosted zone, one name, one type. */
type PairKey = Pick<PairWeights, 'hostedZoneId' | 'name' | 'type'>;

function keyOf(pair: PairKey): string {
  return `${pair.hostedZoneId} ${pair.name} ${pair.type}`;
}

function labelOf(pair: PairKey): string {
  return `${pair.name} ${pair.type} in ${pair.hostedZoneId}`;
}

/**
 * The sum of the two weights this run writes for a pair: the snapshot's own sum when it is within
 * 100..255 (so a shift keeps the owner's granularity), else 100 (too coarse, including 0/0) or 255
 * (the largest a single weight may be, since one side holds the whole sum at 0 % and 100 %).
 *
 * @example
 * weightScale(pairWith({ blue: 200, green: 55 })); // => 255
 * weightScale(pairWith({ blue: 1, green: 0 })); // => 100
 */
export function weightScale(pair: WeightedPair): number {
  const sum = pair.blue.Weight + pair.green.Weight;
  return Math.min(MAX_WEIGHT, Math.max(MIN_WEIGHT_SCALE, sum));
}

/**
 * Absolute weights for `greenPercent` on one pair.
 *
 * Rounding: the percent is first rounded to tenths (the input allows one decimal), then
 * `green = round-half-up(tenths x scale / 1000)` in integer arithmetic, so the result never depends on
 * floating-point dust; `blue = scale - green`. 0 % and 100 % are exact (green 0 / blue scale and green
 * scale / blue 0). Strictly between, both sides get at least 1: a 0.1 % canary still reaches green,
 * and 99.9 % still keeps blue in the answer set. The sum is always the scale (>= 100), so never 0/0.
 * Green's weight never decreases as the percent grows.
 *
 * @throws RangeError when `greenPercent` is not a number in 0..100.
 * @example
 * weightsFor(pairWith({ blue: 100, green: 0 }), 12.5); // => { ..., blueWeight: 87, greenWeight: 13 }
 * weightsFor(pairWith({ blue: 255, green: 0 }), 0.1); // => { ..., blueWeight: 254, greenWeight: 1 }
 */
export function weightsFor(pair: WeightedPair, greenPercent: number): PairWeights {
  if (!(greenPercent >= 0 && greenPercent <= 100)) {
    throw new RangeError(`weightsFor: greenPercent must be in 0..100 (got ${greenPercent})`);
  }
  const scale = weightScale(pair);
  const tenths = Math.round(greenPercent * 10);
  const rounded = Math.floor((tenths * scale + 500) / 1000);
  const interior = greenPercent > 0 && greenPercent < 100;
  // Strictly between 0 and 100 both records stay in the answer set: weight 0 would silently mean 0 %/100 %.
  const greenWeight = interior ? Math.min(scale - 1, Math.max(1, rounded)) : rounded;
  return {
    hostedZoneId: pair.hostedZoneId,
    name: pair.name,
    type: pair.type,
    blueWeight: scale - greenWeight,
    greenWeight,
  };
}

/**
 * Green's real share of the pair's weighted group in percent (unrounded): Route 53 shares traffic over every
 * record of the name and type (API_ResourceRecordSet `Weight`), so the group's other records count in the sum.
 * All weights 0 makes Route 53 answer with every record equally often (50 % for a lone pair).
 *
 * @example
 * percentOf({ blueWeight: 90, greenWeight: 10 }); // => 10
 * percentOf(pairWith({ blue: 229, green: 26 })); // => 10.196…
 * percentOf({ ...pairWith({ blue: 0, green: 100 }), others: [{ SetIdentifier: 'x', Weight: 10 }] }); // => 90.909…
 */
export function percentOf(
  pairOrWeights: WeightedPair | Pick<PairWeights, 'blueWeight' | 'greenWeight'>
): number {
  const { blueWeight, greenWeight } =
    'blue' in pairOrWeights
      ? { blueWeight: pairOrWeights.blue.Weight, greenWeight: pairOrWeights.green.Weight }
      : pairOrWeights;
  // Simple (non-weighted) records sharing the name carry no weight: they are refused in preflight.
  const otherWeights = ('blue' in pairOrWeights ? (pairOrWeights.others ?? []) : []).flatMap(
    (other) => (other.Weight === null ? [] : [other.Weight])
  );
  const sum = blueWeight + greenWeight + otherWeights.reduce((total, weight) => total + weight, 0);
  return sum === 0 ? 100 / (2 + otherWeights.length) : (100 * greenWeight) / sum;
}

/**
 * Where a run starts: the smallest green percent among the pairs, so that a step is skipped only when
 * every pair is already at or beyond it. 0 for no pairs.
 *
 * @example
 * startGreenPercent([pairAt10Percent, pairAt30Percent]); // => 10
 */
export function startGreenPercent(snapshot: readonly WeightedPair[]): number {
  return snapshot.length === 0 ? 0 : Math.min(...snapshot.map((pair) => percentOf(pair)));
}

/**
 * The weights the snapshot holds, as a write would set them (restoring them means re-sending the records).
 *
 * @example
 * snapshotWeights(snapshot); // => [{ hostedZoneId: 'Z1', name: 'api.example.com', type: 'A', blueWeight: 100, greenWeight: 0 }]
 */
export function snapshotWeights(snapshot: readonly WeightedPair[]): PairWeights[] {
  return snapshot.map((pair) => ({
    hostedZoneId: pair.hostedZoneId,
    name: pair.name,
    type: pair.type,
    blueWeight: pair.blue.Weight,
    greenWeight: pair.green.Weight,
  }));
}

/**
 * How the weights Route 53 holds differ from the ones this run last wrote (or found): one line per
 * difference, empty when none. Another record of the pair's weighted group with weight > 0 is a difference. Someone else changing the weights mid-run is drift: writing over it
 * would silently undo their change.
 *
 * @example
 * findDrift([pairWith({ blue: 70, green: 30 })], [{ ...key, blueWeight: 90, greenWeight: 10 }]);
 * // => ['api.example.com A in Z1: blue weight 70 (expected 90), green weight 30 (expected 10)']
 */
export function findDrift(
  actual: readonly WeightedPair[],
  expected: readonly PairWeights[]
): string[] {
  const found = new Map(actual.map((pair) => [keyOf(pair), pair]));
  const wanted = new Set(expected.map(keyOf));
  const differences = expected.flatMap((weights) => {
    const pair = found.get(keyOf(weights));
    if (pair === undefined) return [`${labelOf(weights)}: record pair missing`];
    const parts: string[] = [];
    if (pair.blue.Weight !== weights.blueWeight) {
      parts.push(`blue weight ${pair.blue.Weight} (expected ${weights.blueWeight})`);
    }
    if (pair.green.Weight !== weights.greenWeight) {
      parts.push(`green weight ${pair.green.Weight} (expected ${weights.greenWeight})`);
    }
    // Another record of the group gaining weight changes the real share as much as a changed blue or green.
    for (const other of pair.others ?? []) {
      if ((other.Weight ?? 0) > 0) {
        parts.push(`other record "${other.SetIdentifier}" weight ${other.Weight} (expected 0)`);
      }
    }
    return parts.length === 0 ? [] : [`${labelOf(weights)}: ${parts.join(', ')}`];
  });
  const unexpected = actual
    .filter((pair) => !wanted.has(keyOf(pair)))
    .map((pair) => `${labelOf(pair)}: not expected`);
  return [...differences, ...unexpected];
}

/** DNS names compare case-insensitively and with or without the root dot. */
function normaliseDnsName(name: string): string {
  return canonicalRecordName(name);
}

/** Every attribute an UPSERT of the snapshot re-sends, in a form that compares with `===`. */
function restoredAttributes(record: RecordSet): Record<string, string> {
  return {
    SetIdentifier: record.SetIdentifier,
    Weight: String(record.Weight),
    TTL: String(record.TTL),
    // Route 53 may list a record's values in any order; the set is what counts.
    ResourceRecords: JSON.stringify(record.ResourceRecords?.map((rr) => rr.Value).sort()),
    AliasTarget: JSON.stringify(
      record.AliasTarget && {
        HostedZoneId: record.AliasTarget.HostedZoneId,
        DNSName: normaliseDnsName(record.AliasTarget.DNSName),
        EvaluateTargetHealth: record.AliasTarget.EvaluateTargetHealth,
      }
    ),
    HealthCheckId: String(record.HealthCheckId),
  };
}

function recordDifferences(
  side: 'blue' | 'green',
  actual: RecordSet,
  snapshot: RecordSet
): string[] {
  const now = restoredAttributes(actual);
  const then = restoredAttributes(snapshot);
  return Object.keys(then)
    .filter((attribute) => now[attribute] !== then[attribute])
    .map((attribute) => `${side} ${attribute} ${now[attribute]} (snapshot ${then[attribute]})`);
}

/**
 * How the records differ from the snapshot in anything a restore re-sends (Weight, TTL, ResourceRecords,
 * AliasTarget, HealthCheckId, and the SetIdentifier that pairs them): one line per pair, empty when
 * the records are at the snapshot. `undefined` prints as `undefined`.
 *
 * @example
 * snapshotDifferences([pairWith({ blue: 90, green: 10 })], [pairWith({ blue: 100, green: 0 })]);
 * // => ['api.example.com A in Z1: blue Weight 90 (snapshot 100), green Weight 10 (snapshot 0)']
 */
export function snapshotDifferences(
  actual: readonly WeightedPair[],
  snapshot: readonly WeightedPair[]
): string[] {
  const found = new Map(actual.map((pair) => [keyOf(pair), pair]));
  return snapshot.flatMap((pair) => {
    const current = found.get(keyOf(pair));
    if (current === undefined) return [`${labelOf(pair)}: record pair missing`];
    const parts = [
      ...recordDifferences('blue', current.blue, pair.blue),
      ...recordDifferences('green', current.green, pair.green),
    ];
    return parts.length === 0 ? [] : [`${labelOf(pair)}: ${parts.join(', ')}`];
  });
}

/**
 * Whether the records are exactly as in the snapshot in everything a restore re-sends, so a restore
 * can be skipped. Alias DNS names compare case-insensitively and without the root dot; record values
 * compare as a set.
 *
 * @example
 * isAtSnapshot(readPairsResult, state.snapshot); // => true after a completed rollback
 */
export function isAtSnapshot(
  actual: readonly WeightedPair[],
  snapshot: readonly WeightedPair[]
): boolean {
  return snapshotDifferences(actual, snapshot).length === 0;
}
