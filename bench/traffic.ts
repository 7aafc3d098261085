/**
 * The simulated world every decision policy runs against, in virtual time and without I/O:
 * - DNS: a Route 53 write reaches every name server after `syncSeconds` (INSYNC), then resolvers move to the
 *   new answer over one TTL (the share ramps linearly from what it was to the new weight);
 * - traffic: per-minute Poisson request counts with realistic noise (a slow daily swing, minute-to-minute
 *   over-dispersion, resolver skew of the DNS split, over-dispersed 5xx rates, latency sampling noise);
 * - CloudWatch: one datapoint per environment and minute (Service Connect publishes every 60 s, nothing for
 *   a minute without requests), each published after its own delay, aggregated over a window the way
 *   GetMetricData sums would be, or read as the newest datapoint the way an alarm or Flagger does.
 * The same seed gives the same regression (kind and onset share) and daily phase whichever policy drives
 * the world; the per-minute noise then follows the weights that policy writes.
 */
import type { ServiceSample, TimeWindow } from '../functions/core/types.ts';

const MINUTE_MS = 60_000;

/** mulberry32 plus the samplers the traffic model needs; seeded, so every run can be replayed. */
export class Random {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Mean-one log-normal factor with log-sd `sigma`: over-dispersion that keeps the mean. */
  lognormal(sigma: number): number {
    return Math.exp(sigma * this.normal() - (sigma * sigma) / 2);
  }

  /** Poisson: Knuth below a mean of 30, the normal approximation above. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count += 1;
      product *= this.next();
    }
    return count;
  }

  /** Binomial: exact for small n, Poisson for rare events, normal otherwise. */
  binomial(trials: number, probability: number): number {
    if (trials <= 0 || probability <= 0) return 0;
    if (probability >= 1) return trials;
    if (trials <= 40) {
      let successes = 0;
      for (let i = 0; i < trials; i++) if (this.next() < probability) successes += 1;
      return successes;
    }
    if (probability < 0.05) return Math.min(trials, this.poisson(trials * probability));
    const mean = trials * probability;
    const sd = Math.sqrt(mean * (1 - probability));
    return Math.min(trials, Math.max(0, Math.round(mean + sd * this.normal())));
  }
}

/** How one environment behaves in one minute. */
export interface Health {
  /** Share of requests answered 5xx, percent. */
  errorRatePercent: number;
  /** Mean response time, milliseconds. */
  latencyAvgMs: number;
}

/** What one environment published (or would have) for one minute. */
export interface EnvMinute {
  requests: number;
  http2xx: number;
  http4xx: number;
  http5xx: number;
  /** null without requests (CloudWatch has no datapoint). */
  latencyAvgMs: number | null;
  latencyMaxMs: number | null;
}

export interface Minute {
  startMs: number;
  /** When CloudWatch has this minute's datapoints (end of minute + publication delay). */
  publishedAtMs: number;
  /** Nominal green share of DNS answers, 0..1, averaged over the minute. */
  share: number;
  green: EnvMinute;
  blue: EnvMinute;
  /** Whether green was regressed during this minute. */
  regressed: boolean;
}

export type Environment = 'green' | 'blue';

/**
 * A regression of green from the first minute it carries `fromSharePercent` % of the traffic, or
 * `delayMinutes` later (the uniform onset model: a defect that appears during a bake, not at a shift).
 */
export type Regression =
  | { kind: 'errors'; errorRatePercent: number; fromSharePercent: number; delayMinutes?: number }
  | { kind: 'latency'; latencyAvgMs: number; fromSharePercent: number; delayMinutes?: number };

/** A traffic scenario: load, both environments' health, noise, and an optional regression of green. */
export interface TrafficScenario {
  name:
    | 'healthy'
    | 'error-regression'
    | 'latency-regression'
    | 'low-traffic'
    | 'flapping'
    | 'error-regression-uniform';
  description: string;
  /** Mean requests per minute over both environments. */
  requestsPerMinute: number;
  blue: Health;
  green: Health;
  /** Per minute and environment, independently: probability of a one-minute 5xx burst. */
  burstProbabilityPerMinute: number;
  burstErrorRatePercent: number;
  /** Drawn per run: the regression and the green share at which it appears (null: none). */
  regression: ((random: Random) => Regression) | null;
  /** Whether a rollback in this scenario is a false rollback. */
  falseRollbackScenario: boolean;
}

