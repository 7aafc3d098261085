import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, initialStatus, statusForNewStep } from '../../../functions/core/decide.ts';
import {
  Action,
  type Evaluation,
  type ShiftStatus,
  Verdict,
} from '../../../functions/core/types.ts';
import { evaluationWith, inputWith, statusAt } from './fixtures.ts';

const JUDGING_FROM = '2025-01-01T00:00:00.000Z';
const atSeconds = (seconds: number) => new Date(Date.parse(JUDGING_FROM) + seconds * 1_000);
const steps = [10, 50, 100];
const input = inputWith({ plan: { steps, bakeSeconds: 600, finalBakeSeconds: 300 } });

describe('Function: decide', () => {
  describe('counters', () => {
    const before = statusAt(10, JUDGING_FROM, {
      evaluations: 7,
      stepEvaluations: 3,
      failures: 1,
      consecutiveFailures: 1,
      inconclusiveStreak: 2,
      consecutiveErrors: 3,
    });
    const lenient = inputWith({
      limits: {
        maxFailures: 10,
        maxConsecutiveFailures: 10,
        maxConsecutiveErrors: 10,
        maxInconclusive: 10,
      },
    });

    it.each([
      {
        verdict: Verdict.Fail,
        expected: {
          failures: 2,
          consecutiveFailures: 2,
          inconclusiveStreak: 0,
          consecutiveErrors: 0,
        },
      },
      {
        verdict: Verdict.Inconclusive,
        expected: {
          failures: 1,
          consecutiveFailures: 1,
          inconclusiveStreak: 3,
          consecutiveErrors: 0,
        },
      },
      {
        verdict: Verdict.Error,
        expected: {
          failures: 1,
          consecutiveFailures: 1,
          inconclusiveStreak: 2,
          consecutiveErrors: 4,
        },
      },
      {
        verdict: Verdict.Pass,
        expected: {
          failures: 1,
          consecutiveFailures: 0,
          inconclusiveStreak: 0,
          consecutiveErrors: 0,
        },
      },
    ])('counts a $verdict', ({ verdict, expected }) => {
      // Act
      const { status } = decide({
        status: before,
        evaluation: evaluationWith(verdict),
        steps,
        input: lenient,
        now: atSeconds(60),
      });

      // Assess
      expect(status).toEqual({
        ...before,
        ...expected,
        evaluations: 8,
        stepEvaluations: 4,
        lastVerdict: verdict,
      });
    });
  });

  describe('rules, in order', () => {
    it.each([
      {
        name: 'rolls back when failures (3) > maxFailures (2)',
        status: { failures: 2 },
        limits: { maxFailures: 2, maxConsecutiveFailures: 5 },
        verdict: Verdict.Fail,
        action: Action.Rollback,
        reason: 'failures (3) > maxFailures (2); latest evaluation: Fail evaluation',
      },
      {
        name: 'rolls back when consecutive failures (2) > maxConsecutiveFailures (1)',
        status: { failures: 1, consecutiveFailures: 1 },
        limits: { maxFailures: 5, maxConsecutiveFailures: 1 },
        verdict: Verdict.Fail,
        action: Action.Rollback,
        reason:
          'consecutive failures (2) > maxConsecutiveFailures (1); latest evaluation: Fail evaluation',
      },
      {
        name: 'prefers the failures rule when both failure limits are exceeded',
        status: { failures: 0, consecutiveFailures: 0 },
        limits: { maxFailures: 0, maxConsecutiveFailures: 0 },
        verdict: Verdict.Fail,
        action: Action.Rollback,
        reason: 'failures (1) > maxFailures (0); latest evaluation: Fail evaluation',
      },
      {
        name: 'rolls back when consecutive errors (5) > maxConsecutiveErrors (4)',
        status: { consecutiveErrors: 4 },
        limits: {},
        verdict: Verdict.Error,
        action: Action.Rollback,
        reason:
          'consecutive errors (5) > maxConsecutiveErrors (4); latest evaluation: Error evaluation',
      },
      {
        name: 'rolls back when inconclusive streak (31) > maxInconclusive (30) with onInconclusiveLimit rollback',
        status: { inconclusiveStreak: 30 },
        limits: {},
        verdict: Verdict.Inconclusive,
        action: Action.Rollback,
        reason:
          'inconclusive streak (31) > maxInconclusive (30); latest evaluation: Inconclusive evaluation',
      },
      {
        name: 'holds when inconclusive streak (4) > maxInconclusive (3) with onInconclusiveLimit hold',
        status: { inconclusiveStreak: 3 },
        limits: { maxInconclusive: 3, onInconclusiveLimit: 'hold' as const },
        verdict: Verdict.Inconclusive,
        action: Action.Hold,
        reason:
          'inconclusive streak (4) > maxInconclusive (3) (onInconclusiveLimit: hold); latest evaluation: Inconclusive evaluation',
      },
      {
        name: 'holds on a Fail within the limits',
        status: {},
        limits: {},
        verdict: Verdict.Fail,
        action: Action.Hold,
        reason: 'Fail evaluation',
      },
      {
        name: 'holds on an Error within maxConsecutiveErrors',
        status: { consecutiveErrors: 3 },
        limits: {},
        verdict: Verdict.Error,
        action: Action.Hold,
        reason: 'Error evaluation',
      },
      {
        name: 'holds on an Inconclusive within maxInconclusive',
        status: {},
        limits: {},
        verdict: Verdict.Inconclusive,
        action: Action.Hold,
        reason: 'Inconclusive evaluation',
      },
    ])('$name', ({ status, limits, verdict, action, reason }) => {
      // Prepare
      const limited = inputWith({ plan: { steps }, limits });

      // Act
      const { decision } = decide({
        status: statusAt(10, JUDGING_FROM, status),
        evaluation: evaluationWith(verdict),
        steps,
        input: limited,
        now: atSeconds(3_600),
      });

      // Assess
      expect(decision).toEqual({ action, reason });
    });

    it.each([
      {
        name: 'observes while the bake is not over',
        greenPercent: 10,
        bakedBefore: 540,
        dataSeconds: 59,
        expected: {
          action: Action.Observe,
          reason: 'baking at 10%: 599 s of 600 s; Pass evaluation',
        },
      },
      {
        name: 'advances to the next step once the bake is over',
        greenPercent: 10,
        bakedBefore: 540,
        dataSeconds: 60,
        expected: {
          action: Action.Advance,
          nextGreenPercent: 50,
          reason: 'advance to 50%: 10% passed its bake (600 s); Pass evaluation',
        },
      },
      {
        name: 'observes at 100% during the final bake',
        greenPercent: 100,
        bakedBefore: 240,
        dataSeconds: 59,
        expected: {
          action: Action.Observe,
          reason: 'baking at 100%: 299 s of 300 s; Pass evaluation',
        },
      },
      {
        name: 'completes at 100% after the final bake',
        greenPercent: 100,
        bakedBefore: 240,
        dataSeconds: 60,
        expected: {
          action: Action.Complete,
          reason: 'green at 100% passed the final bake (300 s); Pass evaluation',
        },
      },
    ])('$name', ({ greenPercent, bakedBefore, dataSeconds, expected }) => {
      // Act
      const { decision, status } = decide({
        status: statusAt(greenPercent, JUDGING_FROM, { bakedSeconds: bakedBefore }),
        evaluation: {
          ...evaluationWith(Verdict.Pass),
          window: { start: atSeconds(0).toISOString(), end: atSeconds(300).toISOString() },
          judgedDataSeconds: dataSeconds,
        },
        steps,
        input,
        now: atSeconds(3_600),
      });

      // Assess
      expect(decision).toEqual(expected);
      expect(status.bakedSeconds).toBe(bakedBefore + dataSeconds);
    });

    it.each([
      { finalBakeSeconds: 0, action: Action.Complete },
      { finalBakeSeconds: 60, action: Action.Observe },
    ])(
      'counts a step that is not judgeable yet as no bake (final bake $finalBakeSeconds s -> $action)',
      ({ finalBakeSeconds, action }) => {
        // Act
        const { decision } = decide({
          status: statusAt(100, null),
          evaluation: evaluationWith(Verdict.Pass),
          steps,
          input: inputWith({ plan: { steps, finalBakeSeconds } }),
          now: atSeconds(0),
        });

        // Assess
        expect(decision.action).toBe(action);
      }
    );
  });

  it('is deterministic and leaves its arguments alone', () => {
    const counter = fc.integer({ min: 0, max: 40 });
    fc.assert(
      fc.property(
        fc.record({
          failures: counter,
          consecutiveFailures: counter,
          inconclusiveStreak: counter,
          consecutiveErrors: counter,
          evaluations: counter,
          stepEvaluations: counter,
        }),
        fc.constantFrom(...steps),
        fc.constantFrom(Verdict.Pass, Verdict.Fail, Verdict.Inconclusive, Verdict.Error),
        fc.integer({ min: -60, max: 2_000 }),
        fc.record({
          maxFailures: fc.integer({ min: 0, max: 5 }),
          maxConsecutiveFailures: fc.integer({ min: 0, max: 5 }),
          maxInconclusive: fc.integer({ min: 0, max: 40 }),
          maxConsecutiveErrors: fc.integer({ min: 0, max: 5 }),
          onInconclusiveLimit: fc.constantFrom('hold' as const, 'rollback' as const),
        }),
        (counters, greenPercent, verdict, elapsedSeconds, limits) => {
          // Prepare
          const args = {
            status: statusAt(greenPercent, JUDGING_FROM, counters),
            evaluation: evaluationWith(verdict),
            steps,
            input: inputWith({ plan: { steps }, limits }),
            now: atSeconds(elapsedSeconds),
          };
          const copy = structuredClone(args);

          // Act
          const first = decide(args);
          const second = decide(structuredClone(args));

          // Assess
          expect(second).toEqual(first);
          expect(args).toEqual(copy);
          expect(first.status.evaluations).toBe(counters.evaluations + 1);
          if (first.decision.action === Action.Advance) {
            expect(verdict).toBe(Verdict.Pass);
            expect(first.decision.nextGreenPercent).toBeGreaterThan(greenPercent);
            expect(first.decision.nextGreenPercent).toBeLessThanOrEqual(100);
          }
          // A Pass resets every streak, so only an already exhausted failure budget can still roll back.
          if (verdict === Verdict.Pass && counters.failures <= limits.maxFailures) {
            expect(first.decision.action).not.toBe(Action.Rollback);
          }
        }
      ),
      { numRuns: 500 }
    );
  });
});

