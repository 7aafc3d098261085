/**
 * Issue 5.2, faults: Route 53 Throttling, PriorRequestNotComplete and 5xx, CloudWatch throttling and empty
 * GetMetricData results, injected into at least 30 % of the calls the orchestrator makes (SDK middleware,
 * test/support/faults.ts), while the real state machine runs a whole migration against moto with the
 * closed-loop traffic model publishing real Service Connect metrics into moto's CloudWatch.
 *
 * Two placements, both run:
 * - below the SDK's retry (one decision per HTTP attempt): where real faults appear; the SDK retries them
 *   (Route 53 client 5 attempts, CloudWatch 3, as the handlers configure), with its backoff removed so the
 *   test is fast;
 * - above it (one decision per operation): every fault reaches our adapters, the state machine's retriers and
 *   its Catch -> Rollback path, as if the SDK had given up.
 *
 * What is asserted for every run: it ends completed (records at 100 % green) or rolled back (records at the
 * snapshot, the last write a restore) or failed in Preflight before any write; a regression never completes;
 * every batch that landed holds both records of every pair summing to the pair's scale (never partial, never
 * 0/0); no step is applied twice: the shift batches that landed move green strictly upwards, except an
 * identical batch re-sent right after itself (a retry of the same absolute weights after a lost response,
 * which is idempotent and counted separately).
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../cli/local-engine.ts';
import { TrafficModel, type TrafficProfile } from '../../cli/traffic-model.ts';
import { isAtSnapshot } from '../../functions/core/weights.ts';
import {
  type CloudWatchFaultKind,
  type FaultPlacement,
  FaultStats,
  injectCloudWatchFaults,
  injectRoute53Faults,
  type Route53FaultKind,
  zeroDelayRetryStrategy,
} from '../support/faults.ts';
import {
  BatchLog,
  countsText,
  currentWeights,
  GREEN_NAMES,
  type LandedBatch,
  makeEngine,
  motoClients,
  motoPerFile,
  SyntheticMetricSource,
  seededRandom,
  seedWorld,
  shortPlanInput,
} from '../support/robustness-kit.ts';

const moto = motoPerFile();

const PROBABILITY = 0.4;
const ROUTE53_KINDS: Route53FaultKind[] = [
  'Throttling',
  'PriorRequestNotComplete',
  'ServiceUnavailable',
  'InternalFailure-after-apply',
];
const CLOUDWATCH_KINDS: CloudWatchFaultKind[] = [
  'Throttling',
  'LimitExceededException',
  'EmptyResult',
];
/**
 * Above the retry, 40 % of every Task attempt's operations fail, so many runs exhaust the state machine's
 * retriers early (mostly in Preflight, before any write): that placement gets more runs.
 */
const SEEDS: Record<FaultPlacement, number[]> = {
  'below-retry': [11, 23, 37],
  'above-retry': [11, 23, 37, 41, 53, 67, 71, 83, 97, 101, 113, 127],
};

const healthy = () => ({ errorRatePercent: 0.15, latencyAvgMs: 72 });
const PROFILES: Record<'healthy' | 'regression', TrafficProfile> = {
  healthy: { requestsPerMinute: 3_000, blue: healthy, green: healthy },
  regression: {
    requestsPerMinute: 3_000,
    blue: healthy,
    green: ({ greenPercent }) => ({
      errorRatePercent: greenPercent >= 50 ? 5 : 0.15,
      latencyAvgMs: 72,
    }),
  },
};

type Outcome = 'completed' | 'rolled-back' | 'preflight-failed' | 'other';

interface FaultRun {
  outcome: Outcome;
  reason: string;
  batches: BatchLog;
  atSnapshot: boolean;
  atFullGreen: boolean;
  weights: { name: string; blue: number; green: number }[];
}

/** Shift batches in landing order, with identical consecutive re-sends (idempotent retries) folded. */
function foldRetries(shifts: LandedBatch[]): { distinct: LandedBatch[]; resent: number } {
  const distinct: LandedBatch[] = [];
  let resent = 0;
  for (const batch of shifts) {
    const previous = distinct.at(-1);
    if (
      previous !== undefined &&
      JSON.stringify(previous.weights) === JSON.stringify(batch.weights)
    )
      resent += 1;
    else distinct.push(batch);
  }
  return { distinct, resent };
}

