import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ControlState,
  controlledDecision,
  emptyControl,
  PAUSE_MAX_SECONDS,
  PAUSE_MIN_SECONDS,
  requestControl,
} from '../../../functions/core/control.ts';
import { Action, type Decision, Verdict } from '../../../functions/core/types.ts';

const AT = new Date('2026-09-14T08:00:00.000Z');
const later = (seconds: number) => new Date(AT.getTime() + seconds * 1_000);
const who = { by: 'ana@host', at: AT };

function stored(control: ReturnType<typeof requestControl>): ControlState {
  if (!control.ok) throw new Error(control.refusal);
  return control.control;
}

const paused = (onTimeout: 'rollback' | 'resume' = 'rollback') =>
  stored(
    requestControl(
      undefined,
      { action: 'pause', timeoutSeconds: 3_600, onTimeout, reason: 'db migration' },
      who
    )
  );
const promoted = (full: boolean) =>
  stored(requestControl(undefined, { action: 'promote', full, reason: 'quiet night' }, who));

describe('Function: requestControl', () => {
  it('pause sets the order until now + timeout and appends one audit line', () => {
    // Act
    const control = paused();

    // Assess
    expect(control).toEqual({
      revision: 1,
      pause: {
        at: AT.toISOString(),
        by: 'ana@host',
        until: later(3_600).toISOString(),
        onTimeout: 'rollback',
        reason: 'db migration',
      },
      promote: null,
      audit: [{ at: AT.toISOString(), by: 'ana@host', action: 'pause', reason: 'db migration' }],
    });
  });

  it.each([
    { request: { action: 'resume' as const }, expected: 'resume' },
    { request: { action: 'promote' as const, full: false }, expected: 'promote' },
    { request: { action: 'promote' as const, full: true, reason: 'x' }, expected: 'promote-full' },
  ])(
    '$expected after a pause: the pause ends, the audit keeps both lines',
    ({ request, expected }) => {
      // Act
      const control = stored(requestControl(paused(), request, { ...who, at: later(60) }));

      // Assess
      expect(control.pause).toBeNull();
      expect(control.revision).toBe(2);
      expect(control.audit.map((line) => line.action)).toEqual(['pause', expected]);
    }
  );

  it.each([
    {
      what: 'resume when not paused',
      current: undefined,
      request: { action: 'resume' as const },
      refusal: 'not paused: nothing to resume',
    },
    {
      what: 'resume after the pause timed out',
      current: paused('resume'),
      request: { action: 'resume' as const },
      at: later(3_600),
      refusal: 'not paused: nothing to resume',
    },
    {
      what: 'resume after a pause with onTimeout rollback timed out (the run rolls back: no "not paused")',
      current: paused('rollback'),
      request: { action: 'resume' as const },
      at: later(3_600),
      refusal: `pause expired at ${later(3_600).toISOString()} with onTimeout rollback: the run rolls back at its next evaluation (if it has not already); too late to resume`,
    },
    {
      what: 'promote --full without a reason',
      current: undefined,
      request: { action: 'promote' as const, full: true, reason: ' ' },
      refusal: '--reason: required with --full',
    },
    {
      what: 'a pause shorter than a minute',
      current: undefined,
      request: {
        action: 'pause' as const,
        timeoutSeconds: PAUSE_MIN_SECONDS - 1,
        onTimeout: 'rollback' as const,
      },
      refusal: '--timeout: must be 60 s to 1209600 s (14 days)',
    },
    {
      what: 'a pause longer than 14 days',
      current: undefined,
      request: {
        action: 'pause' as const,
        timeoutSeconds: PAUSE_MAX_SECONDS + 1,
        onTimeout: 'rollback' as const,
      },
      refusal: '--timeout: must be 60 s to 1209600 s (14 days)',
    },
  ])('refuses $what', ({ current, request, at, refusal }) => {
    // Act
    const result = requestControl(current, request, { ...who, at: at ?? AT });

    // Assess
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.refusal).toContain(refusal);
  });

  it('accepts the bounds themselves', () => {
    for (const timeoutSeconds of [PAUSE_MIN_SECONDS, PAUSE_MAX_SECONDS]) {
      expect(
        requestControl(undefined, { action: 'pause', timeoutSeconds, onTimeout: 'resume' }, who).ok
      ).toBe(true);
    }
  });

  it('rollback only records who asked; the step is kept when given', () => {
    // Act
    const control = stored(
      requestControl(emptyControl(), { action: 'rollback' }, { ...who, step: 2 })
    );

    // Assess
    expect(control.audit).toEqual([
      { at: AT.toISOString(), by: 'ana@host', action: 'rollback', step: 2 },
    ]);
  });

  it('the audit trail only grows and the revision counts every accepted request (property)', () => {
    const requests = fc.constantFrom(
      { action: 'pause' as const, timeoutSeconds: 600, onTimeout: 'rollback' as const },
      { action: 'resume' as const },
      { action: 'promote' as const, full: false },
      { action: 'rollback' as const }
    );
    fc.assert(
      fc.property(fc.array(requests, { maxLength: 20 }), (list) => {
        let control = emptyControl();
        for (const request of list) {
          const result = requestControl(control, request, who);
          if (!result.ok) continue;
          expect(result.control.audit.slice(0, control.audit.length)).toEqual(control.audit);
          expect(result.control.audit.length).toBe(control.audit.length + 1);
          expect(result.control.revision).toBe(control.revision + 1);
          control = result.control;
        }
      })
    );
  });
});

