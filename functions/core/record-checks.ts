/**
 * What Preflight checks on the records as read, before anything is written: each rule is one of Route 53's
 * (sources in docs/design.md "Record rules"). Every function returns one line per problem, naming the record
 * and the numbers; an empty list means the records may be shifted.
 */
import type { MigrationInput } from './input.ts';
import { canonicalRecordName, canonicalZoneId, displayRecordName } from './names.ts';
import { ALIAS_TTL_SECONDS } from './run.ts';
import type { HealthCheckReport, RecordSet, WeightedPair } from './types.ts';
import { weightScale } from './weights.ts';

/** ChangeResourceRecordSets: at most 1,000 ResourceRecord elements per request (Route 53 quotas). */
export const MAX_BATCH_RECORD_ELEMENTS = 1_000;
/** ChangeResourceRecordSets: at most 32,000 characters summed over every Value (Route 53 quotas). */
export const MAX_BATCH_VALUE_CHARACTERS = 32_000;
/** An UPSERT counts each element and each character twice (API_ChangeResourceRecordSets). */
export const UPSERT_FACTOR = 2;
/**
 * Route 53 considers an endpoint healthy when more than 18 % of its health checkers report it healthy
 * (DG "How Amazon Route 53 determines whether a health check is healthy").
 */
export const HEALTHY_CHECKER_SHARE = 0.18;

function label(pair: Pick<WeightedPair, 'hostedZoneId' | 'name' | 'type'>): string {
  return `${displayRecordName(pair.name)} ${pair.type} in ${canonicalZoneId(pair.hostedZoneId)}`;
}

function sideTtl(pair: WeightedPair, side: 'blue' | 'green'): number {
  return pair.effectiveTtlSeconds?.[side] ?? pair[side].TTL ?? ALIAS_TTL_SECONDS;
}

function describeTtl(record: RecordSet, ttl: number): string {
  return record.AliasTarget
    ? `${ttl}s (alias to ${displayRecordName(record.AliasTarget.DNSName)})`
    : `${ttl}s`;
}

/**
 * TTL rules. The effective TTL (an alias serves its same-zone target's TTL, 60 s for an AWS resource) must
 * not exceed `dns.maxTtlSeconds`, and blue and green must serve the same TTL: Route 53 keeps one TTL per
 * weighted group of non-alias records, and advises TTL 60 on the non-alias side of a group with an ELB alias
 * because another value "will change the effect of the values that you specify for Weight". A mixed
 * alias/non-alias pair is accepted when the TTLs agree.
 *
 * @example
 * ttlProblems(input, [pairWithTtl(3600)]); // => ['api.example.com A in Z1 blue: TTL 3600s > dns.maxTtlSeconds (300s); ...']
 */