/** The steps of the reference plan: a load-triggered regression appears at one of these shares. */
export const REFERENCE_STEPS = [1, 5, 10, 25, 50, 75, 100] as const;

const BLUE: Health = { errorRatePercent: 0.2, latencyAvgMs: 80 };
const GREEN: Health = { errorRatePercent: 0.2, latencyAvgMs: 75 };
const onsetShare = (random: Random) =>
  REFERENCE_STEPS[Math.floor(random.next() * REFERENCE_STEPS.length)] as number;

/** Green regresses from 0.2 % to 2 % 5xx once it carries X % of the traffic, X drawn from the reference steps. */
export const ERROR_REGRESSION_PERCENT = 2;
/** Green's average latency climbs from 75 ms to 200 ms (blue: 80 ms) once it carries X %. */
export const LATENCY_REGRESSION_MS = 200;

export const TRAFFIC_SCENARIOS: Record<TrafficScenario['name'], TrafficScenario> = {
  healthy: {
    name: 'healthy',
    description:
      '3,000 req/min; both environments 0.2 % 5xx (over-dispersed), blue 80 ms, green 75 ms',
    requestsPerMinute: 3_000,
    blue: BLUE,
    green: GREEN,
    burstProbabilityPerMinute: 0,
    burstErrorRatePercent: 0,
    regression: null,
    falseRollbackScenario: true,
  },
  'error-regression': {
    name: 'error-regression',
    description: `3,000 req/min; green 0.2 % -> ${ERROR_REGRESSION_PERCENT} % 5xx from the moment it first carries X % of the traffic, X uniform over the reference steps {${REFERENCE_STEPS.join(', ')}}`,
    requestsPerMinute: 3_000,
    blue: BLUE,
    green: GREEN,
    burstProbabilityPerMinute: 0,
    burstErrorRatePercent: 0,
    regression: (random) => ({
      kind: 'errors',
      errorRatePercent: ERROR_REGRESSION_PERCENT,
      fromSharePercent: onsetShare(random),
    }),
    falseRollbackScenario: false,
  },
  'latency-regression': {
    name: 'latency-regression',
    description: `3,000 req/min; green average latency 75 -> ${LATENCY_REGRESSION_MS} ms (blue 80 ms) from the moment it first carries X % (as above)`,
    requestsPerMinute: 3_000,
    blue: BLUE,
    green: GREEN,
    burstProbabilityPerMinute: 0,
    burstErrorRatePercent: 0,
    regression: (random) => ({
      kind: 'latency',
      latencyAvgMs: LATENCY_REGRESSION_MS,
      fromSharePercent: onsetShare(random),
    }),
    falseRollbackScenario: false,
  },
  'low-traffic': {
    name: 'low-traffic',
    description: '100 req/min overall; otherwise healthy',
    requestsPerMinute: 100,
    blue: BLUE,
    green: GREEN,
    burstProbabilityPerMinute: 0,
    burstErrorRatePercent: 0,
    regression: null,
    falseRollbackScenario: true,
  },
  flapping: {
    name: 'flapping',
    description:
      '3,000 req/min, healthy, plus one-minute 5xx bursts to 1.5 %: every minute, independently on blue and on green, with probability 1/30 (2 bursts per hour per environment)',
    requestsPerMinute: 3_000,
    blue: BLUE,
    green: GREEN,
    burstProbabilityPerMinute: 1 / 30,
    burstErrorRatePercent: 1.5,
    regression: null,
    falseRollbackScenario: true,
  },
  'error-regression-uniform': {
    name: 'error-regression-uniform',
    description: `3,000 req/min; green 0.2 % -> ${ERROR_REGRESSION_PERCENT} % 5xx from a uniform onset: X uniform in (0, 100] %, and the defect appears D minutes after green first carries X %, D uniform over 0..9 (during a bake, not at a shift)`,
    requestsPerMinute: 3_000,
    blue: BLUE,
    green: GREEN,
    burstProbabilityPerMinute: 0,
    burstErrorRatePercent: 0,
    regression: (random) => ({
      kind: 'errors',
      errorRatePercent: ERROR_REGRESSION_PERCENT,
      fromSharePercent: Math.max(0.01, 100 * random.next()),
      delayMinutes: Math.floor(10 * random.next()),
    }),
    falseRollbackScenario: false,
  },
};