describe('Function: decide (window cursor and blue baseline)', () => {
  const window = { start: '2025-01-01T00:06:00.000Z', end: '2025-01-01T00:07:00.000Z' };
  const cursor = '2025-01-01T00:06:00.000Z';
  const lenient = inputWith({
    limits: { maxFailures: 10, maxConsecutiveFailures: 10, maxInconclusive: 10 },
  });
  const decideWith = (status: ShiftStatus, evaluation: Evaluation) =>
    decide({ status, evaluation, steps, input: lenient, now: atSeconds(600) }).status;

  it.each([
    { verdict: Verdict.Pass, expected: window.end },
    { verdict: Verdict.Fail, expected: window.end },
    { verdict: Verdict.Inconclusive, expected: cursor },
    { verdict: Verdict.Error, expected: cursor },
  ])('after a $verdict window the next one starts at $expected', ({ verdict, expected }) => {
    // Prepare
    const status = statusAt(10, JUDGING_FROM, { windowFrom: cursor });

    // Act
    const after = decideWith(status, { ...evaluationWith(verdict), window });

    // Assess
    expect(after.windowFrom).toBe(expected);
  });

  describe('with a trailing period not published yet (judgedUntil before the window end)', () => {
    const wide = { start: '2025-01-01T00:06:00.000Z', end: '2025-01-01T00:09:00.000Z' };
    const judgedUntil = '2025-01-01T00:08:00.000Z';

    it.each([
      { verdict: Verdict.Pass, expected: judgedUntil },
      { verdict: Verdict.Fail, expected: judgedUntil },
      { verdict: Verdict.Inconclusive, expected: cursor },
      { verdict: Verdict.Error, expected: cursor },
    ])('after a $verdict the next window starts at $expected', ({ verdict, expected }) => {
      // Prepare
      const status = statusAt(10, JUDGING_FROM, { windowFrom: cursor });

      // Act
      const after = decideWith(status, {
        ...evaluationWith(verdict),
        window: wide,
        judgedUntil,
      });

      // Assess
      expect(after.windowFrom).toBe(expected);
    });

    it('reads a null judgedUntil as the window end', () => {
      // Act
      const after = decideWith(statusAt(10, JUDGING_FROM, { windowFrom: cursor }), {
        ...evaluationWith(Verdict.Pass),
        window: wide,
        judgedUntil: null,
      });

      // Assess
      expect(after.windowFrom).toBe(wide.end);
    });
  });

  it('keeps the cursor when a verdict comes without a window', () => {
    // Prepare
    const status = statusAt(10, JUDGING_FROM, { windowFrom: cursor });

    // Act
    const after = decideWith(status, evaluationWith(Verdict.Pass));

    // Assess
    expect(after.windowFrom).toBe(cursor);
  });

  it('reads a state written before the cursor and the baseline existed as having neither', () => {
    // Prepare
    const { windowFrom: _cursor, blueLatency: _baseline, ...old } = statusAt(10, JUDGING_FROM);

    // Act
    const after = decideWith(old as ShiftStatus, evaluationWith(Verdict.Inconclusive));

    // Assess
    expect(after).toMatchObject({ windowFrom: null, blueLatency: null });
  });

  it('remembers the latest blue latency baseline and keeps it while an evaluation brings none', () => {
    // Prepare
    const earlier = { avgMs: 80, samples: 900, windowEnd: '2025-01-01T00:06:00.000Z' };
    const latest = { avgMs: 85, samples: 700, windowEnd: window.end };
    const status = statusAt(10, JUDGING_FROM, { blueLatency: earlier });

    // Act
    const replaced = decideWith(status, {
      ...evaluationWith(Verdict.Pass),
      window,
      blueLatency: latest,
    });
    const kept = decideWith(replaced, { ...evaluationWith(Verdict.Fail), blueLatency: null });

    // Assess
    expect(replaced.blueLatency).toEqual(latest);
    expect(kept.blueLatency).toEqual(latest);
  });
});

