/**
 * The overall error-rate checks judged by the sequential test, through `evaluate` and `decide`: the verdicts
 * stay four-valued, the reasons say the rate, the limit, the evidence and over how long, and a Fail of the
 * test rolls back at once.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../../functions/core/decide.ts';
import {
  initialSequentialState,
  type SequentialState,
} from '../../../functions/core/sequential.ts';
import { periodCountsOf } from '../../../functions/core/sequential-check.ts';
import { Action, type ServiceSample, Verdict } from '../../../functions/core/types.ts';
import { backlogStart, evaluate } from '../../../functions/core/verdict.ts';
import { inputWith, sample, statusAt } from './fixtures.ts';

// Two minutes of overwhelming evidence roll back at minEvidenceMinutes 2 (the default is 3).
const input = inputWith({ thresholds: { minEvidenceMinutes: 2 } });
const withBlue = inputWith({
  thresholds: { minEvidenceMinutes: 2 },
  metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-appmesh'] },
});
const WINDOW = { start: '2026-01-01T10:00:00.000Z', end: '2026-01-01T10:01:00.000Z' };
const NEXT = { start: '2026-01-01T10:01:00.000Z', end: '2026-01-01T10:02:00.000Z' };

/** One minute of `name` with `requests` status-coded requests and `errors` 5xx, with its period. */
function minuteOf(
  name: string,
  start: string,
  requests: number,
  errors: number,
  withPeriods = true
): ServiceSample {
  return sample(name, {
    http2xx: requests - errors,
    http5xx: errors,
    requestCount: requests,
    periodStarts: [start],
    ...(withPeriods ? { periods: [{ start, requests, errors }] } : {}),
  });
}

const ok = (...services: ServiceSample[]) => ({ kind: 'ok' as const, services });

function overallErrorRate(evaluation: ReturnType<typeof evaluate>) {
  return evaluation.assessments.find((a) => a.scope === 'overall' && a.check === 'errorRate');
}

describe('Function: periodCountsOf', () => {
  it('sums the names per period, and is null without samples or when one lacks periods', () => {
    // Prepare
    const orders = minuteOf('orders', WINDOW.start, 100, 1);
    const payments = minuteOf('payments', WINDOW.start, 50, 2);

    // Act + Assess
    expect(periodCountsOf([orders, payments])).toEqual([
      { start: WINDOW.start, requests: 150, errors: 3 },
    ]);
    expect(periodCountsOf([])).toBeNull();
    expect(periodCountsOf([orders, minuteOf('payments', WINDOW.start, 50, 2, false)])).toBeNull();
  });
});

