/**
 * The TTL resolvers really cache a record's answer for. Route 53 DG "Choosing between alias and non-alias
 * records": an alias to an AWS resource takes the resource's default TTL (60 s for ELB and S3 website
 * endpoints, Route 53 FAQ), and an alias to another record in the same hosted zone takes that record's TTL.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { PreflightFailedError } from '../core/errors.ts';
import { canonicalRecordName, canonicalZoneId, displayRecordName } from '../core/names.ts';
import { ALIAS_TTL_SECONDS } from '../core/run.ts';

/**
 * Alias chains longer than this are refused. Route 53 allows an alias to an alias in the same zone; a real
 * chain has one or two hops, so a deep one is a mistake (or a loop the visited set did not catch).
 */
export const MAX_ALIAS_DEPTH = 8;

/** Lists the records of one name and type in one hosted zone (a weighted group may hold several). */
export type ListGroup = (
  zoneId: string,
  name: string,
  type: string
) => Promise<ResourceRecordSet[]>;

/**
 * The effective TTL of `record` in `zoneId`: its own TTL, or for an alias the largest effective TTL among
 * the same-zone records of the target's name and type (a weighted target answers with any of them),
 * followed through alias chains; an alias to another zone (an AWS resource: ELB, CloudFront, S3, ...) is
 * taken as 60 s.
 *
 * When `inherited` is given, it also collects the health checks the record inherits: an alias with
 * `EvaluateTargetHealth` takes the health of the same-zone records it points to (API AliasTarget), so their
 * `HealthCheckId`s (and, through a target that evaluates its own target, theirs) decide whether it is healthy.
 *
 * @throws PreflightFailedError when a same-zone alias target does not exist, loops, or chains deeper than
 *   {@link MAX_ALIAS_DEPTH}.
 */
export async function effectiveTtlOf(
  record: Pick<ResourceRecordSet, 'Name' | 'TTL' | 'AliasTarget'>,
  zoneId: string,
  type: string,
  listGroup: ListGroup,
  seen: readonly string[] = [],
  inherited?: Set<string>
): Promise<number> {
  const alias = record.AliasTarget;
  if (!alias) return record.TTL ?? 0;
  if (canonicalZoneId(alias.HostedZoneId ?? '') !== canonicalZoneId(zoneId))
    return ALIAS_TTL_SECONDS;
  const target = canonicalRecordName(alias.DNSName ?? '');
  const chain = [...seen, canonicalRecordName(record.Name ?? '')];
  const describe = () => [...chain, target].map(displayRecordName).join(' -> ');
  if (chain.includes(target)) {
    throw new PreflightFailedError(`alias loop: ${describe()} (${type} in ${zoneId})`);
  }
  if (chain.length > MAX_ALIAS_DEPTH) {
    throw new PreflightFailedError(
      `alias chain longer than ${MAX_ALIAS_DEPTH}: ${describe()} (${type} in ${zoneId})`
    );
  }
  const targets = await listGroup(zoneId, target, type);
  if (targets.length === 0) {
    throw new PreflightFailedError(
      `alias target not found: ${describe()} has no ${type} record in hosted zone ${canonicalZoneId(zoneId)}, so its TTL is unknown`
    );
  }
  const collect = alias.EvaluateTargetHealth === true ? inherited : undefined;
  let longest = 0;
  for (const next of targets) {
    if (collect && next.HealthCheckId) collect.add(next.HealthCheckId);
    longest = Math.max(
      longest,
      await effectiveTtlOf(next, zoneId, type, listGroup, chain, collect)
    );
  }
  return longest;
}