describe('Function: initialStatus', () => {
  it('starts before the first step with nothing counted', () => {
    // Act + Assess
    expect(initialStatus()).toEqual({
      stepIndex: -1,
      greenPercent: 0,
      syncedAt: null,
      judgingFrom: null,
      windowFrom: null,
      bakedSeconds: 0,
      blueLatency: null,
      stepEvaluations: 0,
      evaluations: 0,
      failures: 0,
      consecutiveFailures: 0,
      inconclusiveStreak: 0,
      consecutiveErrors: 0,
      lastVerdict: null,
    } satisfies ShiftStatus);
  });
});

describe('Function: statusForNewStep', () => {
  it('moves the cursor, forgets the step timing and keeps the run counters and the blue baseline', () => {
    // Prepare
    const before = statusAt(10, JUDGING_FROM, {
      evaluations: 12,
      stepEvaluations: 10,
      failures: 1,
      lastVerdict: Verdict.Pass,
      windowFrom: '2025-01-01T00:09:00.000Z',
      bakedSeconds: 600,
      blueLatency: { avgMs: 80, samples: 900, windowEnd: '2025-01-01T00:09:00.000Z' },
    });

    // Act
    const status = statusForNewStep(before, 1, 50);

    // Assess
    expect(status).toEqual({
      ...before,
      stepIndex: 1,
      greenPercent: 50,
      syncedAt: null,
      judgingFrom: null,
      windowFrom: null,
      bakedSeconds: 0,
      stepEvaluations: 0,
    });
  });
});