/**
 * Clients that do not follow DNS at once (WorldOptions.stickyClients): after a change is INSYNC, this share of
 * the traffic follows over the TTL; the rest comes from clients that keep pooled connections (recycled
 * uniformly over `pooledSeconds`) and from resolvers that cache past the TTL (uniformly up to `staleSeconds`).
 */
export const STICKY_CLIENTS = {
  ttlShare: 0.8,
  pooledShare: 0.15,
  pooledSeconds: 300,
  staleShare: 0.05,
  staleSeconds: 900,
} as const;

/** The noise model's parameters (printed with the results). */
export const NOISE = {
  /** Log-sd of the per-minute request rate around the trend. */
  rateSigma: 0.1,
  /** Amplitude of the daily swing of the request rate (random phase per run). */
  dailySwing: 0.2,
  /** Log-sd of the realised green share around the weight (resolver skew). */
  shareSigma: 0.05,
  /** Log-sd of the per-minute 5xx probability (over-dispersion beyond binomial). */
  errorSigma: 0.25,
  /** Log-sd of the per-minute latency level, on top of per-request sampling noise (CV 1). */
  latencySigma: 0.05,
  /** Share of 2xx responses that are 4xx instead. */
  clientErrorShare: 0.01,
  /** CloudWatch publication delay after the minute ends: usually U(60, 150) s ... */
  publicationDelaySeconds: [60, 150] as const,
  /** ... and for 1 % of minutes U(180, 300) s (late datapoints). */
  latePublication: { probability: 0.01, delaySeconds: [180, 300] as const },
};

export interface WorldOptions {
  scenario: TrafficScenario;
  seed: number;
  startMs: number;
  /** Route 53 propagation to INSYNC after a write. */
  syncSeconds?: number;
  /** Record TTL: how long resolvers keep the old answer once the change is INSYNC. */
  ttlSeconds?: number;
  /** Pooled connections and resolvers past the TTL (STICKY_CLIENTS); off: every client follows over the TTL. */
  stickyClients?: boolean;
}

interface Ramp {
  startMs: number;
  endMs: number;
  from: number;
  to: number;
}

/**
 * One simulated migration's environment. Minutes are generated lazily and in order, each only once the
 * writes that can affect it are known (a write at t moves traffic from t + sync at the earliest).
 */
export class World {
  readonly scenario: TrafficScenario;
  readonly syncMs: number;
  readonly ttlMs: number;
  readonly regression: Regression | null;
  /** Start of the first minute in which green was regressed; null while it is not. */
  onsetMs: number | null = null;
  private readonly random: Random;
  private readonly startMinuteMs: number;
  private readonly minutes: Minute[] = [];
  private readonly ramps: Ramp[] = [];
  private readonly dailyPhase: number;
  readonly writes: { atMs: number; percent: number }[] = [];
  readonly stickyClients: boolean;
  /** Start of the first minute green carried the regression's share (the onset is `delayMinutes` later). */
  private reachedMs: number | null = null;

  constructor(options: WorldOptions) {
    this.scenario = options.scenario;
    this.stickyClients = options.stickyClients ?? false;
    this.random = new Random(options.seed);
    this.syncMs = (options.syncSeconds ?? 60) * 1_000;
    this.ttlMs = (options.ttlSeconds ?? 60) * 1_000;
    this.startMinuteMs = Math.floor(options.startMs / MINUTE_MS) * MINUTE_MS;
    this.dailyPhase = this.random.uniform(0, 2 * Math.PI);
    this.regression = options.scenario.regression?.(this.random) ?? null;
  }

