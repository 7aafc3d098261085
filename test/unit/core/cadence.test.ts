import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evidenceReach, nextCadence, quietFor } from '../../../functions/core/cadence.ts';
import { foldEnds, foldMinutes, foldSpan } from '../../../functions/core/cadence-fold.ts';
import type { MigrationInput } from '../../../functions/core/input.ts';
import {
  alarmThreshold,
  initialSequentialState,
  ODDS_RATIOS,
  periodCap,
  type SequentialState,
  updateSequential,
} from '../../../functions/core/sequential.ts';
import type { RunState } from '../../../functions/core/state.ts';
import {
  Action,
  type Evaluation,
  type ShiftStatus,
  type TimeWindow,
  Verdict,
} from '../../../functions/core/types.ts';
import { inputWith, statusAt } from './fixtures.ts';

const SETTINGS = { falseAlarmRate: 0.01, minEvidenceMinutes: 2 };
const WINDOW = { start: '2026-03-02T10:04:00.000Z', end: '2026-03-02T10:05:00.000Z' };
const OBSERVE = { action: Action.Observe, reason: 'baking' };

/** A state whose every alternative's statistic is `statistic`. */
function stateWith(statistic: number): SequentialState {
  return {
    ...initialSequentialState(),
    statistics: ODDS_RATIOS.map(() => statistic),
    evidence: statistic,
    consumedUntil: WINDOW.end,
  };
}

/** A minute so bad that every alternative's ratio reaches the cap. */
const OVERWHELMING = { start: WINDOW.end, requests: 10_000, errors: 10_000 };

describe('Function: evidenceReach / quietFor', () => {
  it('is exactly what overwhelming minutes bring (the bound is tight)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1_000, noNaN: true }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        (statistic, periods, minEvidenceMinutes) => {
          const settings = { falseAlarmRate: 0.01, minEvidenceMinutes };
          let state = stateWith(statistic);
          for (let i = 0; i < periods; i++)
            state = updateSequential(state, OVERWHELMING, 0.01, settings);
          const reach = evidenceReach(statistic, periods, periodCap(settings));
          expect(Math.abs(state.evidence / reach - 1)).toBeLessThan(1e-9);
        }
      )
    );
  });

  it.each([
    { name: 'no evidence, one more minute: 929 < 144,000', evidence: 0, periods: 1, quiet: true },
    { name: 'no evidence, two more minutes reach it', evidence: 0, periods: 2, quiet: false },
    { name: 'no more minutes: nothing changes', evidence: 10, periods: 0, quiet: true },
  ])('$name', ({ evidence, periods, quiet }) => {
    expect(quietFor({ evidence }, periods, SETTINGS)).toBe(quiet);
  });

  it('is quiet exactly below the evidence from which one capped minute reaches the threshold', () => {
    const cap = periodCap(SETTINGS);
    const edge = alarmThreshold(SETTINGS) / cap - 1;
    expect(quietFor({ evidence: edge * 0.999 }, 1, SETTINGS)).toBe(true);
    expect(quietFor({ evidence: edge }, 1, SETTINGS)).toBe(false);
    expect(quietFor({ evidence: edge * 1.001 }, 1, SETTINGS)).toBe(false);
  });
});

// minEvidenceMinutes 2 (the former default): the bounds below are worked out for it.
const BASE = inputWith({
  plan: { steps: [25, 100], bakeSeconds: 600, finalBakeSeconds: 600 },
  metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
  thresholds: { minEvidenceMinutes: 2 },
});

/** Healthy at 25 %: 120 s baked, the cursor at the window's end, both tests with no evidence. */
function healthy(changes: Partial<ShiftStatus> = {}): ShiftStatus {
  return {
    ...statusAt(25, '2026-03-02T10:02:00.000Z'),
    windowFrom: WINDOW.end,
    bakedSeconds: 120,
    sequential: { errorRate: stateWith(0), baselineErrorRate: stateWith(0) },
    ...changes,
  };
}

function cadenceOf(
  input: MigrationInput = BASE,
  status: ShiftStatus = healthy(),
  extra: Partial<Parameters<typeof nextCadence>[0]> = {}
) {
  return nextCadence({ input, status, decision: OBSERVE, window: WINDOW, ...extra });
}