describe('Function: decide, bake = periods with green data (issue 10, item 9)', () => {
  const window = { start: atSeconds(0).toISOString(), end: atSeconds(300).toISOString() };

  it.each([
    { verdict: Verdict.Pass, judgedDataSeconds: 60, expected: 180 },
    { verdict: Verdict.Fail, judgedDataSeconds: 60, expected: 180 },
    { verdict: Verdict.Inconclusive, judgedDataSeconds: 60, expected: 120 },
    { verdict: Verdict.Error, judgedDataSeconds: 60, expected: 120 },
    { verdict: Verdict.Pass, judgedDataSeconds: undefined, expected: 120 },
  ])(
    'a $verdict window with $judgedDataSeconds s of data leaves $expected s of bake',
    ({ verdict, judgedDataSeconds, expected }) => {
      // Act
      const { status } = decide({
        status: statusAt(10, JUDGING_FROM, { bakedSeconds: 120 }),
        evaluation: {
          ...evaluationWith(verdict),
          window,
          ...(judgedDataSeconds === undefined ? {} : { judgedDataSeconds }),
        },
        steps,
        input: inputWith({
          plan: { steps },
          limits: { maxFailures: 9, maxConsecutiveFailures: 9 },
        }),
        now: atSeconds(3_600),
      });

      // Assess
      expect(status.bakedSeconds).toBe(expected);
    }
  );

  it('does not count wall-clock time: one minute of data 11 minutes after judging started is 60 s of bake', () => {
    // Act
    const { status, decision } = decide({
      status: statusAt(10, JUDGING_FROM),
      evaluation: {
        ...evaluationWith(Verdict.Pass),
        window: { start: atSeconds(660).toISOString(), end: atSeconds(960).toISOString() },
        judgedUntil: atSeconds(960).toISOString(),
        judgedDataSeconds: 60,
      },
      steps,
      input,
      now: atSeconds(1_110),
    });

    // Assess
    expect(status.bakedSeconds).toBe(60);
    expect(decision).toMatchObject({
      action: Action.Observe,
      reason: expect.stringContaining('60 s of 600 s'),
    });
  });

  it('reads a state written before the bake counter existed as no bake yet', () => {
    // Prepare
    const { bakedSeconds: _, ...old } = statusAt(10, JUDGING_FROM);

    // Act
    const { status } = decide({
      // A state from before the counter: the type says it is there, the JSON may not have it.
      status: old as ShiftStatus,
      evaluation: { ...evaluationWith(Verdict.Pass), window, judgedDataSeconds: 300 },
      steps,
      input,
      now: atSeconds(3_600),
    });

    // Assess
    expect(status.bakedSeconds).toBe(300);
  });
});
