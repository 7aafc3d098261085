/**
 * Route 53 implementation of the `TrafficRouter` port: writes absolute weights and restores snapshots, one
 * atomic change batch per hosted zone, and answers the change, health-check and protection look-ups around
 * them. Reading the weighted pairs is route53-pair-reader.ts.
 */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { Route53ChangeRejectedError, Route53NotFoundError } from '../core/errors.ts';
import type { RecordRef } from '../core/input.ts';
import type { TrafficRouter } from '../core/state.ts';
import type { HealthCheckReport, PairWeights, WeightedPair } from '../core/types.ts';
import { errorName, translate } from './route53-errors.ts';
import { Route53PairReader } from './route53-pair-reader.ts';
import { checkProtections, type ProtectionCheck } from './route53-protections.ts';
import { byZone, pairKey, upsert, weightProblems } from './route53-record-sets.ts';

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
  readonly #reader: Route53PairReader;

  constructor(client: Route53Client, options: Route53TrafficRouterOptions = {}) {
    this.#client = client;
    this.#reader = new Route53PairReader(
      client,
      options.maxPages ?? DEFAULT_MAX_PAGES,
      options.maxItems
    );
  }

  /**
   * Each blue/green pair verbatim, with its weighted group and effective TTLs ({@link Route53PairReader}).
   *
   * @throws PreflightFailedError when a SetIdentifier is missing, its record is not weighted, or an alias
   *   target cannot be resolved.
   * @throws Route53NotFoundError when the hosted zone does not exist; Route53BusyError when throttled.
   */
  async readPairs(refs: readonly RecordRef[]): Promise<WeightedPair[]> {
    return this.#reader.readPairs(refs);
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