async function runWithFaults(
  placement: FaultPlacement,
  profileName: keyof typeof PROFILES,
  seed: number,
  stats: FaultStats
): Promise<FaultRun> {
  const world = await seedWorld(moto.endpoint);
  const clock = new VirtualClock(
    new Date(Math.floor(Date.now() / 60_000) * 60_000 - 6 * 3_600_000)
  );
  const model = new TrafficModel({
    cloudwatch: world.cloudwatch,
    router: world.router,
    clock,
    records: world.zone.records,
    greenDiscoveryNames: GREEN_NAMES,
    blueDiscoveryNames: [],
    profile: PROFILES[profileName],
    seed,
    // Three minutes of history before the run: enough for Preflight to find green's HTTP metrics.
    from: new Date(clock.now().getTime() - 3 * 60_000),
  });
  model.greenSyntheticRequestsPerMinute = 20;
  await model.publishUntilNow();
  model.greenSyntheticRequestsPerMinute = 0;
  // The engine's own clients: faulty, recorded. The model and the test read through clean ones.
  const route53 = motoClients(moto.endpoint, {
    maxAttempts: 5,
    retryStrategy: zeroDelayRetryStrategy(5),
  }).route53;
  const cloudwatch = motoClients(moto.endpoint, {
    maxAttempts: 3,
    retryStrategy: zeroDelayRetryStrategy(3),
  }).cloudwatch;
  const batches = new BatchLog(world.snapshot);
  batches.attach(route53);
  const random = seededRandom(
    seed * 7_919 + (placement === 'below-retry' ? 1 : 2) * 31 + (profileName === 'healthy' ? 0 : 1)
  );
  injectRoute53Faults(route53, {
    random,
    probability: PROBABILITY,
    placement,
    kinds: ROUTE53_KINDS,
    stats,
  });
  injectCloudWatchFaults(cloudwatch, {
    random,
    probability: PROBABILITY,
    placement,
    kinds: CLOUDWATCH_KINDS,
    stats,
  });
  const { engine } = makeEngine({
    endpoint: moto.endpoint,
    clock,
    route53,
    cloudwatch,
    beforeTask: async () => {
      await model.publishUntilNow();
    },
  });
  const { executionArn } = engine.start(
    shortPlanInput(world.zone.records, { migrationId: `faults-${profileName}` }),
    `faults-${seed}`
  );
  const end = (await engine.endOfChain(executionArn)).at(-1)!;
  const pairs = await world.router.readPairs(world.zone.records);
  const weights = await currentWeights(world.router, world.zone.records);
  const wroteNothing = batches.batches.length === 0;
  const outcome: Outcome =
    end.status === 'SUCCEEDED'
      ? 'completed'
      : end.error === 'RolledBack'
        ? 'rolled-back'
        : end.status === 'FAILED' && wroteNothing && end.output === null
          ? 'preflight-failed'
          : 'other';
  return {
    outcome,
    reason: `${end.status} ${end.error ?? ''}: ${(end.cause ?? end.output?.outcome?.reason ?? '').slice(0, 160)}`,
    batches,
    atSnapshot: isAtSnapshot(pairs, world.snapshot),
    atFullGreen: weights.every((pair) => pair.blue === 0 && pair.green > 0),
    weights,
  };
}

