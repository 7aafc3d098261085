/**
 * A traffic model for rehearsals and tests: it reads the current weights from Route 53 and publishes the
 * Service Connect metrics both environments would emit into CloudWatch (AWS/ECS, real names and dimensions),
 * minute by minute on the engine's clock, and, when given their load balancers, what each environment's edge
 * ALB publishes (edge-metrics.ts). The loop is closed: the weights the orchestrator sets decide how much
 * traffic each environment gets, and so what the metrics show.
 */
import {
  type CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { dimensionsOf } from '../functions/adapters/cloudwatch-metric-source.ts';
import type { RecordRef } from '../functions/core/input.ts';
import type { Clock, TrafficRouter } from '../functions/core/state.ts';
import type { DiscoveryTarget } from '../functions/core/types.ts';
import { percentOf } from '../functions/core/weights.ts';
import {
  EDGE_NAMESPACE,
  type EdgeHealth,
  type EdgeMinute,
  edgeDatums,
  edgeMinute,
  HEALTHY_EDGE,
} from './edge-metrics.ts';

/** How one environment behaves in one minute. */
export interface EnvironmentHealth {
  /** Share of requests answered 5xx, percent. */
  errorRatePercent: number;
  /** Mean TargetResponseTime, milliseconds. */
  latencyAvgMs: number;
  /** What the frontend adds at the environment's load balancer (default: no 5xx of its own, 12 ms). */
  edge?: Partial<EdgeHealth>;
}

export interface MinuteContext {
  /** Start of the minute (virtual time). */
  minute: Date;
  /** Green's share of DNS answers, percent, from the Route 53 weights. */
  greenPercent: number;
}

export interface TrafficProfile {
  /** Requests per minute across both environments. */
  requestsPerMinute: number | ((context: MinuteContext) => number);
  blue: (context: MinuteContext) => EnvironmentHealth;
  green: (context: MinuteContext) => EnvironmentHealth;
}

export interface TrafficModelOptions {
  cloudwatch: CloudWatchClient;
  router: Pick<TrafficRouter, 'readPairs'>;
  clock: Clock;
  records: readonly RecordRef[];
  namespace?: string;
  /** Bare names, or parsed targets: a scoped one publishes its client-side metrics with the caller's dimension set. */
  greenDiscoveryNames: readonly (string | DiscoveryTarget)[];
  blueDiscoveryNames: readonly (string | DiscoveryTarget)[];
  /** Each environment's edge ALB, as its `LoadBalancer` dimension (`app/<name>/<id>`); absent: none published. */
  edge?: Partial<Record<'blue' | 'green', string>>;
  profile: TrafficProfile;
  seed?: number;
  /** First minute to publish (default: the clock's current minute). */
  from?: Date;
}

export interface PublishedMinute {
  minute: string;
  greenPercent: number;
  green: { requests: number; errors: number; latencyAvgMs: number };
  blue: { requests: number; errors: number; latencyAvgMs: number };
  /** What each configured edge load balancer published. */
  edge?: { green?: EdgeMinute; blue?: EdgeMinute };
}

const MINUTE_MS = 60_000;

/** mulberry32: small, fast, seeded; good enough for traffic noise and reproducible runs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Poisson sample: Knuth for small means, a normal approximation above 30. */
export function poisson(mean: number, random: () => number): number {
  if (mean <= 0) return 0;
  if (mean > 30) {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian));
  }
  const limit = Math.exp(-mean);
  let count = 0;
  let product = random();
  while (product > limit) {
    count += 1;
    product *= random();
  }
  return count;
}

/** Binomial sample via Poisson for small p (counts of 5xx among requests). */
export function binomial(trials: number, probability: number, random: () => number): number {
  if (trials <= 0 || probability <= 0) return 0;
  if (trials <= 200) {
    let successes = 0;
    for (let i = 0; i < trials; i++) if (random() < probability) successes += 1;
    return successes;
  }
  return Math.min(trials, poisson(trials * probability, random));
}

export class TrafficModel {
  private readonly options: TrafficModelOptions;
  private readonly random: () => number;
  /** The edge's own stream, so the Service Connect series are the same with or without load balancers. */
  private readonly edgeRandom: () => number;
  private nextMinuteMs: number;
  readonly published: PublishedMinute[] = [];
  /**
   * Synthetic requests per minute to green regardless of the weights: the smoke tests a team runs against
   * green before the migration, which is also what makes green's HTTP metrics exist for preflight.
   */
  greenSyntheticRequestsPerMinute = 0;

  constructor(options: TrafficModelOptions) {
    this.options = options;
    this.random = seededRandom(options.seed ?? 42);
    this.edgeRandom = seededRandom((options.seed ?? 42) ^ 0x0ed9e);
    const from = options.from ?? options.clock.now();
    this.nextMinuteMs = Math.floor(from.getTime() / MINUTE_MS) * MINUTE_MS;
  }

  /** Green's share of DNS answers from the first record pair's weights. */
  async greenPercent(): Promise<number> {
    const [pair] = await this.options.router.readPairs(this.options.records.slice(0, 1));
    if (pair === undefined) return 0;
    // The whole group's share: Route 53 counts every record of the name and type.
    return percentOf(pair);
  }

