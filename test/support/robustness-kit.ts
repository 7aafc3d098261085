/**
 * Shared setup for test/robustness: one moto per test file, a seeded hosted zone, short migration plans, an
 * in-memory healthy metric source, a change-batch log that labels every landed batch, and an engine factory.
 *
 * Everything that matters for the verdicts goes through moto's Route 53 over HTTP; the clients the engine
 * uses can be instrumented (fault injection, mid-shift stops) while the test's own reads use clean clients.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll } from 'vitest';
import {
  type EngineEvent,
  LocalEngine,
  type LocalEngineOptions,
  type TaskHookContext,
  VirtualClock,
} from '../../cli/local-engine.ts';
import { clientConfig, type Moto, resetMoto, startMoto } from '../../cli/moto.ts';
import { type SeededZone, seedRehearsalZone } from '../../cli/seed.ts';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import type { MigrationInputDraft, RecordRef } from '../../functions/core/input.ts';
import type { MigrationRegistry } from '../../functions/core/registry.ts';
import type { MetricQuery, MetricSource, TrafficRouter } from '../../functions/core/state.ts';
import type {
  DiscoveryTarget,
  MetricReading,
  PairWeights,
  WeightedPair,
} from '../../functions/core/types.ts';
import { snapshotWeights } from '../../functions/core/weights.ts';

export { resetMoto } from '../../cli/moto.ts';
export { seededRandom } from '../../cli/traffic-model.ts';

/** A fixed virtual start, so runs are reproducible (synthetic metrics need no real clock). */
export const VIRTUAL_START = new Date('2026-09-14T08:00:00.000Z');
export const GREEN_NAMES = ['orders', 'payments'];

/**
 * Starts one moto_server for the calling test file (beforeAll) and stops it afterwards.
 *
 * @example
 * const moto = motoPerFile();
 * it('...', async () => { await resetMoto(moto.endpoint); });
 */