describe('Function: nextCadence', () => {
  it('is quiet on a healthy step: minEvidenceMinutes minutes, from the window judged', () => {
    expect(cadenceOf()).toEqual({ minutes: 2, through: WINDOW.end, reason: 'quiet' });
    const three = { ...BASE, thresholds: { ...BASE.thresholds, minEvidenceMinutes: 3 } };
    expect(cadenceOf(three).minutes).toBe(3);
  });

  it.each([
    { name: 'no window judged', extra: { window: null }, reason: 'no window judged', through: '' },
    {
      name: 'a decision other than observe or hold',
      extra: { decision: { action: Action.Advance, reason: 'x' } },
      reason: 'decision advance',
    },
    {
      name: 'a pending operator request or gate',
      extra: { operatorPending: true },
      reason: 'operator request or gate pending',
    },
    {
      name: 'edge load balancers',
      extra: {
        edge: [
          { side: 'green' as const, kind: 'application' as const, name: 'g', dimension: 'app/g/1' },
        ],
      },
      reason: 'the edge is read once per look',
    },
  ])('is watchful with $name', ({ extra, reason, through }) => {
    expect(cadenceOf(BASE, healthy(), extra as never)).toEqual({
      minutes: 1,
      reason,
      through: through ?? WINDOW.end,
    });
  });

  it.each([
    { name: 'alarms', input: { alarms: ['green-5xx'] }, reason: 'alarms roll back at any look' },
    {
      name: 'custom queries',
      input: {
        metrics: {
          ...BASE.metrics,
          queries: [
            {
              label: 'q',
              side: 'green',
              badWhen: 'above',
              limit: 1,
              green: { expression: 'SUM(METRICS())' },
            },
          ],
        },
      },
      reason: 'custom queries are read once per look',
    },
    {
      name: 'a p99 check',
      input: { thresholds: { ...BASE.thresholds, latencyP99MaxMs: 500 } },
      reason: 'p99 does not fold by minute',
    },
    {
      name: 'an interval other than one period',
      input: { plan: { ...BASE.plan, evaluationIntervalSeconds: 120 } },
      reason: 'evaluation interval is not one period',
    },
    {
      name: 'a sequential test one capped minute from its threshold',
      status: { sequential: { errorRate: stateWith(200), baselineErrorRate: stateWith(0) } },
      reason: 'sequential errorRate evidence',
    },
    {
      name: 'a test with minutes not folded yet (a stale baseline test)',
      status: {
        sequential: {
          errorRate: stateWith(0),
          baselineErrorRate: { ...stateWith(0), consumedUntil: '2026-03-02T10:04:00.000Z' },
        },
      },
      reason: 'sequential baselineErrorRate evidence',
    },
    {
      name: 'a test not started yet with minutes the window can hold',
      status: {
        windowFrom: '2026-03-02T10:04:00.000Z',
        sequential: { errorRate: stateWith(0) },
      },
      reason: 'sequential baselineErrorRate evidence',
    },
    { name: 'one Fail from maxFailures', status: { failures: 6 }, reason: 'maxFailures' },
    {
      name: 'minEvidenceMinutes 1 (the first of equal bounds names it)',
      input: { thresholds: { ...BASE.thresholds, minEvidenceMinutes: 1 } },
      reason: 'minEvidenceMinutes',
    },
    {
      name: 'a status written before the sequential tests existed',
      status: { sequential: undefined },
      reason: 'sequential errorRate evidence',
    },
    {
      name: 'one Fail from maxConsecutiveFailures',
      status: { consecutiveFailures: 2 },
      reason: 'maxConsecutiveFailures',
    },
    {
      name: 'one Error from maxConsecutiveErrors',
      status: { consecutiveErrors: 4 },
      reason: 'maxConsecutiveErrors',
    },
    {
      name: 'one Inconclusive from maxInconclusive (rollback)',
      status: { inconclusiveStreak: 30 },
      reason: 'maxInconclusive',
    },
    {
      name: 'the bake ending at the next minute',
      status: { bakedSeconds: 540 },
      reason: 'bake end',
    },
    { name: 'the bake already over (holding)', status: { bakedSeconds: 600 }, reason: 'bake end' },
    {
      name: 'the bake over at the next minute with the Inconclusive minutes since the cursor',
      status: { bakedSeconds: 420, windowFrom: '2026-03-02T10:03:00.000Z' },
      reason: 'bake end',
    },
  ])('is watchful with $name', ({ input, status, reason }) => {
    const parsed = input === undefined ? BASE : ({ ...BASE, ...input } as MigrationInput);
    expect(cadenceOf(parsed, healthy(status as Partial<ShiftStatus>))).toMatchObject({
      minutes: 1,
      reason,
    });
  });

  it.each([
    { name: 'two Fails from maxFailures', status: { failures: 5 } },
    {
      name: 'a status without a cursor (the window start stands in)',
      status: { windowFrom: null },
    },
    { name: 'two Errors from maxConsecutiveErrors', status: { consecutiveErrors: 3 } },
    { name: 'the bake ending in two minutes', status: { bakedSeconds: 480 } },
    {
      name: 'an Inconclusive streak at the limit with onInconclusiveLimit hold',
      status: { inconclusiveStreak: 30 },
      hold: true,
    },
    {
      name: 'evidence just below one capped minute',
      status: { sequential: { errorRate: stateWith(150), baselineErrorRate: stateWith(0) } },
    },
    {
      name: 'no blue names: no baseline test to wait for',
      status: { sequential: { errorRate: stateWith(0) } },
      noBlue: true,
    },
  ])('stays quiet with $name', ({ status, hold, noBlue }) => {
    const input: MigrationInput = {
      ...BASE,
      limits: { ...BASE.limits, ...(hold ? { onInconclusiveLimit: 'hold' as const } : {}) },
      metrics: noBlue ? { ...BASE.metrics, blueDiscoveryNames: undefined } : BASE.metrics,
    };
    expect(cadenceOf(input, healthy(status as Partial<ShiftStatus>)).minutes).toBe(2);
  });
});