  /** Publishes every whole minute that ended by the clock's now, with the weights as they are now. */
  async publishUntilNow(): Promise<PublishedMinute[]> {
    const endMs = Math.floor(this.options.clock.now().getTime() / MINUTE_MS) * MINUTE_MS;
    if (endMs <= this.nextMinuteMs) return [];
    const greenPercent = await this.greenPercent();
    const minutes: PublishedMinute[] = [];
    for (; this.nextMinuteMs < endMs; this.nextMinuteMs += MINUTE_MS) {
      minutes.push(await this.publishMinute(new Date(this.nextMinuteMs), greenPercent));
    }
    this.published.push(...minutes);
    return minutes;
  }

  private async publishMinute(minute: Date, greenPercent: number): Promise<PublishedMinute> {
    const context = { minute, greenPercent };
    const { profile } = this.options;
    const total =
      typeof profile.requestsPerMinute === 'function'
        ? profile.requestsPerMinute(context)
        : profile.requestsPerMinute;
    const greenHealth = profile.green(context);
    const green = this.environment(
      total * (greenPercent / 100) + this.greenSyntheticRequestsPerMinute,
      greenHealth
    );
    const blueHealth = profile.blue(context);
    const blue = this.environment(total * (1 - greenPercent / 100), blueHealth);
    await this.put(this.options.namespace ?? 'AWS/ECS', [
      ...this.datums(this.options.greenDiscoveryNames, green, minute),
      ...this.datums(this.options.blueDiscoveryNames, blue, minute),
    ]);
    const edge: NonNullable<PublishedMinute['edge']> = {};
    const edgeData: MetricDatum[] = [];
    for (const [side, env, health] of [
      ['green', green, greenHealth],
      ['blue', blue, blueHealth],
    ] as const) {
      const loadBalancer = this.options.edge?.[side];
      if (loadBalancer === undefined) continue;
      const draws = {
        random: this.edgeRandom,
        binomial: (trials: number, p: number) => binomial(trials, p, this.edgeRandom),
      };
      edge[side] = edgeMinute(env, { ...HEALTHY_EDGE, ...health.edge }, draws);
      edgeData.push(...edgeDatums(loadBalancer, edge[side], minute));
    }
    await this.put(EDGE_NAMESPACE, edgeData);
    return {
      minute: minute.toISOString(),
      greenPercent,
      green: { requests: green.requests, errors: green.errors, latencyAvgMs: green.latencyAvgMs },
      blue: { requests: blue.requests, errors: blue.errors, latencyAvgMs: blue.latencyAvgMs },
      ...(this.options.edge === undefined ? {} : { edge }),
    };
  }

  private async put(namespace: string, data: readonly MetricDatum[]): Promise<void> {
    // PutMetricData takes one namespace and at most 1,000 metrics per request.
    for (let i = 0; i < data.length; i += 1_000) {
      await this.options.cloudwatch.send(
        new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + 1_000) })
      );
    }
  }

  private environment(meanRequests: number, health: EnvironmentHealth) {
    const requests = poisson(meanRequests, this.random);
    const errors = binomial(requests, health.errorRatePercent / 100, this.random);
    const clientErrors = binomial(requests - errors, 0.01, this.random);
    const jitter = 1 + (this.random() - 0.5) * 0.1;
    return { requests, errors, clientErrors, latencyAvgMs: health.latencyAvgMs * jitter };
  }

  private datums(
    given: readonly (string | DiscoveryTarget)[],
    env: ReturnType<TrafficModel['environment']>,
    minute: Date
  ): MetricDatum[] {
    const names = given.map((name) => (typeof name === 'string' ? { discoveryName: name } : name));
    // An environment without requests publishes nothing that minute, like a Service Connect proxy with no traffic.
    if (env.requests === 0 || names.length === 0) return [];
    const share = (count: number, index: number) =>
      Math.floor(count / names.length) + (index < count % names.length ? 1 : 0);
    return names.flatMap((name, index) => {
      const requests = share(env.requests, index);
      if (requests === 0) return [];
      const errors = share(env.errors, index);
      const clientErrors = share(env.clientErrors, index);
      const target = dimensionsOf('TargetDiscoveryName', name);
      const count = (MetricName: string, Value: number, Dimensions = target): MetricDatum => ({
        MetricName,
        Dimensions,
        Timestamp: minute,
        Value,
        Unit: 'Count',
      });
      const maxMs = env.latencyAvgMs * 3;
      return [
        count('RequestCount', requests, [{ Name: 'DiscoveryName', Value: name.discoveryName }]),
        count('HTTPCode_Target_2XX_Count', Math.max(0, requests - errors - clientErrors)),
        count('HTTPCode_Target_4XX_Count', clientErrors),
        count('HTTPCode_Target_5XX_Count', errors),
        {
          MetricName: 'TargetResponseTime',
          Dimensions: target,
          Timestamp: minute,
          Unit: 'Milliseconds',
          StatisticValues: {
            SampleCount: requests,
            Sum: env.latencyAvgMs * requests,
            Minimum: env.latencyAvgMs / 3,
            Maximum: maxMs,
          },
        },
      ];
    });
  }
}
