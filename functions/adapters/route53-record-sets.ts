/** Route 53 record sets as read and as re-sent: keys, labels, the UPSERT of a whole record, weight rules. */
import type { Change, ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import { canonicalRecordName, canonicalZoneId, displayRecordName } from '../core/names.ts';
import type { GroupRecord, PairWeights, RecordSet, WeightedPair } from '../core/types.ts';

/** Route 53 `Weight` range (API_ResourceRecordSet). */
const MAX_WEIGHT = 255;

export function pairKey(zoneId: string, name: string, type: string): string {
  return `${canonicalZoneId(zoneId)} ${canonicalRecordName(name)} ${type}`;
}

/** For people: `*.example.com A in hosted zone Z1` (Route 53 lists the wildcard as `\052.example.com.`). */
export function describeRef(ref: { hostedZoneId: string; name: string; type: string }): string {
  return `${displayRecordName(ref.name)} ${ref.type} in hosted zone ${canonicalZoneId(ref.hostedZoneId)}`;
}

export function toGroupRecord(record: ResourceRecordSet): GroupRecord {
  return {
    SetIdentifier: record.SetIdentifier ?? null,
    Weight: record.Weight ?? null,
    ...(record.HealthCheckId ? { HealthCheckId: record.HealthCheckId } : {}),
    ...(record.TrafficPolicyInstanceId
      ? { TrafficPolicyInstanceId: record.TrafficPolicyInstanceId }
      : {}),
  };
}

/**
 * Copies the attributes we re-send as plain JSON. An alias record never carries a TTL: AWS omits it
 * and rejects an UPSERT with both (InvalidInput), while moto 5.2.1 lists aliases with `TTL: 0`.
 */
export function toRecordSet(
  record: ResourceRecordSet & { SetIdentifier: string; Weight: number }
): RecordSet {
  const out: RecordSet = {
    Name: record.Name ?? '',
    Type: record.Type ?? '',
    SetIdentifier: record.SetIdentifier,
    Weight: record.Weight,
  };
  if (record.AliasTarget) {
    out.AliasTarget = {
      HostedZoneId: record.AliasTarget.HostedZoneId ?? '',
      DNSName: record.AliasTarget.DNSName ?? '',
      EvaluateTargetHealth: record.AliasTarget.EvaluateTargetHealth ?? false,
    };
  } else if (record.TTL !== undefined) {
    out.TTL = record.TTL;
  }
  if (record.ResourceRecords && record.ResourceRecords.length > 0) {
    out.ResourceRecords = record.ResourceRecords.map((value) => ({ Value: value.Value ?? '' }));
  }
  if (record.HealthCheckId) out.HealthCheckId = record.HealthCheckId;
  return out;
}

export function upsert(record: RecordSet, weight: number = record.Weight): Change {
  // UPSERT replaces the whole record: re-send everything as read, only the weight differs.
  return {
    Action: 'UPSERT',
    ResourceRecordSet: { ...structuredClone(record), Type: record.Type as RRType, Weight: weight },
  };
}

/** Groups items by bare hosted zone ID, keeping the order in which zones first appear. */
export function byZone<T>(items: readonly T[], zoneOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const zone = canonicalZoneId(zoneOf(item));
    const group = groups.get(zone);
    if (group) group.push(item);
    else groups.set(zone, [item]);
  }
  return groups;
}

/**
 * What makes a set of absolute weights unwritable, checked before any call: a pair not read, a pair given
 * twice, a weight outside 0..255, both weights 0.
 */
export function weightProblems(
  pairs: ReadonlyMap<string, WeightedPair>,
  weights: readonly PairWeights[]
): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const weight of weights) {
    const key = pairKey(weight.hostedZoneId, weight.name, weight.type);
    const label = describeRef(weight);
    if (!pairs.has(key)) problems.push(`${label}: not among the records read`);
    if (seen.has(key)) problems.push(`${label}: given twice`);
    seen.add(key);
    for (const [side, value] of [
      ['blue', weight.blueWeight],
      ['green', weight.greenWeight],
    ] as const) {
      if (!Number.isInteger(value) || value < 0 || value > MAX_WEIGHT) {
        problems.push(
          `${label}: ${side} weight ${value} is not an integer from 0 to ${MAX_WEIGHT}`
        );
      }
    }
    if (weight.blueWeight === 0 && weight.greenWeight === 0) {
      // All weights 0 makes Route 53 split traffic evenly: never a valid target.
      problems.push(`${label}: blue and green weights are both 0`);
    }
  }
  return problems;
}
