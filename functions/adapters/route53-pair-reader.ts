/**
 * Reads blue/green weighted pairs from Route 53 for the `TrafficRouter` port: each pair verbatim with the rest
 * of its weighted group and each side's effective TTL, paging `ListResourceRecordSets` by hand. Apart from
 * the router's writes (route53-traffic-router.ts): reading is what Preflight, drift checks and restores share,
 * and its paging guards (moto repeats truncated pages) have nothing to do with building change batches.
 */
import {
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import { PreflightFailedError } from '../core/errors.ts';
import type { RecordRef } from '../core/input.ts';
import { canonicalRecordName, canonicalZoneId } from '../core/names.ts';
import type { WeightedPair } from '../core/types.ts';
import { effectiveTtlOf } from './route53-alias-ttl.ts';
import { translate } from './route53-errors.ts';
import { describeRef, toGroupRecord, toRecordSet } from './route53-record-sets.ts';

/**
 * Reads weighted pairs for the router (`Route53TrafficRouter.readPairs` delegates here).
 *
 * @example
 * const reader = new Route53PairReader(new Route53Client({}), 20, undefined);
 * const [pair] = await reader.readPairs(input.records);
 */
export class Route53PairReader {
  readonly #client: Route53Client;
  readonly #maxPages: number;
  readonly #maxItems: number | undefined;

  /** `maxPages` and `maxItems`: see `Route53TrafficRouterOptions` (route53-traffic-router.ts). */
  constructor(client: Route53Client, maxPages: number, maxItems: number | undefined) {
    this.#client = client;
    this.#maxPages = maxPages;
    this.#maxItems = maxItems;
  }

  /**
   * Reads each blue/green pair in full, verbatim, with the rest of its weighted group (Route 53 shares traffic
   * over every record of the name and type), the traffic policy that created a side if any, and each side's
   * effective TTL (an alias follows its same-zone target; see route53-alias-ttl.ts).
   *
   * @throws PreflightFailedError when a SetIdentifier is missing, its record is not weighted, or an alias
   *   target cannot be resolved.
   * @throws Route53NotFoundError when the hosted zone does not exist; Route53BusyError when throttled.
   */
  async readPairs(refs: readonly RecordRef[]): Promise<WeightedPair[]> {
    const pairs: WeightedPair[] = [];
    for (const ref of refs) {
      const zoneId = canonicalZoneId(ref.hostedZoneId);
      const group = await this.#listGroup(zoneId, ref.name, ref.type);
      const find = (setIdentifier: string, side: 'blue' | 'green'): ResourceRecordSet => {
        const record = group.find((candidate) => candidate.SetIdentifier === setIdentifier);
        if (!record) {
          throw new PreflightFailedError(
            `record not found: ${side} SetIdentifier "${setIdentifier}" of ${describeRef(ref)} does not exist ` +
              `(found: ${group.map((candidate) => `"${candidate.SetIdentifier ?? '(simple)'}"`).join(', ') || 'no record with this name and type'})`
          );
        }
        if (record.SetIdentifier === undefined || record.Weight === undefined) {
          throw new PreflightFailedError(
            `record not weighted: ${side} SetIdentifier "${setIdentifier}" of ${describeRef(ref)} has no Weight ` +
              '(only weighted records can be shifted)'
          );
        }
        return record;
      };
      const blue = find(ref.blueSetIdentifier, 'blue');
      const green = find(ref.greenSetIdentifier, 'green');
      const trafficPolicyInstanceIds = {
        ...(blue.TrafficPolicyInstanceId ? { blue: blue.TrafficPolicyInstanceId } : {}),
        ...(green.TrafficPolicyInstanceId ? { green: green.TrafficPolicyInstanceId } : {}),
      };
      pairs.push({
        hostedZoneId: zoneId,
        name: canonicalRecordName(ref.name),
        type: ref.type,
        blue: toRecordSet(blue as ResourceRecordSet & { SetIdentifier: string; Weight: number }),
        green: toRecordSet(green as ResourceRecordSet & { SetIdentifier: string; Weight: number }),
        ...(await this.#effectiveTtls(zoneId, ref.type, blue, green)),
        // Zero-weight others never change the share and are never written: not kept, so a big group
        // cannot swell the run state (Step Functions payloads are limited).
        others: group
          .filter((record) => record !== blue && record !== green && record.Weight !== 0)
          .map(toGroupRecord),
        ...(Object.keys(trafficPolicyInstanceIds).length > 0 ? { trafficPolicyInstanceIds } : {}),
      });
    }
    return pairs;
  }

  /**
   * Both sides' effective TTLs. An alias that cannot be resolved (missing target, loop, too deep) is reported
   * in `ttlProblems` for Preflight to refuse, never thrown: readPairs also serves drift checks and restores,
   * which must not fail because someone changed an alias target mid-run.
   */
  async #effectiveTtls(
    zoneId: string,
    type: string,
    blue: ResourceRecordSet,
    green: ResourceRecordSet
  ): Promise<
    Pick<WeightedPair, 'effectiveTtlSeconds' | 'ttlProblems' | 'aliasTargetHealthCheckIds'>
  > {
    const list = (zone: string, name: string, recordType: string) =>
      this.#listGroup(zone, name, recordType);
    const problems: string[] = [];
    const inherited = new Set<string>();
    const resolve = async (record: ResourceRecordSet): Promise<number | null> => {
      try {
        return await effectiveTtlOf(record, zoneId, type, list, [], inherited);
      } catch (error) {
        if (!(error instanceof PreflightFailedError)) throw error;
        problems.push(error.message);
        return null;
      }
    };
    const ttl = { blue: await resolve(blue), green: await resolve(green) };
    const health = inherited.size > 0 ? { aliasTargetHealthCheckIds: [...inherited] } : {};
    if (ttl.blue === null || ttl.green === null) return { ttlProblems: problems, ...health };
    return { effectiveTtlSeconds: { blue: ttl.blue, green: ttl.green }, ...health };
  }

  /**
   * Lists the records of one name and type. Starts at name+type and pages with the three-part token (no
   * paginator exists for this operation in the JS SDK); stops as soon as a record with another name or type
   * appears, since the listing is sorted and started at ours.
   */
  async #listGroup(zoneId: string, name: string, type: string): Promise<ResourceRecordSet[]> {
    const ref = { hostedZoneId: zoneId, name, type };
    const wanted = canonicalRecordName(name);
    const group: ResourceRecordSet[] = [];
    let start: Partial<ListResourceRecordSetsCommandInput> = {
      StartRecordName: wanted,
      StartRecordType: type as RRType,
    };
    for (let page = 0; page < this.#maxPages; page++) {
      let out: ListResourceRecordSetsCommandOutput;
      try {
        out = await this.#client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ...start,
            ...(this.#maxItems !== undefined ? { MaxItems: this.#maxItems } : {}),
          })
        );
      } catch (error) {
        throw translate(error, `ListResourceRecordSets ${describeRef(ref)}`);
      }
      for (const record of out.ResourceRecordSets ?? []) {
        if (canonicalRecordName(record.Name ?? '') !== wanted || record.Type !== type) return group;
        group.push(record);
      }
      if (!out.IsTruncated) return group;
      start = {
        StartRecordName: out.NextRecordName,
        StartRecordType: out.NextRecordType,
        // Required to resume inside a weighted group; moto never returns it.
        ...(out.NextRecordIdentifier ? { StartRecordIdentifier: out.NextRecordIdentifier } : {}),
      };
    }
    throw new PreflightFailedError(
      `record listing did not end: ${describeRef(ref)} still had more records after ${this.#maxPages} ` +
        'ListResourceRecordSets pages (an endpoint that ignores StartRecordIdentifier repeats pages; ' +
        'leave MaxItems unset)'
    );
  }
}
