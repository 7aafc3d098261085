/**
 * Route 53 implementation of the `TrafficRouter` port: reads blue/green weighted pairs and writes
 * absolute weights, one atomic change batch per hosted zone.
 */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  ListResourceRecordSetProtectionsCommand,
  type ListResourceRecordSetProtectionsCommandOutput,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import {
  PreflightFailedError,
  Route53BusyError,
  Route53ChangeRejectedError,
  Route53NotFoundError,
} from '../core/errors.ts';
import type { RecordRef } from '../core/input.ts';
import { canonicalRecordName, canonicalZoneId, displayRecordName } from '../core/names.ts';
import type { TrafficRouter } from '../core/state.ts';
import type {
  GroupRecord,
  HealthCheckReport,
  PairWeights,
  RecordSet,
  WeightedPair,
} from '../core/types.ts';
import { effectiveTtlOf } from './route53-alias-ttl.ts';

/** Route 53 `Weight` range (API_ResourceRecordSet). */
const MAX_WEIGHT = 255;

/**
 * A weighted group holds at most 100 records and a page up to 300, so one page normally suffices.
 * The cap stops an endpoint that ignores `StartRecordIdentifier` (moto 5.2.1 with a small
 * `MaxItems` returns the same page forever) from looping until the Lambda times out.
 */
const DEFAULT_MAX_PAGES = 20;

/** Protections are listed per hosted zone; a zone with more than this many pages is not plausible. */
const MAX_PROTECTION_PAGES = 100;

const BUSY_ERRORS = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete']);
const NOT_FOUND_ERRORS = new Set(['NoSuchHostedZone', 'NoSuchChange', 'NoSuchHealthCheck']);

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
 * Whether record-set protections could be read. `known: false` when the endpoint does not implement
 * `ListResourceRecordSetProtections` (moto 5.2.1 answers 404 with an HTML page).
 */
export type ProtectionCheck = { known: true; records: string[] } | { known: false; reason: string };

/** Lower case, no trailing dot, Route 53's octal escapes: `*.Api.example.com.` lists as `\052.api.example.com`. */
export const normaliseName = canonicalRecordName;

/** Hosted zone IDs come with or without `/hostedzone/`; compare and group them bare. */
const bareZoneId = canonicalZoneId;

function pairKey(zoneId: string, name: string, type: string): string {
  return `${bareZoneId(zoneId)} ${normaliseName(name)} ${type}`;
}

/** For people: `*.example.com A in hosted zone Z1` (Route 53 lists the wildcard as `\052.example.com.`). */
function describeRef(ref: { hostedZoneId: string; name: string; type: string }): string {
  return `${displayRecordName(ref.name)} ${ref.type} in hosted zone ${bareZoneId(ref.hostedZoneId)}`;
}

