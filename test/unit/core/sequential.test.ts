import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alarmThreshold,
  foldPeriods,
  formatOdds,
  initialSequentialState,
  logLikelihoodRatio,
  ODDS_RATIOS,
  periodCap,
  type SequentialSettings,
  type SequentialState,
  updateSequential,
} from '../../../functions/core/sequential.ts';

const DEFAULTS: SequentialSettings = { falseAlarmRate: 0.01, minEvidenceMinutes: 2 };
const START = Date.UTC(2026, 0, 1, 10, 0, 0);
const minute = (index: number, requests: number, errors: number) => ({
  start: new Date(START + index * 60_000).toISOString(),
  requests,
  errors,
});

/** Folds minutes of (requests, errors) one by one against `limit`. */
function run(
  minutes: readonly [number, number][],
  limit: number,
  settings: SequentialSettings = DEFAULTS
): SequentialState {
  return minutes.reduce(
    (state, [requests, errors], index) =>
      foldPeriods(state, [minute(index, requests, errors)], limit, 60, settings),
    initialSequentialState()
  );
}

/** A small seeded generator (mulberry32), so the simulations are the same on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function binomial(next: () => number, trials: number, probability: number): number {
  let successes = 0;
  for (let i = 0; i < trials; i++) if (next() < probability) successes += 1;
  return successes;
}

describe('Function: logLikelihoodRatio', () => {
  it.each([
    // x ln(p1/p0) + (n - x) ln((1 - p1)/(1 - p0)), p1 = odds ratio x the limit's odds (x2 at 1 %: 1.98 %)
    { errors: 0, requests: 0, limit: 0.01, ratio: 2, expected: 0 },
    { errors: 1, requests: 1, limit: 0.5, ratio: 3, expected: Math.log(1.5) },
    { errors: 0, requests: 1, limit: 0.5, ratio: 3, expected: Math.log(0.5) },
    { errors: 60, requests: 3_000, limit: 0.01, ratio: 2, expected: 11.74 },
    { errors: 6, requests: 3_000, limit: 0.01, ratio: 2, expected: -25.69 },
  ])('$errors of $requests against $limit at odds x$ratio -> $expected', (row) => {
    // Act
    const value = logLikelihoodRatio(row.errors, row.requests, row.limit, row.ratio);

    // Assess
    expect(value).toBeCloseTo(row.expected, 1);
  });

  it('reads a 0 % limit as a tiny one, so one 5xx is strong evidence and none is not', () => {
    // Act + Assess
    expect(logLikelihoodRatio(1, 100, 0, 2)).toBeGreaterThan(0.6);
    expect(logLikelihoodRatio(0, 100, 0, 2)).toBeLessThan(0);
    expect(Number.isFinite(logLikelihoodRatio(100, 100, 0, 30))).toBe(true);
  });
});

describe('Function: alarmThreshold and periodCap', () => {
  it.each([
    { settings: DEFAULTS, threshold: 144_000, cap: Math.sqrt(144_000 * 6) },
    { settings: { falseAlarmRate: 0.5, minEvidenceMinutes: 1 }, threshold: 2_880, cap: 2_880 * 6 },
    {
      settings: { falseAlarmRate: 0.001, minEvidenceMinutes: 3 },
      threshold: 1_440_000,
      cap: (1_440_000 * 6) ** (1 / 3),
    },
  ])('$settings -> threshold $threshold, cap $cap', ({ settings, threshold, cap }) => {
    // Act + Assess
    expect(alarmThreshold(settings)).toBeCloseTo(threshold, 6);
    expect(periodCap(settings)).toBeCloseTo(cap, 6);
  });
});

describe('Function: updateSequential / foldPeriods', () => {
  it('rolls back on two minutes of a clear regression, never on one', () => {
    // Act: 2 % 5xx at 3,000 requests a minute against a 1 % limit
    const one = run([[3_000, 60]], 0.01);
    const two = run(
      [
        [3_000, 60],
        [3_000, 60],
      ],
      0.01
    );

    // Assess
    expect(one.evidence).toBeLessThan(alarmThreshold(DEFAULTS));
    expect(two.evidence).toBeGreaterThanOrEqual(alarmThreshold(DEFAULTS));
    expect(two).toMatchObject({ minutes: 2, requests: 6_000, errors: 120 });
  });

  it('waits on weak evidence: 1.2 % against 1 % at 3,000 a minute takes more than 5 minutes', () => {
    // Act
    const state = run(
      Array.from({ length: 5 }, () => [3_000, 36] as [number, number]),
      0.01
    );

    // Assess
    expect(state.evidence).toBeLessThan(alarmThreshold(DEFAULTS));
  });

  it('forgets healthy minutes: one healthy minute brings the evidence below even odds', () => {
    // Act
    const state = run(
      [
        [3_000, 60],
        [3_000, 3],
      ],
      0.01
    );

    // Assess
    expect(state.evidence).toBeLessThan(1);
  });

  it('restarts the reported stretch once the evidence fell below even odds', () => {
    // Act: bad, healthy (evidence < 1), bad
    const state = run(
      [
        [3_000, 60],
        [3_000, 3],
        [3_000, 60],
      ],
      0.01
    );

    // Assess
    expect(state).toMatchObject({ minutes: 1, requests: 3_000, errors: 60 });
  });

  it('finds a regression after a long healthy stretch as fast as at the start', () => {
    // Act: 60 healthy minutes, then two bad ones
    const state = run(
      [
        ...Array.from({ length: 60 }, () => [3_000, 6] as [number, number]),
        [3_000, 60],
        [3_000, 60],
      ],
      0.01
    );

    // Assess
    expect(state.evidence).toBeGreaterThanOrEqual(alarmThreshold(DEFAULTS));
  });

  it('starts a statistic missing from a stored state at 0', () => {
    // Act
    const fromEmpty = updateSequential(
      { ...initialSequentialState(), statistics: [] },
      minute(0, 3_000, 60),
      0.01,
      DEFAULTS
    );

    // Assess
    expect(fromEmpty).toEqual(
      updateSequential(initialSequentialState(), minute(0, 3_000, 60), 0.01, DEFAULTS)
    );
  });

  it('ignores a period without requests (no data is no evidence and no tick of the clock)', () => {
    // Prepare
    const before = run([[3_000, 60]], 0.01);

    // Act
    const after = updateSequential(before, minute(1, 0, 0), 0.01, DEFAULTS);

    // Assess
    expect(after).toBe(before);
  });

  it('counts each period once however often the window reads it, and moves past the newest', () => {
    // Prepare
    const periods = [minute(0, 3_000, 60), minute(1, 3_000, 30)];
    const once = foldPeriods(initialSequentialState(), periods, 0.01, 60, DEFAULTS);

    // Act: the same window read again, and then with one more minute
    const again = foldPeriods(once, periods, 0.01, 60, DEFAULTS);
    const more = foldPeriods(once, [...periods, minute(2, 3_000, 60)], 0.01, 60, DEFAULTS);

    // Assess
    expect(once.consumedUntil).toBe(new Date(START + 120_000).toISOString());
    expect(again).toEqual(once);
    expect(more.minutes).toBe(3);
    expect(more.consumedUntil).toBe(new Date(START + 180_000).toISOString());
  });

  it('folds out-of-order periods oldest first', () => {
    // Act
    const reversed = foldPeriods(
      initialSequentialState(),
      [minute(1, 3_000, 3), minute(0, 3_000, 60)],
      0.01,
      60,
      DEFAULTS
    );

    // Assess: the healthy minute came last, so the evidence is gone
    expect(reversed.evidence).toBeLessThan(1);
  });

  it('never reaches the threshold in fewer than minEvidenceMinutes periods, whatever the counts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 4 }),
        fc.double({ min: 0.0001, max: 0.2, noNaN: true }),
        (minEvidenceMinutes, sizes, limit) => {
          // Prepare: every minute all 5xx, the strongest evidence there is
          const settings = { falseAlarmRate: 0.01, minEvidenceMinutes };
          const minutes = sizes
            .slice(0, minEvidenceMinutes - 1)
            .map((n) => [n, n] as [number, number]);

          // Act
          const state = run(minutes, limit, settings);

          // Assess
          expect(state.evidence).toBeLessThan(alarmThreshold(settings));
        }
      )
    );
  });

  it('is monotone in evidence: more 5xx in a minute never lowers it', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 1, max: 5_000 }),
            fc.double({ min: 0, max: 0.1, noNaN: true })
          ),
          { minLength: 1, maxLength: 6 }
        ),
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0.001, max: 0.05, noNaN: true }),
        (shape, extra, limit) => {
          // Prepare
          const minutes = shape.map(([n, share]) => [n, Math.floor(n * share)] as [number, number]);
          const last = minutes[minutes.length - 1] as [number, number];
          const worse = [
            ...minutes.slice(0, -1),
            [last[0], Math.min(last[0], last[1] + extra)] as [number, number],
          ];

          // Act + Assess
          expect(run(worse, limit).evidence).toBeGreaterThanOrEqual(run(minutes, limit).evidence);
        }
      )
    );
  });

  it('stays JSON: huge evidence is finite', () => {
    // Act
    const state = run(
      Array.from({ length: 400 }, () => [100_000, 100_000] as [number, number]),
      0.01,
      { falseAlarmRate: 0.5, minEvidenceMinutes: 1 }
    );

    // Assess
    expect(Number.isFinite(state.evidence)).toBe(true);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});

describe('The false-alarm bound (Shiryaev–Roberts: P(alarm within T periods) <= T / threshold)', () => {
  // Loose settings so that the bound is large enough to be checked by simulation: falseAlarmRate 0.5
  // (threshold 2,880) and no cap; T = 144 periods -> bound 5 %.
  const settings: SequentialSettings = { falseAlarmRate: 0.5, minEvidenceMinutes: 1 };
  const periods = 144;
  const bound = periods / alarmThreshold(settings);

  /** Share of `runs` simulated green runs at a true 5xx rate `rate` that reach the threshold. */
  function alarmRate(rate: number, limit: number, requests: number, runs: number): number {
    const next = generator(20260101);
    let alarms = 0;
    for (let r = 0; r < runs; r++) {
      let state = initialSequentialState();
      for (let t = 0; t < periods; t++) {
        state = updateSequential(
          state,
          minute(t, requests, binomial(next, requests, rate)),
          limit,
          settings
        );
        if (state.evidence >= alarmThreshold(settings)) {
          alarms += 1;
          break;
        }
      }
    }
    return alarms / runs;
  }

  it('a green exactly at its limit alarms in at most the bound of simulated runs', () => {
    // Act: 400 runs of 144 minutes at 2 % against a 2 % limit, 60 requests a minute
    const rate = alarmRate(0.02, 0.02, 60, 400);

    // Assess: the bound, plus 2 standard errors of the simulation
    expect(rate).toBeLessThanOrEqual(bound + 2 * Math.sqrt((bound * (1 - bound)) / 400));
  });

  it('a green well within its limit practically never alarms', () => {
    // Act
    const rate = alarmRate(0.005, 0.02, 60, 200);

    // Assess
    expect(rate).toBe(0);
  });

  it('a green at twice its limit is found in every simulated run', () => {
    // Act
    const rate = alarmRate(0.04, 0.02, 60, 100);

    // Assess
    expect(rate).toBe(1);
  });

  it('weighs every alternative equally', () => {
    // Assess: the mixture is the plain mean of the per-alternative statistics
    const state = run([[1_000, 30]], 0.01);
    const mean = state.statistics.reduce((sum, value) => sum + value, 0) / ODDS_RATIOS.length;
    expect(state.evidence).toBeCloseTo(mean, 9);
  });
});

describe('Function: formatOdds', () => {
  it.each([
    { evidence: 38.2, text: '38:1' },
    { evidence: 0.0234, text: '0.023:1' },
    { evidence: 1_412_345, text: '1,400,000:1' },
    { evidence: 5e13, text: '>1e12:1' },
  ])('$evidence -> $text', ({ evidence, text }) => {
    // Act + Assess
    expect(formatOdds(evidence)).toBe(text);
  });
});
