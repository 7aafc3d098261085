/**
 * The bench's part 1o (bench/oracle-likelihood.ts, oracle-bound.ts, oracle-curve.ts): the exact per-minute
 * likelihoods, Page's CUSUM in minute order, the regime-aware statistic (blue's bursts count as evidence that
 * the service flaps), the calibration's choice of threshold and its out-of-sample figures, and the oracle
 * driving part 1c's world: it detects a regression and never decides before the floor does.
 */
import { describe, expect, it } from 'vitest';
import { fairWorld, simulate } from '../../../bench/fair.ts';
import { REFERENCE_PLAN, type TimedPlan } from '../../../bench/fair-settings.ts';
import {
  driveOracle,
  firstPassage,
  oraclePolicy,
  restrictedCusum,
  settledMinutes,
} from '../../../bench/oracle-bound.ts';
import { type CurvePoint, runOracle, selectBound } from '../../../bench/oracle-curve.ts';
import {
  cusum,
  flappingEvidence,
  gaussHermite,
  logGamma,
  logMixedBinomialPmf,
  minuteEvidence,
  RULE,
  WORLD_MODEL,
} from '../../../bench/oracle-likelihood.ts';
import {
  type EnvMinute,
  type Minute,
  TRAFFIC_SCENARIOS,
  type World,
} from '../../../bench/traffic.ts';

const MINUTE_MS = 60_000;

/** One environment's minute: `requests` of which `http5xx` failed, the rest 2xx; fixed latencies. */
function env(requests: number, http5xx: number): EnvMinute {
  return {
    requests,
    http2xx: requests - http5xx,
    http4xx: 0,
    http5xx,
    latencyAvgMs: 75,
    latencyMaxMs: 100,
  };
}

describe('Oracle likelihoods', () => {
  it('integrates the standard normal: weights sum to 1, second moment 1, mean-one log-normal', () => {
    // Act
    const rule = gaussHermite(64);
    const expect_ = (f: (z: number) => number) =>
      rule.nodes.reduce((sum, z, i) => sum + f(z) * (rule.weights[i] as number), 0);

    // Assess
    expect(expect_(() => 1)).toBeCloseTo(1, 12);
    expect(expect_((z) => z * z)).toBeCloseTo(1, 12);
    expect(expect_((z) => Math.exp(0.25 * z - 0.25 ** 2 / 2))).toBeCloseTo(1, 12);
  });

  it.each([
    [50, 0.2],
    [750, 2],
    [3_000, 1.5],
    [3_600, 0.2],
  ])('M(x | n = %i, rate %f percent) sums to 1 over x, with mean n x rate', (n, rate) => {
    // Act
    let total = 0;
    let mean = 0;
    for (let x = 0; x <= n; x++) {
      const p = Math.exp(logMixedBinomialPmf(x, n, rate, WORLD_MODEL.errorSigma));
      total += p;
      mean += x * p;
    }

    // Assess
    expect(total).toBeCloseTo(1, 9);
    expect(mean / ((n * rate) / 100)).toBeCloseTo(1, 6);
  });

  it('matches a fine trapezoid rule in the tail the oracle meets (2 % of 3,000, 90 errors)', () => {
    // Prepare: z on a 0.01 grid over [-10, 10], the integrand exp(-z^2/2) / sqrt(2 pi) x Binomial.
    const [x, n, rate, s] = [90, 3_000, 2, WORLD_MODEL.errorSigma];
    let sum = 0;
    for (let z = -10; z <= 10; z += 0.01) {
      const p = (rate / 100) * Math.exp(s * z - (s * s) / 2);
      sum += (Math.exp(-(z * z) / 2) / Math.sqrt(2 * Math.PI)) * 0.01 * p ** x * (1 - p) ** (n - x);
    }
    const logChoose = logGamma(n + 1) - logGamma(x + 1) - logGamma(n - x + 1);

    // Act
    const quadrature = logMixedBinomialPmf(x, n, rate, s, RULE);

    // Assess
    expect(Math.abs(quadrature - (logChoose + Math.log(sum)))).toBeLessThan(1e-3);
  });

  it.each([100, 750, 3_000])('evidence rises with the 5xx count at n %i', (n) => {
    // Act
    const evidence = Array.from({ length: Math.min(n, 200) + 1 }, (_, x) => minuteEvidence(x, n));

    // Assess
    for (let x = 1; x < evidence.length; x++)
      expect(evidence[x] as number).toBeGreaterThan(evidence[x - 1] as number);
    expect(evidence[0] as number).toBeLessThan(0);
    expect(evidence.at(-1) as number).toBeGreaterThan(0);
  });

  it('weighs a burst-sized minute below a regressed one, and the burst model caps a single minute', () => {
    // Act: 1.5 % and 2 % of 3,000 requests, and the same counts with no bursts in the healthy model
    const burst = minuteEvidence(45, 3_000);
    const regressed = minuteEvidence(60, 3_000);
    const noBursts = minuteEvidence(60, 3_000, { ...WORLD_MODEL, burstProbability: 0 });

    // Assess
    expect(burst).toBeLessThan(regressed);
    expect(regressed).toBeLessThan(Math.log(1 / WORLD_MODEL.burstProbability) + 1);
    expect(noBursts).toBeGreaterThan(regressed + 10);
  });
});