describe('Function: evaluate with per-period counts', () => {
  it.each([
    {
      name: 'a healthy minute passes, with the evidence in the reason',
      requests: 3_000,
      errors: 6,
      verdict: Verdict.Pass,
      reason:
        /^error rate 0\.20% <= 1% over 3,000 requests \(5xx 0\.20% vs 1% limit, evidence [\d.]+:1 over 1 min; rolls back at 144,000:1\)$/,
    },
    {
      name: 'one bad minute is not yet significant: Inconclusive, never Fail',
      requests: 3_000,
      errors: 120,
      verdict: Verdict.Inconclusive,
      reason:
        /^error rate 4\.00% > 1% over 3,000 requests, not significant yet \(5xx 4\.00% vs 1% limit, evidence [\d,]+:1 over 1 min; rolls back at 144,000:1\)$/,
    },
    {
      name: 'low traffic stays Inconclusive and says why',
      requests: 30,
      errors: 0,
      verdict: Verdict.Inconclusive,
      reason:
        /^requests \(30\) < minRequests \(50\): too little traffic to pass; 5xx 0\.00% vs 1% limit, evidence [\d.]+:1 over 1 min; rolls back at 144,000:1$/,
    },
  ])('$name', ({ requests, errors, verdict, reason }) => {
    // Act
    const evaluation = evaluate(
      ok(minuteOf('orders', WINDOW.start, requests, errors)),
      null,
      input,
      WINDOW
    );

    // Assess
    const assessment = overallErrorRate(evaluation);
    expect(assessment?.verdict).toBe(verdict);
    expect(assessment?.reason).toMatch(reason);
    expect(assessment?.evidence?.thresholdOdds).toBe(144_000);
    expect(evaluation.sequential?.['errorRate']?.minutes).toBe(1);
  });

  it.each([
    {
      name: 'no request data',
      green: sample('orders', { periods: [] }),
      reason:
        /^no request data \(no traffic\): requests \(0\) < minRequests \(50\); no evidence yet; rolls back at 144,000:1$/,
    },
    {
      name: 'traffic without status codes',
      green: sample('orders', { requestCount: 500, periodStarts: [WINDOW.start], periods: [] }),
      reason: /^no HTTPCode_Target_\* datapoints \(RequestCount 500\): error rate not measurable$/,
    },
  ])('never passes on $name', ({ green, reason }) => {
    // Act
    const assessment = overallErrorRate(evaluate(ok(green), null, input, WINDOW));

    // Assess
    expect(assessment?.verdict).toBe(Verdict.Inconclusive);
    expect(assessment?.counted).toBe(true);
    expect(assessment?.reason).toMatch(reason);
  });

  it('fails on the second bad minute, even at low traffic, and decide rolls back at once', () => {
    // Prepare: the first bad minute
    const first = evaluate(ok(minuteOf('orders', WINDOW.start, 3_000, 120)), null, input, WINDOW);
    const status = statusAt(10, WINDOW.start, {
      sequential: first.sequential as Record<string, SequentialState>,
    });

    // Act
    const second = evaluate(
      ok(minuteOf('orders', NEXT.start, 3_000, 120)),
      null,
      input,
      NEXT,
      null,
      status.sequential ?? null
    );
    const { decision, status: after } = decide({
      status,
      evaluation: second,
      steps: [10, 50, 100],
      input,
      now: new Date(NEXT.end),
    });

    // Assess
    expect(second.verdict).toBe(Verdict.Fail);
    expect(overallErrorRate(second)?.reason).toMatch(
      /^5xx 4\.00% vs 1% limit, evidence [\d,]+:1 over 2 min >= 144,000:1 \(false alarms <= 0\.01 per 1,440 min\)$/
    );
    expect(decision.action).toBe(Action.Rollback);
    expect(decision.reason).toMatch(/^sequential test: overall errorRate: 5xx 4\.00% vs 1% limit/);
    // maxConsecutiveFailures (2) did not need to be reached.
    expect(after.consecutiveFailures).toBe(1);
    expect(after.sequential?.['errorRate']?.minutes).toBe(2);
  });

  it('with the default minEvidenceMinutes (3), two bad minutes in a row are not enough, the third is', () => {
    // Prepare: two consecutive one-minute bursts look exactly like this (a flapping green)
    const defaults = inputWith();
    const THIRD = { start: '2026-01-01T10:02:00.000Z', end: '2026-01-01T10:03:00.000Z' };
    const judge = (window: typeof WINDOW, state: Record<string, SequentialState> | null) =>
      evaluate(
        ok(minuteOf('orders', window.start, 3_000, 120)),
        null,
        defaults,
        window,
        null,
        state
      );

    // Act
    const first = judge(WINDOW, null);
    const second = judge(NEXT, first.sequential as Record<string, SequentialState>);
    const third = judge(THIRD, second.sequential as Record<string, SequentialState>);

    // Assess
    expect(overallErrorRate(second)?.verdict).toBe(Verdict.Inconclusive);
    expect(overallErrorRate(third)?.verdict).toBe(Verdict.Fail);
    expect(overallErrorRate(third)?.reason).toMatch(/over 3 min >= 144,000:1/);
  });

  it('a window Fail of a per-name check is not decisive: it holds, as before', () => {
    // Prepare: two names, orders bad (window Wilson Fail), payments big and healthy (overall passes)
    const two = inputWith({ metrics: { greenDiscoveryNames: ['orders', 'payments'] } });
    const evaluation = evaluate(
      ok(
        minuteOf('orders', WINDOW.start, 1_000, 100),
        minuteOf('payments', WINDOW.start, 30_000, 0)
      ),
      null,
      two,
      WINDOW
    );

    // Act
    const { decision } = decide({
      status: statusAt(10, WINDOW.start),
      evaluation,
      steps: [10, 50, 100],
      input: two,
      now: new Date(WINDOW.end),
    });

    // Assess
    expect(evaluation.verdict).toBe(Verdict.Fail);
    expect(overallErrorRate(evaluation)?.verdict).toBe(Verdict.Pass);
    expect(decision.action).toBe(Action.Hold);
  });

  it('judges green against blue sequentially, with the baseline limit in the reason', () => {
    // Act: blue 0.2 % -> limit max(0.4, 0.7) = 0.7 %; green 2 %
    const evaluation = evaluate(
      ok(minuteOf('orders', WINDOW.start, 3_000, 60)),
      ok(minuteOf('orders-appmesh', WINDOW.start, 30_000, 60)),
      withBlue,
      WINDOW
    );

    // Assess
    const baseline = evaluation.assessments.find((a) => a.check === 'baselineErrorRate');
    expect(baseline?.verdict).toBe(Verdict.Inconclusive);
    expect(baseline?.reason).toMatch(
      /5xx 2\.00% vs baseline 0\.70% limit, evidence [\d,]+:1 over 1 min/
    );
    expect(evaluation.sequential?.['baselineErrorRate']?.minutes).toBe(1);
    // The limit's inputs stay on the test's assessment: blue's figures on the dashboard are drawn from them.
    expect(baseline?.blue).toEqual({ requests: 30_000, errors5xx: 60 });
  });

  it('keeps the window checks for a source without per-period counts', () => {
    // Act
    const evaluation = evaluate(
      ok(minuteOf('orders', WINDOW.start, 3_000, 120, false)),
      null,
      input,
      WINDOW
    );

    // Assess: the Wilson window check, and no sequential state
    expect(overallErrorRate(evaluation)?.reason).toMatch(/lower bound/);
    expect(overallErrorRate(evaluation)?.verdict).toBe(Verdict.Fail);
    expect(evaluation.sequential).toBeUndefined();
  });

  it('carries the tests over an evaluation that ran none', () => {
    // Prepare
    const state = { errorRate: { ...initialSequentialState(), evidence: 5, minutes: 1 } };

    // Act
    const { status } = decide({
      status: statusAt(10, WINDOW.start, { sequential: state }),
      evaluation: { verdict: Verdict.Error, reason: 'x', assessments: [], window: null },
      steps: [10, 100],
      input,
      now: new Date(WINDOW.end),
    });

    // Assess
    expect(status.sequential).toEqual(state);
  });
});