describe('Function: nextCadence, minutes a stale test may fold at once', () => {
  // minEvidenceMinutes 10: cap ≈ 3.92, so from no evidence 8 capped periods stay below 144,000, 9 do not;
  // k - 1 + the stale test's foldable minutes must stay <= 8. Limits and bake wide enough not to bind.
  const stale = { ...stateWith(0), consumedUntil: '2026-03-02T08:00:00.000Z' };
  const input: MigrationInput = {
    ...BASE,
    plan: { ...BASE.plan, bakeSeconds: 3_600 },
    metrics: { ...BASE.metrics, windowSeconds: 120 },
    thresholds: { ...BASE.thresholds, minEvidenceMinutes: 10 },
    limits: {
      ...BASE.limits,
      maxFailures: 20,
      maxConsecutiveFailures: 20,
      maxConsecutiveErrors: 20,
    },
  };
  it.each([
    {
      name: 'cursor at the window end: the backlog reaches windowSeconds back (2 minutes)',
      windowFrom: WINDOW.end,
      minutes: 7,
    },
    {
      name: 'cursor far behind: the window starts windowSeconds back, its backlog as much again (4 minutes)',
      windowFrom: '2026-03-02T09:55:00.000Z',
      minutes: 5,
    },
  ])('$name', ({ windowFrom, minutes }) => {
    const status = healthy({
      windowFrom,
      bakedSeconds: 0,
      sequential: { errorRate: stateWith(0), baselineErrorRate: stale },
    });
    expect(cadenceOf(input, status)).toMatchObject({ minutes, reason: 'quiet' });
  });
});

describe('Function: nextCadence, a stale test bounded by the minutes read (sequentialReach)', () => {
  // The stale baseline test above: consumed 10:04, so a later window (its backlog reaching 10:00) folds it
  // from 10:04 on, at once (capped: watchful); the evaluation's reach covers it when read from 10:04 or before.
  // At 100 % green only (below it blue's minutes may be published after green's: see the last case).
  const status = healthy({
    greenPercent: 100,
    sequential: {
      errorRate: stateWith(0),
      baselineErrorRate: { ...stateWith(0), consumedUntil: '2026-03-02T10:04:00.000Z' },
    },
  });
  const reachOf = (from: string, evidence: number) => ({
    errorRate: { from: WINDOW.end, evidence: 0 },
    baselineErrorRate: { from, evidence },
  });
  it.each([
    {
      name: 'healthy minutes read from where a later backlog may start: quiet',
      reach: reachOf('2026-03-02T10:00:00.000Z', 0.01),
      expected: { minutes: 2, reason: 'quiet' },
    },
    {
      name: 'read exactly from where the test resumes: quiet',
      reach: reachOf('2026-03-02T10:04:00.000Z', 0.01),
      expected: { minutes: 2, reason: 'quiet' },
    },
    {
      name: 'read from later than where the test resumes (a minute not read): the cap, watchful',
      reach: reachOf(WINDOW.end, 0.01),
      expected: { minutes: 1, reason: 'sequential baselineErrorRate evidence' },
    },
    {
      name: 'minutes read whose reach is one capped minute from the threshold: watchful',
      reach: reachOf('2026-03-02T10:00:00.000Z', 200),
      expected: { minutes: 1, reason: 'sequential baselineErrorRate evidence' },
    },
    {
      name: 'a reach above the capped bound (an older minute read): the capped bound still holds, quiet',
      status: healthy(),
      reach: reachOf('2026-03-02T10:00:00.000Z', 200),
      expected: { minutes: 2, reason: 'quiet' },
    },
    {
      name: 'no reach (an evaluation written before it existed): the cap, watchful',
      reach: undefined,
      expected: { minutes: 1, reason: 'sequential baselineErrorRate evidence' },
    },
    {
      name: 'below 100 % (green minutes read in part may grow before the test resumes): the cap, watchful',
      status: { ...status, greenPercent: 75 },
      reach: reachOf('2026-03-02T10:00:00.000Z', 0.01),
      expected: { minutes: 1, reason: 'sequential baselineErrorRate evidence' },
    },
  ])('$name', ({ reach, expected, ...rest }) => {
    const at = 'status' in rest ? rest.status : status;
    expect(cadenceOf(BASE, at, reach === undefined ? {} : { reach })).toMatchObject(expected);
  });
});

