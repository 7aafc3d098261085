import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  knownPeriods,
  periodBound,
  sequentialReach,
  sequentialReaches,
} from '../../../functions/core/cadence-reach.ts';
import {
  foldPeriods,
  initialSequentialState,
  ODDS_RATIOS,
  type PeriodCounts,
  periodCap,
  type SequentialState,
} from '../../../functions/core/sequential.ts';
import type { ServiceSample } from '../../../functions/core/types.ts';
import { inputWith } from './fixtures.ts';

const SETTINGS = { falseAlarmRate: 0.01, minEvidenceMinutes: 3 };
const CAP = periodCap(SETTINGS);
const START_MS = Date.parse('2026-03-02T10:00:00.000Z');
const at = (minute: number) => new Date(START_MS + minute * 60_000).toISOString();
const period = (minute: number, requests: number, errors: number): PeriodCounts => ({
  start: at(minute),
  requests,
  errors,
});
/** A test that consumed everything before `minute`, with every alternative's statistic at `statistic`. */
const stateAt = (minute: number, statistic = 0): SequentialState => ({
  ...initialSequentialState(),
  statistics: ODDS_RATIOS.map(() => statistic),
  evidence: statistic,
  consumedUntil: at(minute),
});
const sample = (periods: PeriodCounts[] | undefined): ServiceSample =>
  ({ discoveryName: 'orders', periods }) as ServiceSample;

describe('Function: periodBound', () => {
  it('bounds what the period brings to the test at any limit at or above the lowest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (requests, errorShare, lowest, above, statistic) => {
          const counts = period(5, requests, Math.round(requests * errorShare));
          const state = stateAt(5, statistic);
          const folded = foldPeriods(state, [counts], lowest + above, 60, SETTINGS);
          const bound = (state.evidence + 1) * periodBound(counts, lowest, CAP);
          expect(folded.evidence).toBeLessThanOrEqual(bound * (1 + 1e-9));
        }
      )
    );
  });

  it.each([
    {
      name: 'a healthy minute against 0.5 %',
      counts: period(0, 3000, 3),
      limit: 0.005,
      most: 0.01,
    },
    {
      name: 'a burst against 0.5 %: the cap',
      counts: period(0, 3000, 300),
      limit: 0.005,
      most: CAP,
    },
  ])('$name', ({ counts, limit, most }) => {
    const bound = periodBound(counts, limit, CAP);
    expect(bound).toBeLessThanOrEqual(most);
    expect(bound).toBeGreaterThan(0);
  });
});

describe('Function: sequentialReach', () => {
  const read = { start: at(0), end: at(5) };
  const healthy = [0, 1, 2, 3, 4].map((minute) => period(minute, 3000, 3));

  it('stays near the evidence over healthy minutes it has not folded', () => {
    const reach = sequentialReach(stateAt(0), healthy, read, 0.005, 60, SETTINGS);
    expect(reach.from).toBe(at(0));
    expect(reach.evidence).toBeLessThan(0.1);
  });

  it('is the largest over every suffix: healthy minutes folded first would lower it', () => {
    const periods = [period(0, 3000, 3), period(1, 3000, 300)];
    const reach = sequentialReach(
      stateAt(0, 50),
      periods,
      { start: at(0), end: at(2) },
      0.005,
      60,
      SETTINGS
    );
    expect(reach.evidence).toBeCloseTo(51 * CAP, 6);
  });

  it('keeps the evidence itself when nothing is left to fold (everything consumed)', () => {
    const reach = sequentialReach(stateAt(5, 40), healthy, read, 0.005, 60, SETTINGS);
    expect(reach.evidence).toBe(40);
  });

  it('skips the minutes the test consumed', () => {
    // Minutes without requests after the bad ones: folded, the bad ones would stand.
    const quiet = [2, 3, 4].map((minute) => period(minute, 0, 0));
    const periods = [period(0, 3000, 300), period(1, 3000, 300), ...quiet];
    const reach = sequentialReach(stateAt(2), periods, read, 0.005, 60, SETTINGS);
    expect(reach.evidence).toBe(0);
  });

  it('takes a minute without counts (not published yet) at the cap', () => {
    const reach = sequentialReach(
      stateAt(0),
      healthy.filter((p) => p.start !== at(4)),
      read,
      0.005,
      60,
      SETTINGS
    );
    expect(reach.evidence).toBeGreaterThanOrEqual(CAP);
  });

  it('leaves the evidence at a minute without requests, as the test does', () => {
    const periods = [period(0, 0, 0), period(1, 0, 0), period(2, 0, 0), period(3, 0, 0)];
    const reach = sequentialReach(stateAt(0, 7), [...periods, period(4, 0, 0)], read, 0.005, 60, {
      ...SETTINGS,
    });
    expect(reach.evidence).toBe(7);
  });

  it('reads a fresh test (nothing consumed) from the first minute read', () => {
    const reach = sequentialReach(
      initialSequentialState(),
      [period(0, 3000, 300)],
      { start: at(0), end: at(1) },
      0.005,
      60,
      SETTINGS
    );
    expect(reach.evidence).toBe(CAP);
  });

  it('bounds every fold of a suffix of the minutes at any limit at or above the lowest', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            requests: fc.constantFrom(0, 10, 400, 3000),
            share: fc.constantFrom(0, 0.001, 0.02, 0.3),
          }),
          { minLength: 1, maxLength: 8 }
        ),
        fc.nat({ max: 8 }),
        fc.nat({ max: 8 }),
        fc.constantFrom(0, 0.002, 0.005, 0.01),
        fc.constantFrom(0, 0.001, 0.05),
        fc.constantFrom(0, 3, 60),
        (minutes, consumed, suffix, lowest, above, statistic) => {
          const periods = minutes.map(({ requests, share }, minute) =>
            period(minute, requests, Math.round(requests * share))
          );
          const state = stateAt(consumed, statistic);
          const whole = { start: at(0), end: at(minutes.length) };
          const reach = sequentialReach(state, periods, whole, lowest, 60, SETTINGS);
          const folded = foldPeriods(state, periods.slice(suffix), lowest + above, 60, SETTINGS);
          expect(folded.evidence).toBeLessThanOrEqual(reach.evidence * (1 + 1e-9));
        }
      )
    );
  });
});