describe('The shift ramp backlog', () => {
  const state = (consumedUntil: string | null): SequentialState => ({
    ...initialSequentialState(),
    consumedUntil,
  });

  it.each([
    { name: 'no tests yet', states: null, from: null },
    { name: 'never folded', states: { errorRate: state(null) }, from: null },
    { name: 'up to the window', states: { errorRate: state(NEXT.start) }, from: null },
    {
      name: 'three minutes behind',
      states: {
        errorRate: state('2026-01-01T09:58:00.000Z'),
        baselineErrorRate: state(NEXT.start),
      },
      from: '2026-01-01T09:58:00.000Z',
    },
    {
      name: 'far behind: at most windowSeconds',
      states: { errorRate: state('2026-01-01T09:00:00.000Z') },
      from: '2026-01-01T09:56:00.000Z',
    },
  ])('backlogStart: $name -> $from', ({ states, from }) => {
    expect(backlogStart(states, NEXT, 300)).toBe(from);
  });

  it.each([
    { name: 'an unavailable backlog', backlog: { kind: 'unavailable' as const, reason: 'x' } },
    {
      name: 'a backlog without periods',
      backlog: ok(minuteOf('orders', WINDOW.start, 3_000, 120, false)),
    },
  ])('ignores $name: only the window minute counts', ({ backlog }) => {
    // Act
    const evaluation = evaluate(
      ok(minuteOf('orders', NEXT.start, 3_000, 120)),
      null,
      input,
      NEXT,
      null,
      { errorRate: { ...initialSequentialState(), consumedUntil: WINDOW.start } },
      backlog
    );

    // Assess
    expect(overallErrorRate(evaluation)?.verdict).toBe(Verdict.Inconclusive);
    expect(evaluation.sequential?.['errorRate']?.minutes).toBe(1);
  });

  it('fails on the ramp minutes even when the window has no status codes (sample size 0)', () => {
    // Prepare: two bad ramp minutes; the window minute has RequestCount only
    const ramp = ok(
      sample('orders', {
        http2xx: 5_760,
        http5xx: 240,
        requestCount: 6_000,
        periodStarts: [WINDOW.start],
        periods: [
          { start: '2026-01-01T09:59:00.000Z', requests: 3_000, errors: 120 },
          { start: WINDOW.start, requests: 3_000, errors: 120 },
        ],
      })
    );
    const window = ok(
      sample('orders', { requestCount: 3_000, periodStarts: [NEXT.start], periods: [] })
    );

    // Act
    const evaluation = evaluate(
      window,
      null,
      input,
      NEXT,
      null,
      {
        errorRate: { ...initialSequentialState(), consumedUntil: '2026-01-01T09:59:00.000Z' },
      },
      ramp
    );

    // Assess
    expect(overallErrorRate(evaluation)).toMatchObject({
      verdict: Verdict.Fail,
      sampleSize: 0,
      value: null,
    });
  });

  it('folds the ramp minutes into the test, not into the window checks', () => {
    // Prepare: the test had folded up to 10:00; the window skips the ramp minute 10:00-10:01
    const status = { errorRate: { ...initialSequentialState(), consumedUntil: WINDOW.start } };
    const ramp = ok(minuteOf('orders', WINDOW.start, 3_000, 120));

    // Act
    const evaluation = evaluate(
      ok(minuteOf('orders', NEXT.start, 3_000, 120)),
      null,
      input,
      NEXT,
      null,
      status,
      ramp
    );

    // Assess: two bad minutes -> decisive Fail; the window's own figures are one minute
    const assessment = overallErrorRate(evaluation);
    expect(assessment?.verdict).toBe(Verdict.Fail);
    expect(assessment?.reason).toMatch(/over 2 min/);
    expect(assessment?.sampleSize).toBe(3_000);
    expect(evaluation.judgedDataSeconds).toBe(60);
  });
});