describe('Oracle CUSUM', () => {
  it('resets at 0: evidence against a change is not carried', () => {
    // Assess
    expect(cusum([-5, 2, 3])).toBe(5);
    expect(cusum([2, -5, 3])).toBe(3);
    expect(cusum([-1, -1])).toBe(0);
  });

  it('alarms at the first high that reaches h, not before', () => {
    // Prepare
    const highs = [
      { atMs: 1, w: 2 },
      { atMs: 2, w: 5 },
      { atMs: 3, w: 7 },
    ];

    // Assess
    expect(firstPassage(highs, 5)).toBe(2);
    expect(firstPassage(highs, 5.01)).toBe(3);
    expect(firstPassage(highs, 7.01)).toBeNull();
  });

  it('puts a late minute in its place in time: a late healthy minute does not cancel later regressed ones', () => {
    // Prepare: minute 0 healthy but published last among the first three; minutes 1-3 regressed.
    const published = [4.2, 3.5, 3.9, 4.9].map((m) => m * MINUTE_MS);
    const minutes = new Map<number, Minute>(
      published.map((publishedAtMs, i) => [
        i * MINUTE_MS,
        {
          startMs: i * MINUTE_MS,
          publishedAtMs,
          share: 1,
          green: env(3_000, i === 0 ? 6 : 60),
          blue: env(0, 0),
          regressed: i > 0,
        },
      ])
    );
    const world = {
      write: () => undefined,
      effectiveAt: (ms: number) => ms + 2 * MINUTE_MS,
      minute: (ms: number) =>
        minutes.get(ms) ?? { ...(minutes.get(0) as Minute), startMs: ms, green: env(0, 0) },
    } as unknown as World;
    const plan: TimedPlan = {
      name: 'all at once',
      steps: [100],
      holdMs: 0,
      finalWatchMs: 10 * MINUTE_MS,
    };
    const regressed = minuteEvidence(60, 3_000);
    expect(minuteEvidence(6, 3_000)).toBeLessThan(-2 * regressed);

    // Act: in minute order W = 3 x regressed at minute 3; in arrival order it would restart after minute 0
    const trace = driveOracle(world, 0, 2.9 * regressed, { plan, detector: 'green-only' });

    // Assess
    expect(trace.run.outcome).toBe('rolled-back');
    expect(trace.run.decidedAtMs).toBe(published[3]);
  });
});

describe('Regime-aware oracle', () => {
  /** Green: healthy minutes 0-4, then 5-14 regressed; blue: `blue5xx` of 3,000 in minute 0, then 6 (0.2 %). */
  const worldWith = (blue5xx: number) =>
    ({
      write: () => undefined,
      effectiveAt: (ms: number) => ms + 2 * MINUTE_MS,
      minute: (ms: number): Minute => {
        const i = ms / MINUTE_MS;
        return {
          startMs: ms,
          publishedAtMs: ms + 2 * MINUTE_MS,
          share: 0.5,
          green: i < 15 ? env(3_000, i < 5 ? 6 : 60) : env(0, 0),
          blue: i < 5 ? env(3_000, i === 0 ? blue5xx : 6) : env(0, 0),
          regressed: i >= 5,
        };
      },
    }) as unknown as World;
  const plan: TimedPlan = { name: 'half', steps: [50], holdMs: 0, finalWatchMs: 20 * MINUTE_MS };
  const top = (trace: { highs: { w: number }[] }) => trace.highs.at(-1)?.w ?? 0;

  it('counts blue bursts as evidence that the service flaps, and lowers the statistic by it', () => {
    // Act: the same green minutes, with blue bursting to 1.5 % in minute 0, or clean at 0.2 %
    const burst = driveOracle(worldWith(45), 0, Number.POSITIVE_INFINITY, { plan });
    const clean = driveOracle(worldWith(6), 0, Number.POSITIVE_INFINITY, { plan });
    const greenOnly = (blue5xx: number) =>
      driveOracle(worldWith(blue5xx), 0, Number.POSITIVE_INFINITY, {
        plan,
        detector: 'green-only',
      });

    // Assess: a burst minute is strong evidence of flapping; on blue it lowers the statistic by just that
    // (log(1 + e^B) = B here, B being large), and the green-only detector does not see it
    const raised = flappingEvidence(45, 3_000) - flappingEvidence(6, 3_000);
    expect(raised).toBeGreaterThan(10);
    expect(top(clean)).toBeGreaterThan(raised + 5);
    expect(top(clean) - top(burst)).toBeCloseTo(raised, 6);
    expect(greenOnly(45).highs).toEqual(greenOnly(6).highs);
  });
});