describe('Function: foldEnds / foldSpan', () => {
  const window = { start: '2026-03-02T10:03:00.000Z', end: '2026-03-02T10:07:00.000Z' };
  it.each([
    { name: 'no cadence yet: the window as one look', cadence: undefined, ends: ['10:07'] },
    {
      name: 'after a watchful wait: one look',
      cadence: { minutes: 1, through: '2026-03-02T10:05:00.000Z', reason: 'bake end' },
      ends: ['10:07'],
    },
    {
      name: 'after a quiet wait: every minute since the last judged one',
      cadence: { minutes: 2, through: '2026-03-02T10:05:00.000Z', reason: 'quiet' },
      ends: ['10:06', '10:07'],
    },
    {
      name: 'a look later than planned: every minute still',
      cadence: { minutes: 2, through: '2026-03-02T10:04:00.000Z', reason: 'quiet' },
      ends: ['10:05', '10:06', '10:07'],
    },
    {
      name: 'after a quiet look whose read of green failed: its minutes again, one by one',
      cadence: { minutes: 1, through: '2026-03-02T10:04:00.000Z', reason: 'x', refold: true },
      ends: ['10:05', '10:06', '10:07'],
    },
    {
      // windowSeconds 300 / 60 + minEvidenceMinutes 2: at most 7, the newest
      name: 'a through far behind (a hand-made continuation): the newest 7 minutes only',
      cadence: { minutes: 2, through: '2025-03-02T10:04:00.000Z', reason: 'quiet' },
      ends: ['10:01', '10:02', '10:03', '10:04', '10:05', '10:06', '10:07'],
    },
  ])('$name', ({ cadence, ends }) => {
    expect(foldEnds(cadence, window, BASE).map((end) => end.slice(11, 16))).toEqual(ends);
  });

  it('has nothing to read when the first minute has no window (already judged)', () => {
    const state = { input: BASE, status: { ...healthy(), windowFrom: '2026-03-02T10:07:00.000Z' } };
    expect(foldSpan(state as RunState, ['2026-03-02T10:06:00.000Z'])).toBeNull();
  });

  it('stops at a minute that decides anything but observe or hold, returning that minute', () => {
    // Prepare: the first of two minutes carries an alarm (immediate rollback)
    const state = {
      input: BASE,
      steps: [25, 100],
      status: { ...healthy(), windowFrom: '2026-03-02T10:05:00.000Z' },
    } as unknown as RunState;
    const alarmed: Evaluation = {
      verdict: Verdict.Fail,
      reason: 'alarm',
      assessments: [],
      window: null,
      immediateRollback: 'alarm green-5xx in ALARM',
    };
    const judged: (TimeWindow | null)[] = [];

    // Act
    const folded = foldMinutes(
      state,
      ['2026-03-02T10:06:00.000Z', '2026-03-02T10:07:00.000Z'],
      new Date('2026-03-02T10:08:30.000Z'),
      (_status, window) => {
        judged.push(window);
        return alarmed;
      }
    );

    // Assess: the second minute is never judged; the status is the one before the deciding minute
    expect(judged).toHaveLength(1);
    expect(folded.evaluation).toBe(alarmed);
    expect(folded.state.status).toBe(state.status);
  });

  it("reads from the first minute's window or its backlog, whichever is older", () => {
    const state = {
      input: BASE,
      status: {
        ...healthy(),
        windowFrom: '2026-03-02T10:05:00.000Z',
        sequential: {
          errorRate: { ...stateWith(0), consumedUntil: '2026-03-02T10:03:00.000Z' },
        },
      },
    } as unknown as RunState;
    const ends = ['2026-03-02T10:06:00.000Z', '2026-03-02T10:07:00.000Z'];
    expect(foldSpan(state, ends)).toEqual({
      start: '2026-03-02T10:03:00.000Z',
      end: '2026-03-02T10:07:00.000Z',
    });
    const caughtUp = {
      ...state,
      status: { ...state.status, sequential: { errorRate: stateWith(0) } },
    } as RunState;
    expect(foldSpan(caughtUp, ends)).toEqual({
      start: '2026-03-02T10:05:00.000Z',
      end: '2026-03-02T10:07:00.000Z',
    });
  });
});