export function motoPerFile(): { readonly endpoint: string } {
  let server: Moto | undefined;
  beforeAll(async () => {
    server = await startMoto();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get endpoint() {
      if (server === undefined) throw new Error('moto is not started yet (use it inside a test)');
      return server.endpoint;
    },
  };
}

/** Route 53 and CloudWatch clients against moto. */
export function motoClients(
  endpoint: string,
  options: { maxAttempts?: number; retryStrategy?: unknown } = {}
) {
  const config = {
    ...clientConfig(endpoint),
    maxAttempts: options.maxAttempts ?? 5,
    ...(options.retryStrategy === undefined
      ? {}
      : { retryStrategy: options.retryStrategy as never }),
  };
  return { route53: new Route53Client(config), cloudwatch: new CloudWatchClient(config) };
}

export interface World {
  zone: SeededZone;
  /** The records as seeded: what every restore must bring back. */
  snapshot: WeightedPair[];
  /** A clean router (no faults, no hooks) for the test's own reads and manual changes. */
  router: Route53TrafficRouter;
  route53: Route53Client;
  cloudwatch: CloudWatchClient;
}

/**
 * Seeds `api.<domain>` (alias, 255/0) and `www.<domain>` (TTL 60, 100/0) in a new hosted zone.
 * Pass `reset` to drop all of moto's state first.
 */
export async function seedWorld(
  endpoint: string,
  options: { domain?: string; reset?: boolean } = {}
): Promise<World> {
  if (options.reset ?? true) await resetMoto(endpoint);
  const { route53, cloudwatch } = motoClients(endpoint);
  const router = new Route53TrafficRouter(route53);
  const zone = await seedRehearsalZone(route53, options.domain ?? 'example.com');
  const snapshot = await router.readPairs(zone.records);
  return { zone, snapshot, router, route53, cloudwatch };
}

/**
 * A short migration over the seeded records: steps 10, 50, 100, bake 120 s, one evaluation a minute, 120 s at
 * 100 %, 60 s windows. Virtual time costs nothing, so a whole run is about 40 virtual minutes.
 */
export function shortPlanInput(
  records: RecordRef[],
  overrides: Partial<MigrationInputDraft> = {}
): MigrationInputDraft {
  return {
    migrationId: 'robustness',
    records,
    plan: {
      steps: [10, 50, 100],
      bakeSeconds: 120,
      evaluationIntervalSeconds: 60,
      finalBakeSeconds: 120,
    },
    metrics: { greenDiscoveryNames: GREEN_NAMES, windowSeconds: 60, publicationDelaySeconds: 120 },
    thresholds: { minRequests: 50, errorRateMaxPercent: 1 },
    limits: { maxFailures: 1, maxConsecutiveFailures: 0 },
    ...overrides,
  };
}

/**
 * An in-memory MetricSource that synthesises Service Connect readings (no CloudWatch round trips): green
 * answers 3,000 requests a minute per discovery name with 0.1 % 5xx, or 5 % once green's share reaches
 * `failFromPercent` (read from Route 53, so the loop stays closed). Used where metrics are not what is tested.
 */
export class SyntheticMetricSource implements MetricSource {
  reads = 0;
  private readonly greenPercent: () => Promise<number>;
  private readonly failFromPercent: number;

  constructor(options: { greenPercent?: () => Promise<number>; failFromPercent?: number } = {}) {
    this.greenPercent = options.greenPercent ?? (async () => 0);
    this.failFromPercent = options.failFromPercent ?? Number.POSITIVE_INFINITY;
  }

  async read(query: MetricQuery): Promise<MetricReading> {
    this.reads += 1;
    const failing =
      Number.isFinite(this.failFromPercent) && (await this.greenPercent()) >= this.failFromPercent;
    const minutes = Math.max(
      1,
      (Date.parse(query.window.end) - Date.parse(query.window.start)) / 60_000
    );
    const requests = 3_000 * minutes;
    const errors = Math.round(requests * (failing ? 0.05 : 0.001));
    return {
      kind: 'ok',
      services: query.targets.map((target) => ({
        ...target,
        http2xx: requests - errors,
        http3xx: null,
        http4xx: 0,
        http5xx: errors,
        requestCount: requests,
        latencySampleCount: requests,
        latencyAvgMs: 70,
        latencyMaxMs: 210,
        latencyP99Ms: null,
        // Traffic in every minute of the window.
        periodStarts: Array.from({ length: minutes }, (_, i) =>
          new Date(Date.parse(query.window.start) + i * 60_000).toISOString()
        ),
      })),
    };
  }

  async listDiscoveryNamesWithHttpMetrics(
    _namespace: string,
    targets: readonly DiscoveryTarget[]
  ): Promise<DiscoveryTarget[]> {
    return [...targets];
  }
}

/** Green's share of the first pair, as Route 53 holds it now. */
export function greenPercentReader(
  router: Pick<TrafficRouter, 'readPairs'>,
  records: readonly RecordRef[]
) {
  return async () => {
    const [pair] = await router.readPairs(records.slice(0, 1));
    if (pair === undefined) return 0;
    const sum = pair.blue.Weight + pair.green.Weight;
    return sum === 0 ? 50 : (100 * pair.green.Weight) / sum;
  };
}

// ---------- Change batches ----------

export type BatchKind = 'restore' | 'shift' | 'manual';

export interface LandedBatch {
  seq: number;
  hostedZoneId: string;
  comment: string;
  kind: BatchKind;
  /** SetIdentifier -> Weight, as sent. */
  weights: Record<string, number>;
  /** Green's share of each pair in the batch, percent, by record name. */
  greenPercents: Record<string, number>;
  /** Whether every pair of the zone is in the batch with both records, summing to its scale, never 0/0. */
  whole: boolean;
}

/**
 * Where a shift's batch is when the hook runs. `held-past-restore` is `before-send` with the send held until
 * the hook's promise resolves: an in-flight write that lands after the stopped run's restore.
 */
export type ShiftPhase = 'before-send' | 'in-flight' | 'before-return' | 'held-past-restore';

/** Called for every non-restore ChangeResourceRecordSets the instrumented client sends. */
export type ShiftHook = (phase: ShiftPhase, shiftIndex: number) => void | Promise<void>;

interface SentChange {
  Action: string;
  ResourceRecordSet: { Name: string; SetIdentifier?: string; Weight?: number };
}

/**
 * Records every ChangeResourceRecordSets batch that LANDED in moto (HTTP 2xx), in order, and labels it: a
 * `restore` re-sends exactly the snapshot weights, anything else the orchestrator sends is a `shift`. The
 * middleware sits innermost (step deserialize, priority low: below the SDK's retry and below any injected
 * fault), so a refused or faulted request is never counted, and a request whose response is lost is.
 */
export class BatchLog {
  readonly batches: LandedBatch[] = [];
  private readonly snapshot: WeightedPair[];
  private readonly snapshotBySetId: Map<string, number>;
  private shiftsSent = 0;

  constructor(snapshot: WeightedPair[]) {
    this.snapshot = snapshot;
    this.snapshotBySetId = new Map(
      snapshot.flatMap((pair) => [
        [pair.blue.SetIdentifier, pair.blue.Weight] as const,
        [pair.green.SetIdentifier, pair.green.Weight] as const,
      ])
    );
  }

  /** Instruments the client the engine writes with; `onShift` can stop the execution around a shift batch. */
  attach(route53: Route53Client, onShift?: ShiftHook): void {
    route53.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'ChangeResourceRecordSetsCommand') return next(args);
        const input = args.input as {
          HostedZoneId: string;
          ChangeBatch: { Comment?: string; Changes: SentChange[] };
        };
        const kind = this.kindOf(input.ChangeBatch.Changes);
        const shiftIndex = kind === 'shift' ? this.shiftsSent++ : -1;
        if (kind === 'shift') {
          await onShift?.('held-past-restore', shiftIndex);
          await onShift?.('before-send', shiftIndex);
        }
        const pending = next(args);
        if (kind === 'shift') onShift?.('in-flight', shiftIndex);
        const result = await pending;
        const status = (result.response as { statusCode?: number }).statusCode ?? 0;
        if (status >= 200 && status < 300)
          this.push(
            input.HostedZoneId,
            input.ChangeBatch.Comment ?? '',
            kind,
            input.ChangeBatch.Changes
          );
        if (kind === 'shift') onShift?.('before-return', shiftIndex);
        return result;
      },
      { step: 'deserialize', priority: 'low', name: 'robustnessBatchLog' }
    );
  }

  /** A change made by "someone else" (the test), logged in the same sequence. */
  manual(weights: PairWeights): void {
    const pair = this.snapshot.find((candidate) => candidate.name === weights.name);
    if (pair === undefined) throw new Error(`no pair ${weights.name}`);
    this.push(weights.hostedZoneId, 'manual', 'manual', [
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: pair.name,
          SetIdentifier: pair.blue.SetIdentifier,
          Weight: weights.blueWeight,
        },
      },
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: pair.name,
          SetIdentifier: pair.green.SetIdentifier,
          Weight: weights.greenWeight,
        },
      },
    ]);
  }

  get shifts(): LandedBatch[] {
    return this.batches.filter((batch) => batch.kind === 'shift');
  }

  get restores(): LandedBatch[] {
    return this.batches.filter((batch) => batch.kind === 'restore');
  }

  /** The index of the last restore, or -1. */
  lastRestoreIndex(): number {
    return this.batches.map((batch) => batch.kind).lastIndexOf('restore');
  }

  private kindOf(changes: SentChange[]): BatchKind {
    const restore = changes.every(
      (change) =>
        this.snapshotBySetId.get(change.ResourceRecordSet.SetIdentifier ?? '') ===
        change.ResourceRecordSet.Weight
    );
    return restore ? 'restore' : 'shift';
  }

  private push(
    hostedZoneId: string,
    comment: string,
    kind: BatchKind,
    changes: SentChange[]
  ): void {
    const weights = Object.fromEntries(
      changes.map((change) => [
        change.ResourceRecordSet.SetIdentifier ?? '',
        change.ResourceRecordSet.Weight ?? Number.NaN,
      ])
    );
    const zone = hostedZoneId.replace('/hostedzone/', '');
    const greenPercents: Record<string, number> = {};
    let whole = changes.every((change) => change.Action === 'UPSERT');
    for (const pair of this.snapshot.filter((candidate) => candidate.hostedZoneId === zone)) {
      const blue = weights[pair.blue.SetIdentifier];
      const green = weights[pair.green.SetIdentifier];
      const scale = Math.min(255, Math.max(100, pair.blue.Weight + pair.green.Weight));
      if (blue === undefined || green === undefined || blue + green !== scale || blue + green === 0)
        whole = false;
      if (blue !== undefined && green !== undefined)
        greenPercents[pair.name] = (100 * green) / (blue + green);
    }
    this.batches.push({
      seq: this.batches.length,
      hostedZoneId: zone,
      comment,
      kind,
      weights,
      greenPercents,
      whole,
    });
  }
}