describe('Function: controlledDecision', () => {
  const advance: Decision = { action: Action.Advance, nextGreenPercent: 50, reason: 'judged' };
  const observe: Decision = { action: Action.Observe, reason: 'judged' };
  const hold: Decision = { action: Action.Hold, reason: 'judged' };
  const rollback: Decision = { action: Action.Rollback, reason: 'judged' };
  const complete: Decision = { action: Action.Complete, reason: 'judged' };

  it.each([
    {
      what: 'no control: the judge decides',
      control: null,
      decision: advance,
      expected: 'advance',
    },
    {
      what: 'paused: advance becomes hold',
      control: paused(),
      decision: advance,
      expected: 'hold',
    },
    {
      what: 'paused: observe becomes hold',
      control: paused(),
      decision: observe,
      expected: 'hold',
    },
    {
      what: 'paused: complete becomes hold',
      control: paused(),
      decision: complete,
      greenPercent: 100,
      expected: 'hold',
    },
    {
      what: 'paused: a regression still rolls back',
      control: paused(),
      decision: rollback,
      verdict: Verdict.Fail,
      expected: 'rollback',
    },
    {
      what: 'pause timed out, onTimeout rollback',
      control: paused('rollback'),
      decision: advance,
      now: later(3_600),
      expected: 'rollback',
    },
    {
      what: 'pause timed out, onTimeout resume',
      control: paused('resume'),
      decision: advance,
      now: later(3_600),
      expected: 'advance',
    },
    {
      what: 'promote on a Pass: to 100 %',
      control: promoted(false),
      decision: observe,
      expected: 'advance',
      next: 100,
    },
    {
      what: 'promote on an Inconclusive hold: to 100 %',
      control: promoted(false),
      decision: hold,
      verdict: Verdict.Inconclusive,
      expected: 'advance',
      next: 100,
    },
    {
      what: 'promote waits out a Fail',
      control: promoted(false),
      decision: hold,
      verdict: Verdict.Fail,
      expected: 'hold',
    },
    {
      what: 'promote waits out an Error',
      control: promoted(false),
      decision: hold,
      verdict: Verdict.Error,
      expected: 'hold',
    },
    {
      what: 'promote never overrides a rollback',
      control: promoted(false),
      decision: rollback,
      verdict: Verdict.Fail,
      expected: 'rollback',
    },
    {
      what: 'promote at 100 %: the final bake runs',
      control: promoted(false),
      decision: observe,
      greenPercent: 100,
      expected: 'observe',
    },
    {
      what: 'promote --full below 100 %: to 100 % whatever the verdict',
      control: promoted(true),
      decision: rollback,
      verdict: Verdict.Fail,
      expected: 'advance',
      next: 100,
    },
    {
      what: 'promote --full at 100 %: complete without the bake',
      control: promoted(true),
      decision: observe,
      greenPercent: 100,
      expected: 'complete',
    },
  ])('$what', ({ control, decision, verdict, greenPercent, now, expected, next }) => {
    // Act
    const result = controlledDecision({
      decision,
      greenPercent: greenPercent ?? 10,
      verdict: verdict ?? Verdict.Pass,
      control,
      now: now ?? later(60),
    });

    // Assess
    expect(result.action).toBe(expected);
    if (next !== undefined) expect(result.nextGreenPercent).toBe(next);
  });

  it.each([
    {
      what: 'a plain promote stops at the first gate on its way',
      gates: [50, 100],
      full: false,
      greenPercent: 10,
      expected: 'gate',
      next: 50,
    },
    {
      what: 'a plain promote past the last gate goes to the gate before 100 %',
      gates: [50, 100],
      full: false,
      greenPercent: 50,
      expected: 'gate',
      next: 100,
    },
    {
      what: 'a plain promote with no gate ahead goes to 100 %',
      gates: [25],
      full: false,
      greenPercent: 50,
      expected: 'advance',
      next: 100,
    },
    {
      what: 'promote --full skips the gates (recorded, with its reason)',
      gates: [50, 100],
      full: true,
      greenPercent: 10,
      expected: 'advance',
      next: 100,
    },
  ])('$what', ({ gates, full, greenPercent, expected, next }) => {
    // Act
    const result = controlledDecision({
      decision: advance,
      greenPercent,
      verdict: Verdict.Pass,
      control: promoted(full),
      now: later(60),
      gates: { beforeSteps: gates, timeoutSeconds: 3_600, onTimeout: 'rollback' },
    });

    // Assess
    expect(result).toMatchObject({ action: expected, nextGreenPercent: next });
    expect(result.control).toContain('promoted');
  });

  it('says who changed the decision and why, and keeps the judge reason', () => {
    // Act
    const held = controlledDecision({
      decision: advance,
      greenPercent: 10,
      verdict: Verdict.Pass,
      control: paused(),
      now: later(60),
    });
    const full = controlledDecision({
      decision: observe,
      greenPercent: 100,
      verdict: Verdict.Pass,
      control: promoted(true),
      now: later(60),
    });
    const timedOut = controlledDecision({
      decision: advance,
      greenPercent: 10,
      verdict: Verdict.Pass,
      control: paused(),
      now: later(3_600),
    });

    // Assess
    expect(held).toEqual({
      action: 'hold',
      reason: `paused by ana@host at ${AT.toISOString()} (db migration) until ${later(3_600).toISOString()} (then rollback): judged`,
      control: 'pause',
    });
    expect(full).toEqual({
      action: 'complete',
      reason: `promoted with --full by ana@host at ${AT.toISOString()} (quiet night): final bake and analysis skipped`,
      control: `promoted with --full by ana@host at ${AT.toISOString()} (quiet night)`,
    });
    expect(timedOut.reason).toBe(
      `pause by ana@host at ${AT.toISOString()} (db migration) not resumed by ${later(3_600).toISOString()} (on timeout: rollback)`
    );
  });
});