  /** A Route 53 write of green's percent at `atMs` (writes must come in time order). */
  write(atMs: number, greenPercent: number): void {
    const startMs = atMs + this.syncMs;
    const from = this.shareAt(startMs);
    const tailMs = this.stickyClients ? STICKY_CLIENTS.staleSeconds * 1_000 : this.ttlMs;
    this.ramps.push({
      startMs,
      endMs: startMs + Math.max(this.ttlMs, tailMs),
      from,
      to: greenPercent / 100,
    });
    this.writes.push({ atMs, percent: greenPercent });
  }

  /** Whether a change written at `writtenAtMs` is INSYNC at `nowMs`. */
  inSync(writtenAtMs: number, nowMs: number): boolean {
    return nowMs - writtenAtMs >= this.syncMs;
  }

  /** When a write at `atMs` has taken effect for every client that follows the TTL (INSYNC + TTL). */
  effectiveAt(atMs: number): number {
    return atMs + this.syncMs + this.ttlMs;
  }

  /** When a write at `atMs` has reached every client, sticky ones included. */
  drainedAt(atMs: number): number {
    return this.stickyClients
      ? atMs + this.syncMs + STICKY_CLIENTS.staleSeconds * 1_000
      : this.effectiveAt(atMs);
  }

  /** The share of clients that have moved `elapsedMs` after INSYNC, 0..1. */
  private moved(elapsedMs: number): number {
    const linear = (spanMs: number) =>
      spanMs <= 0 ? 1 : Math.min(1, Math.max(0, elapsedMs / spanMs));
    if (!this.stickyClients) return linear(this.ttlMs);
    const c = STICKY_CLIENTS;
    return (
      c.ttlShare * linear(this.ttlMs) +
      c.pooledShare * linear(c.pooledSeconds * 1_000) +
      c.staleShare * linear(c.staleSeconds * 1_000)
    );
  }

  /** Green's nominal share of DNS answers at `ms`, 0..1. */
  shareAt(ms: number): number {
    for (let i = this.ramps.length - 1; i >= 0; i--) {
      const ramp = this.ramps[i] as Ramp;
      if (ramp.startMs > ms) continue;
      if (ms >= ramp.endMs || ramp.endMs === ramp.startMs) return ramp.to;
      return ramp.from + (ramp.to - ramp.from) * this.moved(ms - ramp.startMs);
    }
    return 0;
  }

  private averageShare(startMs: number, nominal = false): number {
    let total = 0;
    for (let i = 0; i < 12; i++) {
      const ms = startMs + 2_500 + i * 5_000;
      total += nominal ? this.nominalShareAt(ms) : this.shareAt(ms);
    }
    return total / 12;
  }

  /**
   * The share clients that follow the TTL see: what a load-triggered regression keys on. Without sticky
   * clients it is `shareAt`; with them the tail of late clients does not delay the onset.
   */
  private nominalShareAt(ms: number): number {
    for (let i = this.ramps.length - 1; i >= 0; i--) {
      const ramp = this.ramps[i] as Ramp;
      if (ramp.startMs > ms) continue;
      if (ms >= ramp.startMs + this.ttlMs || this.ttlMs === 0) return ramp.to;
      return ramp.from + ((ramp.to - ramp.from) * (ms - ramp.startMs)) / this.ttlMs;
    }
    return 0;
  }

  /** The minute starting at `startMs` (generated on first use, together with every minute before it). */
  minute(startMs: number): Minute {
    const index = Math.round((startMs - this.startMinuteMs) / MINUTE_MS);
    if (index < 0) return this.emptyMinute(startMs);
    while (this.minutes.length <= index) this.generate();
    return this.minutes[index] as Minute;
  }