describe('Function: knownPeriods', () => {
  it.each([
    { name: 'no samples', samples: [], expected: [] },
    { name: 'a sample without per-period counts', samples: [sample(undefined)], expected: [] },
    {
      name: 'one name',
      samples: [sample([period(0, 10, 1)])],
      expected: [period(0, 10, 1)],
    },
    {
      name: 'two names: only the minutes both have, summed',
      samples: [
        sample([period(0, 10, 1), period(1, 20, 2)]),
        sample([period(1, 5, 1), period(2, 7, 0)]),
      ],
      expected: [period(1, 25, 3)],
    },
  ])('$name', ({ samples, expected }) => {
    expect(knownPeriods(samples)).toEqual(expected);
  });
});

describe('Function: sequentialReaches', () => {
  const input = inputWith({
    thresholds: {
      minEvidenceMinutes: 3,
      errorRateMaxPercent: 1,
      baseline: { errorRateMinDeltaPercent: 0.2 },
    },
  });
  const window = { start: at(4), end: at(5) };
  // 0.5 %: harmless against the absolute 1 %, strong evidence against a 0.2 % baseline limit.
  const erring = (minute: number) => period(minute, 3000, 15);

  it('bounds the absolute test at its limit and the baseline test at its lowest (minDelta)', () => {
    const reaches = sequentialReaches({
      input,
      states: { errorRate: stateAt(5), baselineErrorRate: stateAt(1) },
      window,
      windowSamples: [sample([erring(4)])],
      backlog: { start: at(1), samples: [sample([erring(1), erring(2), erring(3)])] },
    });
    expect(reaches['errorRate']).toEqual({ from: at(1), evidence: 0 });
    expect(reaches['baselineErrorRate']?.from).toBe(at(1));
    expect(reaches['baselineErrorRate']?.evidence).toBeGreaterThan(1_000);
    // The same minutes against the absolute limit bring nothing.
    const absolute = sequentialReaches({
      input,
      states: { errorRate: stateAt(1) },
      window,
      windowSamples: [sample([erring(4)])],
      backlog: { start: at(1), samples: [sample([erring(1), erring(2), erring(3)])] },
    });
    expect(absolute['errorRate']?.evidence).toBeLessThan(1);
  });

  it('bounds the absolute test at its own limit: minutes over it are strong evidence', () => {
    const reaches = sequentialReaches({
      input,
      states: { errorRate: stateAt(3) },
      window,
      windowSamples: [sample([period(4, 3000, 150)])],
      backlog: { start: at(3), samples: [sample([period(3, 3000, 150)])] },
    });
    // 5 % against 1 %: each minute at the cap.
    expect(reaches['errorRate']?.evidence).toBeCloseTo((CAP + 1) * CAP, 6);
  });

  it('reads from the window without a backlog; a missing test is fresh', () => {
    const reaches = sequentialReaches({
      input,
      states: {},
      window,
      windowSamples: [sample([period(4, 3000, 0)])],
      backlog: null,
    });
    expect(reaches['baselineErrorRate']).toEqual({
      from: at(4),
      evidence: expect.any(Number),
    });
    expect(reaches['baselineErrorRate']?.evidence).toBeLessThan(0.1);
  });
});