/** The weights Route 53 holds now, per record name. */
export async function currentWeights(
  router: Pick<TrafficRouter, 'readPairs'>,
  records: readonly RecordRef[]
) {
  return (await router.readPairs(records)).map((pair) => ({
    name: pair.name,
    blue: pair.blue.Weight,
    green: pair.green.Weight,
  }));
}

export function weightsOfSnapshot(snapshot: readonly WeightedPair[]) {
  return snapshotWeights(snapshot).map((pair) => ({
    name: pair.name,
    blue: pair.blueWeight,
    green: pair.greenWeight,
  }));
}

/** Sets one pair's weights directly in Route 53, as an operator in the console would. */
export async function changeWeightsManually(
  route53: Route53Client,
  pair: WeightedPair,
  blueWeight: number,
  greenWeight: number
): Promise<void> {
  const upsert = (record: WeightedPair['blue'], weight: number) => ({
    Action: 'UPSERT' as const,
    ResourceRecordSet: { ...structuredClone(record), Type: record.Type as 'A', Weight: weight },
  });
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: pair.hostedZoneId,
      ChangeBatch: {
        Comment: 'operator',
        Changes: [upsert(pair.blue, blueWeight), upsert(pair.green, greenWeight)],
      },
    })
  );
}

// ---------- Engine ----------