  private emptyMinute(startMs: number): Minute {
    const none: EnvMinute = {
      requests: 0,
      http2xx: 0,
      http4xx: 0,
      http5xx: 0,
      latencyAvgMs: null,
      latencyMaxMs: null,
    };
    return { startMs, publishedAtMs: startMs, share: 0, green: none, blue: none, regressed: false };
  }

  private generate(): void {
    const { random, scenario } = this;
    const startMs = this.startMinuteMs + this.minutes.length * MINUTE_MS;
    const share = this.averageShare(startMs);
    const regression = this.regression;
    if (
      regression !== null &&
      this.reachedMs === null &&
      this.averageShare(startMs, true) * 100 >= regression.fromSharePercent - 1e-9
    ) {
      this.reachedMs = startMs;
    }
    if (
      regression !== null &&
      this.onsetMs === null &&
      this.reachedMs !== null &&
      startMs >= this.reachedMs + (regression.delayMinutes ?? 0) * MINUTE_MS
    ) {
      this.onsetMs = startMs;
    }
    const regressed = this.onsetMs !== null;
    const daily =
      1 + NOISE.dailySwing * Math.sin((2 * Math.PI * startMs) / 86_400_000 + this.dailyPhase);
    const total = random.poisson(
      scenario.requestsPerMinute * daily * random.lognormal(NOISE.rateSigma)
    );
    const realised =
      share <= 0 ? 0 : share >= 1 ? 1 : Math.min(1, share * random.lognormal(NOISE.shareSigma));
    const greenRequests = random.binomial(total, realised);
    const greenHealth: Health = { ...scenario.green };
    if (regressed && regression?.kind === 'errors')
      greenHealth.errorRatePercent = regression.errorRatePercent;
    if (regressed && regression?.kind === 'latency')
      greenHealth.latencyAvgMs = regression.latencyAvgMs;
    const green = this.environment(greenRequests, greenHealth);
    const blue = this.environment(total - greenRequests, scenario.blue);
    const late = random.next() < NOISE.latePublication.probability;
    const [low, high] = late ? NOISE.latePublication.delaySeconds : NOISE.publicationDelaySeconds;
    const publishedAtMs = startMs + MINUTE_MS + Math.round(random.uniform(low, high) * 1_000);
    this.minutes.push({ startMs, publishedAtMs, share, green, blue, regressed });
  }

  private environment(requests: number, health: Health): EnvMinute {
    const { random, scenario } = this;
    const burst = random.next() < scenario.burstProbabilityPerMinute;
    const ratePercent = burst ? scenario.burstErrorRatePercent : health.errorRatePercent;
    const probability = Math.min(1, (ratePercent / 100) * random.lognormal(NOISE.errorSigma));
    const errors = random.binomial(requests, probability);
    const clientErrors = random.binomial(requests - errors, NOISE.clientErrorShare);
    if (requests === 0) {
      return {
        requests,
        http2xx: 0,
        http4xx: 0,
        http5xx: 0,
        latencyAvgMs: null,
        latencyMaxMs: null,
      };
    }
    const level = health.latencyAvgMs * random.lognormal(NOISE.latencySigma);
    // Per-request latencies with a coefficient of variation of 1: the minute's mean has sd level / sqrt(n).
    const latencyAvgMs = Math.max(1, level * (1 + random.normal() / Math.sqrt(requests)));
    return {
      requests,
      http2xx: requests - errors - clientErrors,
      http4xx: clientErrors,
      http5xx: errors,
      latencyAvgMs,
      latencyMaxMs: latencyAvgMs * (3 + Math.log1p(requests)),
    };
  }

