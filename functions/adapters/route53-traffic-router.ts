/**
 * Route 53 implementation of the `TrafficRouter` port: reads blue/green weighted pairs and writes
 * absolute weights, one atomic change batch per hosted zone.
 */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import {
  PreflightFailedError,
  Route53ChangeRejectedError,
  Route53NotFoundError,
} from '../core/errors.ts';
import type { RecordRef } from '../core/input.ts';
import { canonicalRecordName, canonicalZoneId } from '../core/names.ts';
import type { TrafficRouter } from '../core/state.ts';
import type { HealthCheckReport, PairWeights, WeightedPair } from '../core/types.ts';
import { effectiveTtlOf } from './route53-alias-ttl.ts';
import { errorName, translate } from './route53-errors.ts';
import { checkProtections, type ProtectionCheck } from './route53-protections.ts';
import {
  byZone,
  describeRef,
  pairKey,
  toGroupRecord,
  toRecordSet,
  upsert,
  weightProblems,
} from './route53-record-sets.ts';

export type { ProtectionCheck } from './route53-protections.ts';

/**
 * A weighted group holds at most 100 records and a page up to 300, so one page normally suffices.
 * The cap stops an endpoint that ignores `StartRecordIdentifier` (moto 5.2.1 with a small
 * `MaxItems` returns the same page forever) from looping until the Lambda times out.
 */
const DEFAULT_MAX_PAGES = 20;

export interface Route53TrafficRouterOptions {
  /** Pages of `ListResourceRecordSets` read per record before giving up. Default 20. */
  maxPages?: number;
  /**
   * `MaxItems` per `ListResourceRecordSets` page. Default: unset (Route 53 returns up to 300).
   * Leave unset against moto: it ignores `StartRecordIdentifier` and repeats truncated pages.
   */
  maxItems?: number;
}

/**
 * Reads and writes blue/green weighted record pairs in Route 53.
 *
 * @example
 * const router = new Route53TrafficRouter(new Route53Client({}));
 * const pairs = await router.readPairs(input.records);
 * const [pair] = pairs;
 * const changeIds = await router.applyWeights(pairs, [
 *   { hostedZoneId: pair.hostedZoneId, name: pair.name, type: pair.type, blueWeight: 90, greenWeight: 10 },
 * ]);
 */
export class Route53TrafficRouter implements TrafficRouter {
  readonly #client: Route53Client;
  readonly #maxPages: number;
  readonly #maxItems: number | undefined;

  constructor(client: Route53Client, options: Route53TrafficRouterOptions = {}) {
    this.#client = client;
    this.#maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    this.#maxItems = options.maxItems;
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
   * The latest checker observations of each health check, one `GetHealthCheckStatus` each. A calculated
   * health check has no observations of its own (Route 53 answers InvalidInput): reported with `statuses: null`.
   *
   * @throws Route53NotFoundError for a health check that does not exist; Route53BusyError when throttled.
   */
  async readHealthChecks(healthCheckIds: readonly string[]): Promise<HealthCheckReport[]> {
    const reports: HealthCheckReport[] = [];
    for (const healthCheckId of new Set(healthCheckIds)) {
      try {
        const out = await this.#client.send(
          new GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId })
        );
        reports.push({
          healthCheckId,
          statuses: (out.HealthCheckObservations ?? []).map(
            (observation) => observation.StatusReport?.Status ?? ''
          ),
        });
      } catch (error) {
        if (errorName(error) === 'InvalidInput') {
          reports.push({ healthCheckId, statuses: null, reason: (error as Error).message });
          continue;
        }
        throw translate(error, `GetHealthCheckStatus ${healthCheckId}`);
      }
    }
    return reports;
  }

  /**
   * Writes absolute weights. Validates every weight before any call, then sends ONE change batch of
   * UPSERTs per hosted zone (Route 53 applies a batch all-or-nothing, so blue and green move together).
   *
   * @returns one change ID per hosted zone, in the order the zones first appear in `weights`.
   * @throws Route53ChangeRejectedError for an invalid weight (not an integer in 0..255, both zero) or a
   *   weight for a pair missing from `current`, before calling AWS; or when Route 53 rejects the batch.
   */
  async applyWeights(
    current: readonly WeightedPair[],
    weights: readonly PairWeights[]
  ): Promise<string[]> {
    const pairs = new Map(
      current.map((pair) => [pairKey(pair.hostedZoneId, pair.name, pair.type), pair])
    );
    const problems = weightProblems(pairs, weights);
    if (problems.length > 0) {
      throw new Route53ChangeRejectedError(`refusing to write weights: ${problems.join('; ')}`);
    }

    const changeIds: string[] = [];
    for (const [zoneId, group] of byZone(weights, (weight) => weight.hostedZoneId)) {
      const changes = group.flatMap((weight) => {
        const pair = pairs.get(pairKey(weight.hostedZoneId, weight.name, weight.type))!;
        return [upsert(pair.blue, weight.blueWeight), upsert(pair.green, weight.greenWeight)];
      });
      changeIds.push(await this.#change(zoneId, changes, 'traffic-shift: set weights'));
    }
    return changeIds;
  }

  /**
   * Re-sends the snapshot records verbatim, one batch per hosted zone. Idempotent.
   *
   * @returns one change ID per hosted zone.
   */
  async restore(snapshot: readonly WeightedPair[]): Promise<string[]> {
    const changeIds: string[] = [];
    for (const [zoneId, group] of byZone(snapshot, (pair) => pair.hostedZoneId)) {
      const changes = group.flatMap((pair) => [upsert(pair.blue), upsert(pair.green)]);
      changeIds.push(await this.#change(zoneId, changes, 'traffic-shift: restore snapshot'));
    }
    return changeIds;
  }

  /**
   * `PENDING` until the change reached every Route 53 name server, then `INSYNC`.
   * Accepts `/change/C123` and `C123`.
   */
  async getChangeStatus(changeId: string): Promise<'PENDING' | 'INSYNC'> {
    const id = changeId.replace(/^\/change\//, '');
    try {
      const out = await this.#client.send(new GetChangeCommand({ Id: id }));
      const status = out.ChangeInfo?.Status;
      if (status !== 'PENDING' && status !== 'INSYNC') {
        throw new Route53NotFoundError(`GetChange ${id}: unexpected status ${String(status)}`);
      }
      return status;
    } catch (error) {
      throw translate(error, `GetChange ${id}`);
    }
  }

  /**
   * Names (`"<name> <type>"`) among `refs` that carry a record-set protection, which blocks shift and
   * rollback alike. Returns `[]` when protections are unknown (see {@link checkProtections}).
   */
  async listProtectedRecords(refs: readonly RecordRef[]): Promise<string[]> {
    const check = await this.checkProtections(refs);
    return check.known ? check.records : [];
  }

  /**
   * Like {@link listProtectedRecords}, but says when the endpoint does not implement
   * `ListResourceRecordSetProtections` (moto 5.2.1: HTTP 404), so a caller can report "unknown".
   */
  async checkProtections(refs: readonly RecordRef[]): Promise<ProtectionCheck> {
    return checkProtections(this.#client, refs);
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

  async #change(zoneId: string, changes: Change[], comment: string): Promise<string> {
    try {
      const out = await this.#client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Comment: comment, Changes: changes },
        })
      );
      const id = out.ChangeInfo?.Id;
      if (!id) {
        throw new Route53ChangeRejectedError(
          `ChangeResourceRecordSets ${zoneId}: the response has no change ID`
        );
      }
      return id;
    } catch (error) {
      throw translate(error, `ChangeResourceRecordSets in hosted zone ${zoneId}`);
    }
  }
}