describe('Oracle CUSUM with the onset model known (the sensitivity)', () => {
  const published = [
    { startMs: 0, llr: 5 },
    { startMs: MINUTE_MS, llr: -10 },
    { startMs: 2 * MINUTE_MS, llr: 4 },
    { startMs: 3 * MINUTE_MS, llr: 3 },
  ];

  it('sums the evidence from an allowed change on, through the minutes against it', () => {
    // Assess
    expect(restrictedCusum(published, [0])).toBe(2);
    expect(restrictedCusum(published, [MINUTE_MS])).toBe(0);
    expect(restrictedCusum(published, [3 * MINUTE_MS, 2 * MINUTE_MS])).toBe(7);
    expect(restrictedCusum(published, [0, 3 * MINUTE_MS])).toBe(3);
    expect(restrictedCusum(published, [10 * MINUTE_MS])).toBe(0);
  });

  it('allows every aligned onset of part 1c: one of the two minutes where a step settles', () => {
    for (let i = 0; i < 200; i++) {
      // Prepare
      const { world, startMs } = fairWorld(TRAFFIC_SCENARIOS['error-regression'], i);
      driveOracle(world, startMs, Number.POSITIVE_INFINITY);

      // Act
      const allowed = settledMinutes(
        world.writes.map((write) => write.atMs),
        world.syncMs + world.ttlMs
      );

      // Assess
      expect(allowed).toContain(world.onsetMs);
    }
  });
});

describe('Oracle that rolls back only from a share on (the sensitivity)', () => {
  it('neither rolls back nor records a high before the plan reaches that share', () => {
    // Prepare
    const scenario = TRAFFIC_SCENARIOS['error-regression'];
    const fromMs = (startMs: number) => startMs + 3 * REFERENCE_PLAN.holdMs; // the 25 % step's write
    let lowOnsets = 0;

    for (let i = 0; i < 40; i++) {
      // Act
      const { world, startMs } = fairWorld(scenario, i);
      const trace = driveOracle(world, startMs, Number.POSITIVE_INFINITY, {
        rollbackFromPercent: 25,
      });
      const gated = simulate(oraclePolicy(8.5, { rollbackFromPercent: 25 }), scenario, i);

      // Assess
      for (const high of trace.highs) expect(high.atMs).toBeGreaterThanOrEqual(fromMs(startMs));
      if ((world.regression?.fromSharePercent ?? 0) < 25) {
        lowOnsets += 1;
        expect(gated.restoreSeconds as number).toBeGreaterThan(
          (fromMs(startMs) - (world.onsetMs as number)) / 1_000
        );
      }
    }
    expect(lowOnsets).toBeGreaterThan(5);
  });
});

describe('Oracle calibration', () => {
  const at = (threshold: number, healthy: number, flapping: number): CurvePoint => ({
    threshold,
    falseRollbackPct: { healthy, flapping },
    detectedPct: 100,
    restoreMedianSeconds: 300 + threshold,
    floorRestoreMedianSeconds: 285,
    gapSeconds: 15 + threshold,
    medianRunGapSeconds: 15 + threshold,
    byShare: [],
    badRequestsEstimate: { aligned: 0, uniform: 0 },
  });
  const curve = [at(4, 0, 0), at(1, 3, 10), at(3, 0.5, 0.5), at(2, 0.4, 0.6)];

  it('picks the smallest h with both false-rollback rates within the limit', () => {
    // Assess
    expect(selectBound(curve, 0.5)?.threshold).toBe(3);
    expect(selectBound(curve, 0)?.threshold).toBe(4);
    expect(selectBound(curve, 0.6)?.threshold).toBe(2);
    expect(selectBound([at(1, 3, 10)], 0.5)).toBeNull();
  });
});