describe('control: exact texts and shapes', () => {
  it('a request without a reason (or an empty one) stores no reason key and no step key', () => {
    // Act
    const none = stored(
      requestControl(undefined, { action: 'pause', timeoutSeconds: 60, onTimeout: 'resume' }, who)
    );
    const empty = stored(
      requestControl(undefined, { action: 'promote', full: false, reason: '' }, who)
    );

    // Assess
    expect(none.audit).toStrictEqual([{ at: AT.toISOString(), by: 'ana@host', action: 'pause' }]);
    expect(none.pause).toStrictEqual({
      at: AT.toISOString(),
      by: 'ana@host',
      until: later(60).toISOString(),
      onTimeout: 'resume',
    });
    expect(empty.promote).toStrictEqual({ at: AT.toISOString(), by: 'ana@host', full: false });
  });

  it('promote --full with no reason at all is refused', () => {
    const result = requestControl(undefined, { action: 'promote', full: true }, who);
    expect(result).toEqual({
      ok: false,
      refusal: '--reason: required with --full (100 % now without analysis is recorded with why)',
    });
  });

  it('an absent control (undefined) leaves the decision as the judge made it', () => {
    const decision = { action: Action.Advance, nextGreenPercent: 50, reason: 'judged' };
    expect(
      controlledDecision({
        decision,
        greenPercent: 10,
        verdict: Verdict.Pass,
        control: undefined,
        now: AT,
      })
    ).toBe(decision);
  });

  it('words each changed decision exactly', () => {
    // Prepare
    const plainPause = stored(
      requestControl(undefined, { action: 'pause', timeoutSeconds: 60, onTimeout: 'rollback' }, who)
    );
    const args = { greenPercent: 10, verdict: Verdict.Pass, now: later(1) };
    const observe = { action: Action.Observe, reason: 'judged' };
    const stamp = `ana@host at ${AT.toISOString()}`;

    // Act
    const held = controlledDecision({ ...args, decision: observe, control: plainPause });
    const timedOut = controlledDecision({
      ...args,
      decision: observe,
      control: plainPause,
      now: later(60),
    });
    const full = controlledDecision({ ...args, decision: observe, control: promoted(true) });
    const promote = controlledDecision({ ...args, decision: observe, control: promoted(false) });

    // Assess
    expect(held.reason).toBe(
      `paused by ${stamp} until ${later(60).toISOString()} (then rollback): judged`
    );
    expect(timedOut).toEqual({
      action: 'rollback',
      reason: `pause by ${stamp} not resumed by ${later(60).toISOString()} (on timeout: rollback)`,
      control: 'pause-timeout',
    });
    expect(full).toEqual({
      action: 'advance',
      nextGreenPercent: 100,
      reason: `promoted with --full by ${stamp} (quiet night): 10% -> 100% without analysis`,
      control: `promoted with --full by ${stamp} (quiet night)`,
    });
    expect(promote).toEqual({
      action: 'advance',
      nextGreenPercent: 100,
      reason: `promoted by ${stamp} (quiet night): 10% -> 100%, remaining bakes skipped (final bake and analysis still apply); judged`,
      control: `promoted by ${stamp} (quiet night)`,
    });
  });
});
