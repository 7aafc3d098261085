/**
 * An in-memory Route 53 of several hosted zones for fault campaigns that need hundreds of runs: a change batch
 * is atomic inside one zone only, as on AWS, and each zone's batch can be throttled (not applied) or have its
 * reply lost (applied, then an error), so a multi-zone write can land partially. Which handler wrote is read
 * from the async stack (shift, rollback, restore by the recovery, a shift's self-undo).
 */
import { Route53BusyError } from '../../functions/core/errors.ts';
import type { RecordRef } from '../../functions/core/input.ts';
import { recordSetKey } from '../../functions/core/names.ts';
import type { TrafficRouter } from '../../functions/core/state.ts';
import type { HealthCheckReport, PairWeights, WeightedPair } from '../../functions/core/types.ts';

export type WriteKind = 'shift' | 'rollback' | 'restore' | 'undo';
export type ZoneFault = 'throttled' | 'lost-reply';

/** Which handler is writing, from the (async) stack: the recovery, a shift's undo, the Rollback Task or a shift. */
function writerKind(): WriteKind {
  const stack = new Error().stack ?? '';
  if (stack.includes('recoverEntry')) return 'restore';
  if (stack.includes('undoOwnWrite')) return 'undo';
  if (stack.includes('rollback')) return 'rollback';
  return 'shift';
}

export class ZonedRouter implements TrafficRouter {
  readonly pairs = new Map<string, WeightedPair>();
  /** Faults per write kind and fault kind, and batches that landed per write kind. */
  readonly faults: Record<string, number> = {};
  readonly landed: Record<string, number> = {};
  /** Decides a fault for one zone's batch (null: none). Off by default. */
  fault: (kind: WriteKind) => ZoneFault | null = () => null;
  writes = 0;
  /** Every zone batch in order: `kind zone green% [fault]` (printed for a failing run). */
  readonly log: string[] = [];
  private changes = 0;

  constructor(pairs: readonly WeightedPair[]) {
    for (const pair of pairs) this.pairs.set(recordSetKey(pair), structuredClone(pair));
  }

  async readPairs(refs: readonly RecordRef[]): Promise<WeightedPair[]> {
    return refs.map((ref) => {
      const pair = this.pairs.get(recordSetKey(ref));
      if (pair === undefined) throw new Error(`no pair ${recordSetKey(ref)}`);
      return structuredClone(pair);
    });
  }

  async applyWeights(
    _current: readonly WeightedPair[],
    weights: readonly PairWeights[]
  ): Promise<string[]> {
    return this.write(
      weights.map((target) => ({
        key: recordSetKey(target),
        zone: target.hostedZoneId,
        apply: (pair: WeightedPair) => {
          pair.blue.Weight = target.blueWeight;
          pair.green.Weight = target.greenWeight;
        },
      }))
    );
  }

  async restore(snapshot: readonly WeightedPair[]): Promise<string[]> {
    return this.write(
      snapshot.map((saved) => ({
        key: recordSetKey(saved),
        zone: saved.hostedZoneId,
        apply: (pair: WeightedPair) => {
          pair.blue = structuredClone(saved.blue);
          pair.green = structuredClone(saved.green);
        },
      }))
    );
  }

  /** One batch per zone, in zone order; a fault stops the write at that zone (earlier zones stay written). */
  private async write(
    changes: { key: string; zone: string; apply: (pair: WeightedPair) => void }[]
  ): Promise<string[]> {
    const kind = writerKind();
    const zones = [...new Set(changes.map((change) => change.zone))];
    const ids: string[] = [];
    for (const zone of zones) {
      const fault = this.fault(kind);
      if (fault === 'throttled') {
        this.count(this.faults, `${kind}:${fault}`);
        this.log.push(`${kind} ${zone} throttled`);
        throw new Route53BusyError(`zone ${zone}: Throttling after the SDK's retries (injected)`);
      }
      for (const change of changes.filter((candidate) => candidate.zone === zone)) {
        const pair = this.pairs.get(change.key);
        if (pair) change.apply(pair);
      }
      this.writes += 1;
      this.count(this.landed, kind);
      const sample = this.pairs.get(changes.find((change) => change.zone === zone)?.key ?? '');
      this.log.push(`${kind} ${zone} green=${sample?.green.Weight}${fault ? ` ${fault}` : ''}`);
      if (fault === 'lost-reply') {
        this.count(this.faults, `${kind}:${fault}`);
        throw new Route53BusyError(`zone ${zone}: batch applied, reply lost (injected)`);
      }
      this.changes += 1;
      ids.push(`/change/C${this.changes}`);
    }
    return ids;
  }

  async getChangeStatus(): Promise<'PENDING' | 'INSYNC'> {
    return 'INSYNC';
  }

  async listProtectedRecords(): Promise<string[]> {
    return [];
  }

  /** Every health check is healthy: the campaign is about writes, not health. */
  async readHealthChecks(ids: readonly string[]): Promise<HealthCheckReport[]> {
    return ids.map((healthCheckId) => ({
      healthCheckId,
      statuses: ['Success: HTTP Status Code 200, OK'],
    }));
  }

  private count(counts: Record<string, number>, key: string) {
    counts[key] = (counts[key] ?? 0) + 1;
  }
}