function toGroupRecord(record: ResourceRecordSet): GroupRecord {
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
function toRecordSet(
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

function upsert(record: RecordSet, weight: number = record.Weight): Change {
  // UPSERT replaces the whole record: re-send everything as read, only the weight differs.
  return {
    Action: 'UPSERT',
    ResourceRecordSet: { ...structuredClone(record), Type: record.Type as RRType, Weight: weight },
  };
}

/** Groups items by bare hosted zone ID, keeping the order in which zones first appear. */
function byZone<T>(items: readonly T[], zoneOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const zone = bareZoneId(zoneOf(item));
    const group = groups.get(zone);
    if (group) group.push(item);
    else groups.set(zone, [item]);
  }
  return groups;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** A 5xx from the service (or its front end): transient, like throttling, and retried the same way. */
export function isServerFault(error: unknown): boolean {
  const shaped = error as { $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return shaped?.$fault === 'server' || (shaped?.$metadata?.httpStatusCode ?? 0) >= 500;
}

/**
 * Translates Route 53 errors into the orchestrator's errors; anything else is returned unchanged.
 * The SDK has already retried the busy errors (its default strategy classes them as throttling).
 */
function translate(error: unknown, context: string): unknown {
  const name = errorName(error);
  if (name === undefined) return error;
  const message = (error as Error).message;
  if (BUSY_ERRORS.has(name) || isServerFault(error)) {
    return new Route53BusyError(
      `${context}: Route 53 is busy (${name}) after the SDK's retries; retry later`,
      { cause: error }
    );
  }
  if (name === 'InvalidChangeBatch') {
    const messages = (error as { messages?: string[] }).messages ?? [];
    const detail = messages.length > 0 ? messages.join('; ') : message;
    return new Route53ChangeRejectedError(
      `${context}: Route 53 rejected the change batch: ${detail}. Check for a record-set protection ` +
        'on these names (ListResourceRecordSetProtections) and that the records still exist as read',
      { cause: error }
    );
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    // Cannot succeed on a retry: the role lacks the permission (or an IAM condition refuses these names).
    return new Route53ChangeRejectedError(
      `${context}: Route 53 refused access (${name}): ${message}`,
      {
        cause: error,
      }
    );
  }
  if (name === 'InvalidInput') {
    return new Route53ChangeRejectedError(
      `${context}: Route 53 rejected the request as invalid: ${message}. Fix the record definition ` +
        '(an alias record takes no TTL; a weighted record needs SetIdentifier and Weight)',
      { cause: error }
    );
  }
  if (NOT_FOUND_ERRORS.has(name)) {
    return new Route53NotFoundError(`${context}: ${name}: ${message}`, { cause: error });
  }
  return error;
}

/**
 * Whether an error means "this endpoint does not implement the operation" rather than a real refusal:
 * moto 5.2.1 answers ListResourceRecordSetProtections with a 404 HTML page, which the SDK reports
 * as a deserialization error carrying `$metadata.httpStatusCode: 404`.
 */
function isNotImplemented(error: unknown): boolean {
  const name = errorName(error);
  // A modelled 404 (NoSuchHostedZone) is a real answer about the zone, never "not implemented".
  if (name === undefined || NOT_FOUND_ERRORS.has(name)) return false;
  if (
    name === 'NotImplemented' ||
    name === 'NotImplementedException' ||
    name === 'UnknownOperationException'
  ) {
    return true;
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return status === 404 || status === 501;
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
      const zoneId = bareZoneId(ref.hostedZoneId);
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
        name: normaliseName(ref.name),
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
    const records: string[] = [];
    for (const [zoneId, group] of byZone(refs, (ref) => ref.hostedZoneId)) {
      let protections: { name: string; type: string }[];
      try {
        protections = await this.#listProtections(zoneId);
      } catch (error) {
        if (isNotImplemented(error)) {
          return {
            known: false,
            reason: `ListResourceRecordSetProtections is not implemented by this endpoint (${(error as Error).message.split('\n')[0]})`,
          };
        }
        throw translate(error, `ListResourceRecordSetProtections ${zoneId}`);
      }
      for (const ref of group) {
        const name = normaliseName(ref.name);
        if (
          protections.some((protection) => protection.name === name && protection.type === ref.type)
        ) {
          records.push(`${displayRecordName(name)} ${ref.type}`);
        }
      }
    }
    return { known: true, records };
  }

  async #listProtections(zoneId: string): Promise<{ name: string; type: string }[]> {
    const found: { name: string; type: string }[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PROTECTION_PAGES; page++) {
      const out: ListResourceRecordSetProtectionsCommandOutput = await this.#client.send(
        new ListResourceRecordSetProtectionsCommand({
          HostedZoneId: zoneId,
          ...(nextToken ? { NextToken: nextToken } : {}),
        })
      );
      for (const protection of out.ResourceRecordSetProtections ?? []) {
        found.push({
          name: normaliseName(protection.RecordName ?? ''),
          type: protection.RecordType ?? '',
        });
      }
      nextToken = out.NextToken;
      if (!nextToken) return found;
    }
    throw new Route53BusyError(
      `ListResourceRecordSetProtections ${zoneId}: more than ${MAX_PROTECTION_PAGES} pages; giving up`
    );
  }

  /**
   * Lists the records of one name and type. Starts at name+type and pages with the three-part token (no
   * paginator exists for this operation in the JS SDK); stops as soon as a record with another name or type
   * appears, since the listing is sorted and started at ours.
   */
  async #listGroup(zoneId: string, name: string, type: string): Promise<ResourceRecordSet[]> {
    const ref = { hostedZoneId: zoneId, name, type };
    const wanted = normaliseName(name);
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
        if (normaliseName(record.Name ?? '') !== wanted || record.Type !== type) return group;
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