export interface EngineSetup {
  endpoint: string;
  clock?: VirtualClock;
  route53?: Route53Client;
  cloudwatch?: CloudWatchClient;
  metrics?: MetricSource;
  deliverStatusEvents?: boolean;
  beforeTask?: (context: TaskHookContext) => Promise<void> | void;
  onEvent?: (event: EngineEvent) => void;
  /**
   * Real ms per virtual second of Wait. A tiny value (1e-9) gives every Wait one real timer tick, so a stop
   * issued while a Wait state is entered lands during the Wait, before the next Task's clock advance.
   */
  realMsPerVirtualSecond?: number;
  stateMachineName?: string;
  /** An in-memory router or registry (fault campaigns that need hundreds of runs); default: moto. */
  router?: TrafficRouter;
  migrationRegistry?: MigrationRegistry;
  /** Step hooks bound by ARN (LocalEngineOptions.stepHooks). */
  stepHooks?: LocalEngineOptions['stepHooks'];
  /** false: no operator-control read per evaluation (LocalEngineOptions.operatorControl). */
  operatorControl?: boolean;
}

/** A LocalEngine on moto with the given ports; clients default to fresh ones. */
export function makeEngine(setup: EngineSetup) {
  const clients = motoClients(setup.endpoint);
  const route53 = setup.route53 ?? clients.route53;
  const cloudwatch = setup.cloudwatch ?? clients.cloudwatch;
  const clock = setup.clock ?? new VirtualClock(VIRTUAL_START);
  const engine = new LocalEngine({
    route53,
    cloudwatch,
    clock,
    deliverStatusEvents: setup.deliverStatusEvents ?? true,
    realMsPerVirtualSecond: setup.realMsPerVirtualSecond ?? 0,
    ...(setup.metrics ? { metrics: setup.metrics } : {}),
    ...(setup.beforeTask ? { beforeTask: setup.beforeTask } : {}),
    ...(setup.onEvent ? { onEvent: setup.onEvent } : {}),
    ...(setup.stateMachineName ? { stateMachineName: setup.stateMachineName } : {}),
    ...(setup.router ? { router: setup.router } : {}),
    ...(setup.migrationRegistry ? { migrationRegistry: setup.migrationRegistry } : {}),
    ...(setup.stepHooks ? { stepHooks: setup.stepHooks } : {}),
    ...(setup.operatorControl === undefined ? {} : { operatorControl: setup.operatorControl }),
  });
  return { engine, clock, route53, cloudwatch };
}

/** Lets every pending promise and timer callback run (late writes would land here). */
export async function settle(ms = 20): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** `a=1 b=2` from a record of counts, sorted by key. */
export function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}