  /**
   * The ServiceSample GetMetricData sums would give for one environment over `window` at `nowMs`:
   * only minutes already published count; a minute without requests has no datapoints at all.
   */
  sample(
    env: Environment,
    discoveryName: string,
    window: TimeWindow,
    nowMs: number
  ): ServiceSample {
    const startMs = Date.parse(window.start);
    const endMs = Date.parse(window.end);
    let requests = 0;
    let http2xx = 0;
    let http4xx = 0;
    let http5xx = 0;
    let latencyWeighted = 0;
    let latencyMax: number | null = null;
    let datapoints = 0;
    const periodStarts: string[] = [];
    const periods: { start: string; requests: number; errors: number }[] = [];
    for (let ms = startMs; ms < endMs; ms += MINUTE_MS) {
      const minute = this.minute(ms);
      if (minute.publishedAtMs > nowMs) continue;
      const data = minute[env];
      if (data.requests === 0) continue;
      datapoints += 1;
      periodStarts.push(new Date(ms).toISOString());
      periods.push({
        start: new Date(ms).toISOString(),
        requests: data.requests,
        errors: data.http5xx,
      });
      requests += data.requests;
      http2xx += data.http2xx;
      http4xx += data.http4xx;
      http5xx += data.http5xx;
      latencyWeighted += (data.latencyAvgMs ?? 0) * data.requests;
      latencyMax = Math.max(latencyMax ?? 0, data.latencyMaxMs ?? 0);
    }
    const known = datapoints > 0;
    return {
      discoveryName,
      http2xx: known ? http2xx : null,
      http3xx: null,
      http4xx: known ? http4xx : null,
      http5xx: known ? http5xx : null,
      requestCount: known ? requests : null,
      latencySampleCount: known ? requests : null,
      latencyAvgMs: known ? latencyWeighted / requests : null,
      latencyMaxMs: latencyMax,
      latencyP99Ms: null,
      periodStarts,
      periods,
    };
  }

  /**
   * The newest published datapoint of `env` at `nowMs` among the minutes that ended within `lookbackMs`
   * (GetMetricData's default ScanBy TimestampDescending, first value). Null: no values found.
   */
  newestDatapoint(env: Environment, nowMs: number, lookbackMs: number): EnvMinute | null {
    const lastStart = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    for (let ms = lastStart; ms >= nowMs - lookbackMs; ms -= MINUTE_MS) {
      const minute = this.minute(ms);
      if (minute.publishedAtMs > nowMs) continue;
      if (minute[env].requests > 0) return minute[env];
    }
    return null;
  }

  /**
   * The 5xx green would have served from `onsetMs` had a rollback been written at `decidedMs` (the physical
   * floor: the world is the same until then). After that write reaches clients, green's share decays from
   * what it was as clients move (sticky ones included); each minute keeps its own 5xx rate and total load.
   */
  errorsWithRollbackAt(onsetMs: number, decidedMs: number): number {
    const movingFromMs = decidedMs + this.syncMs;
    const startShare = this.shareAt(movingFromMs);
    const fallbackRate =
      this.regression?.kind === 'errors' ? this.regression.errorRatePercent / 100 : 0;
    let errors = 0;
    const first = Math.floor(onsetMs / MINUTE_MS) * MINUTE_MS;
    for (let ms = first; ms < this.drainedAt(decidedMs); ms += MINUTE_MS) {
      const minute = this.minute(ms);
      if (ms + MINUTE_MS <= movingFromMs) {
        errors += minute.green.http5xx;
        continue;
      }
      const rate =
        minute.green.requests > 0 ? minute.green.http5xx / minute.green.requests : fallbackRate;
      const load = minute.green.requests + minute.blue.requests;
      const share = startShare * (1 - this.moved(Math.max(0, ms + MINUTE_MS / 2 - movingFromMs)));
      errors += rate * load * share;
    }
    return errors;
  }

  /**
   * What green served from `fromMs` up to (not including) the minute that starts at or after `toMs`:
   * 5xx responses and all requests, with the requests served while regressed counted apart.
   */
  greenServed(fromMs: number, toMs: number): { requests: number; errors: number } {
    let requests = 0;
    let errors = 0;
    const first = Math.floor(fromMs / MINUTE_MS) * MINUTE_MS;
    for (let ms = first; ms < toMs; ms += MINUTE_MS) {
      const minute = this.minute(ms);
      requests += minute.green.requests;
      errors += minute.green.http5xx;
    }
    return { requests, errors };
  }
}