export function ttlProblems(
  input: Pick<MigrationInput, 'dns'>,
  pairs: readonly WeightedPair[]
): string[] {
  const max = input.dns.maxTtlSeconds;
  return pairs.flatMap((pair) => {
    if (pair.ttlProblems && pair.ttlProblems.length > 0) {
      return pair.ttlProblems.map((problem) => `${label(pair)}: ${problem}`);
    }
    const problems: string[] = [];
    const ttl = { blue: sideTtl(pair, 'blue'), green: sideTtl(pair, 'green') };
    for (const side of ['blue', 'green'] as const) {
      if (ttl[side] > max) {
        const target = pair[side].AliasTarget;
        // An alias to another zone points at an AWS resource (ELB, CloudFront, ...): its TTL is the resource's.
        const fixed =
          target !== undefined &&
          canonicalZoneId(target.HostedZoneId) !== canonicalZoneId(pair.hostedZoneId);
        problems.push(
          `${label(pair)} ${side} "${pair[side].SetIdentifier}": TTL ${describeTtl(pair[side], ttl[side])} > dns.maxTtlSeconds (${max}s); ${
            fixed
              ? `an alias to an AWS resource serves the resource's TTL, which cannot be lowered: raise dns.maxTtlSeconds to at least ${ttl[side]}`
              : 'lower it first'
          }, resolvers keep the old weights that long after each shift and rollback`
        );
      }
    }
    if (ttl.blue !== ttl.green) {
      problems.push(
        `${label(pair)}: blue TTL ${describeTtl(pair.blue, ttl.blue)} != green TTL ${describeTtl(pair.green, ttl.green)}; resolvers cache each answer for its own TTL, which skews the weights (Route 53 keeps one TTL per weighted group and advises TTL 60 beside an ELB alias)`
      );
    }
    return problems;
  });
}

/**
 * The weighted group is every record of the name and type. Others with weight > 0 take a share of the traffic
 * this run would report as green's or blue's: refused, naming them. Others with weight 0 are left untouched
 * (they are never written) and do not change the share. Records a traffic policy created must not be
 * UPSERTed (Route 53 DG "Traffic flow": edit the policy instead).
 *
 * @example
 * groupProblems([{ ...pair, others: [{ SetIdentifier: 'legacy', Weight: 10 }] }]);
 * // => ['api.example.com A in Z1: other weighted records carry weight: "legacy" (10); ...']
 */
export function groupProblems(pairs: readonly WeightedPair[]): string[] {
  return pairs.flatMap((pair) => {
    const problems: string[] = [];
    const weighted = (pair.others ?? []).flatMap((other) =>
      other.Weight !== null && other.Weight > 0 ? [{ ...other, Weight: other.Weight }] : []
    );
    if (weighted.length > 0) {
      const others = weighted.reduce((sum, other) => sum + other.Weight, 0);
      // At 100 % the run writes green = the weight scale (weightsFor), whatever blue + green are now.
      const green = weightScale(pair);
      problems.push(
        `${label(pair)}: other records of the weighted group carry weight: ${weighted.map((other) => `"${other.SetIdentifier}" (${other.Weight})`).join(', ')}; Route 53 shares traffic over every record of the name and type, so green at 100% would get ${((100 * green) / (green + others)).toFixed(1)}%; set them to 0 or remove them first`
      );
    }
    const simple = (pair.others ?? []).filter((other) => other.Weight === null);
    if (simple.length > 0) {
      problems.push(
        `${label(pair)}: ${simple.length} non-weighted record(s) share the name and type; Route 53 does not allow mixing them with weighted records`
      );
    }
    for (const side of ['blue', 'green'] as const) {
      const instance = pair.trafficPolicyInstanceIds?.[side];
      if (instance !== undefined) {
        problems.push(
          `${label(pair)} ${side} "${pair[side].SetIdentifier}": created by traffic policy instance ${instance}; Route 53 records of a traffic policy must not be changed directly (update the traffic policy instead)`
        );
      }
    }
    return problems;
  });
}

/**
 * Size of the change batch a shift or a rollback sends per hosted zone: every record re-sent by UPSERT, so
 * each ResourceRecord element and each character of its Value counts twice. An alias has no ResourceRecord.
 *
 * @example
 * changeBatchSizes([pairWithTenValues]); // => [{ hostedZoneId: 'Z1', elements: 40, characters: ... }]
 */
export function changeBatchSizes(
  pairs: readonly Pick<WeightedPair, 'hostedZoneId' | 'blue' | 'green'>[]
): { hostedZoneId: string; pairs: number; elements: number; characters: number }[] {
  const zones = new Map<string, { pairs: number; elements: number; characters: number }>();
  for (const pair of pairs) {
    const zone = canonicalZoneId(pair.hostedZoneId);
    const size = zones.get(zone) ?? { pairs: 0, elements: 0, characters: 0 };
    for (const record of [pair.blue, pair.green]) {
      const values = record.ResourceRecords ?? [];
      size.elements += UPSERT_FACTOR * values.length;
      size.characters += UPSERT_FACTOR * values.reduce((sum, value) => sum + value.Value.length, 0);
    }
    size.pairs += 1;
    zones.set(zone, size);
  }
  return [...zones].map(([hostedZoneId, size]) => ({ hostedZoneId, ...size }));
}

/**
 * A zone whose shift (or rollback) batch Route 53 would reject for its size: refused before the first write,
 * since a batch cannot be split without losing the all-or-nothing move of blue and green.
 *
 * @example
 * batchSizeProblems(twentySixPairsOfTenValues); // => ['hosted zone Z1: a shift or rollback batch of 26 pairs holds 1040 ResourceRecord elements ...']
 */
export function batchSizeProblems(
  pairs: readonly Pick<WeightedPair, 'hostedZoneId' | 'blue' | 'green'>[]
): string[] {
  return changeBatchSizes(pairs).flatMap((zone) =>
    zone.elements > MAX_BATCH_RECORD_ELEMENTS || zone.characters > MAX_BATCH_VALUE_CHARACTERS
      ? [
          `hosted zone ${zone.hostedZoneId}: a shift or rollback batch of ${zone.pairs} pairs holds ${zone.elements} ResourceRecord elements (limit ${MAX_BATCH_RECORD_ELEMENTS}) and ${zone.characters} characters of values (limit ${MAX_BATCH_VALUE_CHARACTERS}), UPSERT counting each twice; Route 53 would reject it, split the records into several migrations`,
        ]
      : []
  );
}

/** Every health check on blue or green, or inherited by them from an alias target, once each. */
export function healthCheckIdsOf(pairs: readonly WeightedPair[]): string[] {
  return [
    ...new Set(
      pairs.flatMap((pair) => [
        ...[pair.blue.HealthCheckId, pair.green.HealthCheckId].filter(
          (id): id is string => id !== undefined
        ),
        ...(pair.aliasTargetHealthCheckIds ?? []),
      ])
    ),
  ];
}

/**
 * Health checks that Route 53 would consider unhealthy now: 18 % or fewer of the checkers' latest reports
 * start with `Success` (no report at all counts as failing: nothing says it is healthy). When every non-zero-
 * weight record of a group is unhealthy Route 53 answers with the zero-weight ones, so a rollback to blue
 * 100 % would send traffic to green (DG "How Amazon Route 53 chooses records when health checking is
 * configured"). A calculated health check (`statuses: null`) cannot be read this way and is not judged.
 *
 * @example
 * healthProblems([{ healthCheckId: 'hc-1', statuses: ['Failure: timeout', 'Failure: timeout'] }]);
 * // => ['health check hc-1 is failing: 0 of 2 checkers report Success; ...']
 */
export function healthProblems(reports: readonly HealthCheckReport[]): string[] {
  return reports.flatMap((report) => {
    if (report.statuses === null) return [];
    const healthy = report.statuses.filter((status) => status.startsWith('Success')).length;
    const total = report.statuses.length;
    return total > 0 && healthy / total > HEALTHY_CHECKER_SHARE
      ? []
      : [
          `health check ${report.healthCheckId} is failing: ${healthy} of ${total} checkers report Success (Route 53 needs more than ${HEALTHY_CHECKER_SHARE * 100}%); with a failing side Route 53 answers with the zero-weight records, so fix it first`,
        ];
  });
}

/** The record names and types the deployed write policy allows (template parameters RecordNames, RecordTypes). */
export interface DeployedPolicy {
  recordTypes?: readonly string[] | undefined;
  recordNames?: readonly string[] | undefined;
}

/**
 * Records the stack's IAM policy would not let the run write (the first UPSERT would fail with AccessDenied).
 * The condition (ForAllValues:StringEquals, exact and case-sensitive) compares each RecordNames and
 * RecordTypes entry as written with the canonical escaped name and the upper-case type Route 53 puts in the
 * keys, so the entries are compared as written too; one not in that form is named with the form to write.
 * An unset list is not checked.
 *
 * @example
 * deployedPolicyProblems(input, { recordTypes: ['A', 'AAAA'] }); // => ['records[0].type CNAME is not in the stack parameter RecordTypes (A, AAAA); ...']
 */
export function deployedPolicyProblems(
  input: Pick<MigrationInput, 'records'>,
  policy: DeployedPolicy
): string[] {
  const types = policy.recordTypes?.map((type) => type.trim()).filter(Boolean);
  const miscased = (entries: readonly string[], type: string) =>
    entries
      .filter((entry) => entry !== type && entry.toUpperCase() === type)
      .map((entry) => `; "${entry}" is not in the upper case IAM compares (write ${type})`)
      .join('');
  const names = policy.recordNames?.map((name) => name.trim()).filter(Boolean);
  const misspelt = (entries: readonly string[], name: string) =>
    entries
      .filter((entry) => entry !== name && canonicalRecordName(entry) === name)
      .map((entry) => `; "${entry}" is not in the normalised form IAM compares (write ${name})`)
      .join('');
  return input.records.flatMap((record, index) => {
    const problems: string[] = [];
    if (types && types.length > 0 && !types.includes(record.type)) {
      problems.push(
        `records[${index}].type ${record.type} is not in the stack parameter RecordTypes (${types.join(', ')})${miscased(types, record.type)}; add it and redeploy, or the first write is denied`
      );
    }
    const name = canonicalRecordName(record.name);
    if (names && names.length > 0 && !names.includes(name)) {
      problems.push(
        `records[${index}].name ${displayRecordName(name)} (${name}) is not in the stack parameter RecordNames (${names.join(', ')})${misspelt(names, name)}; add it and redeploy, or the first write is denied`
      );
    }
    return problems;
  });
}