describe('Faults: throttling, busy, 5xx and empty metrics on >= 30 % of calls', () => {
  it('below and above the SDK retry: every run completes or rolls back (or fails before writing), never a partial batch, never a step twice', async () => {
    // Prepare
    const total = new FaultStats();
    const failures: string[] = [];
    const started = Date.now();
    let completedHealthy = 0;

    for (const placement of ['below-retry', 'above-retry'] as const) {
      const stats = new FaultStats();
      const outcomes: Record<string, number> = {};
      let resent = 0;
      let batchesLanded = 0;

      // Act
      for (const seed of SEEDS[placement]) {
        for (const profile of ['healthy', 'regression'] as const) {
          const run = await runWithFaults(placement, profile, seed, stats);
          outcomes[`${profile}:${run.outcome}`] = (outcomes[`${profile}:${run.outcome}`] ?? 0) + 1;
          if (profile === 'healthy' && run.outcome === 'completed') completedHealthy += 1;
          batchesLanded += run.batches.batches.length;
          const label = `${placement} seed ${seed} ${profile} -> ${run.outcome} (${run.reason})`;
          console.log(
            `[faults] run placement=${placement} seed=${seed} profile=${profile} outcome=${run.outcome} batches=${run.batches.batches.length} reason=${run.reason.replace(/\s+/g, ' ')}`
          );

          // Assess (collected, so that every figure is printed first)
          if (run.outcome === 'other')
            failures.push(`${label}: not completed, rolled back or refused in preflight`);
          if (run.outcome === 'completed' && !run.atFullGreen)
            failures.push(`${label}: completed but weights ${JSON.stringify(run.weights)}`);
          if (run.outcome !== 'completed' && !run.atSnapshot)
            failures.push(`${label}: records not at the snapshot ${JSON.stringify(run.weights)}`);
          if (run.outcome === 'rolled-back' && run.batches.batches.at(-1)?.kind !== 'restore')
            failures.push(`${label}: last write is not a restore`);
          if (profile === 'regression' && run.outcome === 'completed')
            failures.push(`${label}: a regression completed`);
          if (run.batches.batches.some((batch) => !batch.whole))
            failures.push(
              `${label}: partial batch ${JSON.stringify(run.batches.batches.find((b) => !b.whole))}`
            );
          const folded = foldRetries(run.batches.shifts);
          resent += folded.resent;
          const percents = folded.distinct.map(
            (batch) => batch.greenPercents['www.example.com'] ?? Number.NaN
          );
          if (percents.some((percent, i) => i > 0 && !(percent > percents[i - 1]!)))
            failures.push(`${label}: a step applied twice or out of order: ${percents.join(', ')}`);
        }
      }
      console.log(
        `[faults] placement=${placement} runs=${SEEDS[placement].length * 2} calls=${stats.calls} faults=${stats.faults} ratio=${stats.ratio.toFixed(3)} kinds{${stats.kindsText()}} faultedOps{${countsText(stats.faultsByOperation)}} outcomes{${countsText(outcomes)}} batchesLanded=${batchesLanded} identicalResends=${resent}`
      );
      total.calls += stats.calls;
      total.faults += stats.faults;
      for (const [kind, n] of Object.entries(stats.byKind))
        total.byKind[kind] = (total.byKind[kind] ?? 0) + n;
      expect(stats.ratio).toBeGreaterThanOrEqual(0.3);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    // Assess
    console.log(
      `[faults] total calls=${total.calls} faults=${total.faults} ratio=${total.ratio.toFixed(3)} kinds{${total.kindsText()}} healthyCompleted=${completedHealthy} failures=${failures.length} wallSeconds=${seconds}`
    );
    for (const failure of failures.slice(0, 10)) console.log(`[faults] FAILURE ${failure}`);
    expect(failures).toEqual([]);
    expect(total.ratio).toBeGreaterThanOrEqual(0.3);
    expect(Object.keys(total.byKind).sort()).toEqual(
      [...new Set<string>([...ROUTE53_KINDS, ...CLOUDWATCH_KINDS])].sort()
    );
    // Faults below the retry are mostly absorbed by the SDK: healthy migrations do get through.
    expect(completedHealthy).toBeGreaterThan(0);
  }, 240_000);

  it('a Task whose result is lost after it ran (Lambda.ServiceException) is retried without a second write or a false drift', async () => {
    // Prepare: 30 % of the Tasks' successful results are replaced by a Lambda service error, as when Step
    // Functions loses the invocation's answer: the handler ran (and wrote) but the state machine retries it.
    const world = await seedWorld(moto.endpoint);
    const { route53 } = motoClients(moto.endpoint);
    const batches = new BatchLog(world.snapshot);
    batches.attach(route53);
    const random = seededRandom(99);
    const lost: Record<string, number> = {};
    let tasks = 0;
    const { engine } = makeEngine({
      endpoint: moto.endpoint,
      route53,
      metrics: new SyntheticMetricSource(),
      onEvent: (event) => {
        if (event.type !== 'task-succeeded') return;
        tasks += 1;
        if (random() < 0.3) {
          lost[event.state ?? '?'] = (lost[event.state ?? '?'] ?? 0) + 1;
          const error = new Error(`injected: the result of ${event.state} was lost`);
          error.name = 'Lambda.ServiceException';
          throw error;
        }
      },
    });

    // Act
    const { executionArn } = engine.start(shortPlanInput(world.zone.records), 'lost-results');
    const [end] = await engine.endOfChain(executionArn);

    // Assess
    const folded = foldRetries(batches.shifts);
    const lostTotal = Object.values(lost).reduce((sum, n) => sum + n, 0);
    console.log(
      `[faults] lost-results tasks=${tasks} lost=${lostTotal} ratio=${(lostTotal / tasks).toFixed(3)} byTask{${countsText(lost)}} shiftBatches=${batches.shifts.length} identicalResends=${folded.resent} status=${end?.status} error=${end?.error ?? ''}`
    );
    expect(lostTotal / tasks).toBeGreaterThanOrEqual(0.2);
    expect(lost['ShiftTraffic']).toBeGreaterThan(0);
    expect(end?.status).toBe('SUCCEEDED');
    // A retried ShiftTraffic re-sends its (absolute, idempotent) batch for fresh change ids to wait on:
    // once per lost ShiftTraffic result, right after itself, never a step out of order.
    expect(folded.distinct.map((batch) => batch.greenPercents['www.example.com'])).toEqual([
      10, 50, 100,
    ]);
    expect(folded.resent).toBe(lost['ShiftTraffic']);
    expect(batches.restores).toEqual([]);
  });
});