describe('Oracle in part 1c world', () => {
  it('detects every regression, never before the first regressed minute is published', () => {
    // Prepare
    const policy = oraclePolicy(8.5);
    const scenario = TRAFFIC_SCENARIOS['error-regression'];

    for (let i = 0; i < 12; i++) {
      // Act
      const outcome = simulate(policy, scenario, i);
      const { world, startMs } = fairWorld(scenario, i);
      const trace = driveOracle(world, startMs, Number.POSITIVE_INFINITY);

      // Assess: detected, at or after the floor, and at the instant the rollback-free trace passes h
      expect(outcome.falseRollback).toBe(false);
      expect(outcome.restoreSeconds).not.toBeNull();
      expect(outcome.restoreSeconds as number).toBeGreaterThanOrEqual(
        outcome.floorRestoreSeconds as number
      );
      const passage = firstPassage(trace.highs, 8.5) as number;
      expect(world.effectiveAt(passage) - (world.onsetMs as number)).toBe(
        (outcome.restoreSeconds as number) * 1_000
      );
    }
  });
});

describe('Oracle curve against part 1c', () => {
  it.each(['regime-aware', 'green-only'] as const)(
    'gives the figures of fair.ts simulate on the same runs (%s: restore, floor, false rollbacks)',
    (detector) => {
      // Act: one threshold, every run counted; the curve reads traces, the check runs the policy through fair.ts
      const result = runOracle({ runs: 60, thresholds: [5.5], limitPct: 100, detector });
      const point = result.bound as CurvePoint;
      const check = result.boundAsPolicy;

      // Assess: not vacuous (some flapping runs roll back at h 5.5), and every printed figure agrees
      expect(point.falseRollbackPct.flapping).toBeGreaterThan(0);
      expect(check?.falseRollbackPct).toEqual(point.falseRollbackPct);
      expect(check?.restoreMedianSeconds).toBe(point.restoreMedianSeconds);
      expect(check?.floorRestoreMedianSeconds).toBe(point.floorRestoreMedianSeconds);
    }
  );

  it('reports the chosen h on fresh runs, and matches ours on as many runs as ours', () => {
    // Act: h chosen on runs 0-39, reported on 40-79; ours' 0 % matched on runs 0-19
    const result = runOracle({
      runs: 40,
      thresholds: [5, 5.5, 6, 7, 8, 10, 12],
      matched: { falseRollbackPct: 0, runs: 20 },
    });
    const fresh = (name: keyof typeof TRAFFIC_SCENARIOS) =>
      Array.from({ length: 40 }, (_, i) =>
        simulate(
          oraclePolicy((result.bound as CurvePoint).threshold),
          TRAFFIC_SCENARIOS[name],
          40 + i
        )
      );
    const first20 = runOracle({ runs: 20, thresholds: [5, 5.5, 6, 7, 8, 10, 12] });

    // Assess: the out-of-sample figures are those of runs 40-79 (differently from runs 0-39)
    const flapping = fresh('flapping');
    const restores = fresh('error-regression')
      .filter((r) => (r.onsetShare ?? 0) >= 25 && r.restoreSeconds !== null)
      .map((r) => r.restoreSeconds as number)
      .sort((a, b) => a - b);
    expect(result.outOfSample?.falseRollbackPct.flapping).toBe(
      Math.round((1_000 * flapping.filter((r) => r.falseRollback).length) / 40) / 10
    );
    expect(result.outOfSample?.restoreMedianSeconds).not.toBe(result.bound?.restoreMedianSeconds);
    expect(restores).toContain(result.outOfSample?.restoreMedianSeconds);
    const matched = result.atMatchedFalseRollback;
    expect(matched?.runs).toBe(20);
    expect(matched?.onTheseRuns).toEqual(
      first20.curve.find((p) => p.threshold === matched?.onTheseRuns.threshold)
    );
    expect(matched?.onTheseRuns).not.toEqual(
      result.curve.find((p) => p.threshold === matched?.onTheseRuns.threshold)
    );
  });
});
