import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alarmProblems, assessAlarms } from '../../../functions/core/alarm-verdicts.ts';
import { assessCustom, breaches } from '../../../functions/core/custom-verdicts.ts';
import { decide, initialStatus } from '../../../functions/core/decide.ts';
import type { CustomQuery } from '../../../functions/core/input-sources.ts';
import { assessSources, sourceQueries, withSources } from '../../../functions/core/source-judge.ts';
import {
  customId,
  customQueries,
  type EdgeLoadBalancer,
  packGroups,
  rewriteExpression,
} from '../../../functions/core/sources.ts';
import { type Evaluation, Verdict } from '../../../functions/core/types.ts';
import { inputWith, WINDOW } from './fixtures.ts';

const passing: Evaluation = {
  verdict: Verdict.Pass,
  reason: 'overall: error rate 0.10% <= 1% over 3,000 requests',
  assessments: [],
  window: WINDOW,
  judgedUntil: WINDOW.end,
  judgedDataSeconds: 300,
};

describe('Function: assessAlarms', () => {
  it.each([
    { state: 'OK', verdict: Verdict.Pass, rollback: false },
    { state: 'INSUFFICIENT_DATA', verdict: Verdict.Inconclusive, rollback: false },
    { state: 'ALARM', verdict: Verdict.Fail, rollback: true },
    { state: null, verdict: Verdict.Error, rollback: false },
  ] as const)(
    '$state -> $verdict (immediate rollback: $rollback)',
    ({ state, verdict, rollback }) => {
      // Act
      const judged = assessAlarms(['checkout-5xx'], [{ name: 'checkout-5xx', state }], null);

      // Assess
      expect(judged.assessments).toEqual([
        expect.objectContaining({
          source: 'alarm:checkout-5xx',
          side: 'green',
          verdict,
          counted: true,
        }),
      ]);
      expect(judged.immediateRollback !== null).toBe(rollback);
    }
  );

  it('turns a failed DescribeAlarms into counted Errors, never a pass', () => {
    // Act
    const judged = assessAlarms(['a', 'b'], null, 'Throttling: slow down');

    // Assess
    expect(judged.assessments.map((a) => a.verdict)).toEqual([Verdict.Error, Verdict.Error]);
    expect(judged.assessments[0]?.reason).toContain('Throttling: slow down');
  });

  it('refuses a missing alarm and one in ALARM at preflight, naming each', () => {
    // Act
    const problems = alarmProblems(
      ['ok', 'firing', 'gone'],
      [
        { name: 'ok', state: 'OK' },
        { name: 'firing', state: 'ALARM', reason: 'Threshold Crossed' },
      ]
    );

    // Assess
    expect(problems).toEqual([
      'alarm firing is in ALARM (Threshold Crossed)',
      'alarm gone does not exist (metric or composite)',
    ]);
  });
});

const query = (overrides: Partial<CustomQuery>): CustomQuery => ({
  label: 'envoy-5xx',
  side: 'green',
  badWhen: 'above',
  limit: 10,
  green: { metricStat: { namespace: 'Envoy', metricName: 'rq_5xx', dimensions: [], stat: 'Sum' } },
  ...overrides,
});
const one = (value: number) => ({ timestamps: [0], values: [value] });

describe('Function: assessCustom', () => {
  it.each([
    { badWhen: 'above', value: 11, verdict: Verdict.Fail, reason: '11 > 10' },
    { badWhen: 'above', value: 10, verdict: Verdict.Pass, reason: '10 <= 10' },
    { badWhen: 'below', value: 9, verdict: Verdict.Fail, reason: '9 < 10' },
    { badWhen: 'below', value: 12, verdict: Verdict.Pass, reason: '12 >= 10' },
  ] as const)('bad $badWhen: $value -> $verdict', ({ badWhen, value, verdict, reason }) => {
    // Act
    const [judged] = assessCustom([query({ badWhen })], { [customId(0, 'green')]: one(value) }, {});

    // Assess
    expect(judged).toMatchObject({ verdict, value, limit: 10, sampleSize: 1, counted: true });
    expect(judged?.reason).toBe(`custom:envoy-5xx (green) ${reason} (1 datapoint)`);
  });

  it('agrees with breaches for any value and limit (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
        fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
        fc.constantFrom('above' as const, 'below' as const),
        (value, limit, badWhen) => {
          const [judged] = assessCustom(
            [query({ badWhen, limit })],
            { [customId(0, 'green')]: one(value) },
            {}
          );
          expect(judged?.verdict === Verdict.Fail).toBe(breaches(value, limit, badWhen));
          expect(judged?.verdict === Verdict.Fail).toBe(
            badWhen === 'above' ? value > limit : value < limit
          );
        }
      )
    );
  });

  it("judges green against blue's value x baselineRatio, and never counts blue's own", () => {
    // Prepare
    const both = query({
      side: 'both',
      limit: 100,
      baselineRatio: 2,
      blue: {
        metricStat: { namespace: 'Envoy', metricName: 'rq_5xx', dimensions: [], stat: 'Sum' },
      },
    });

    // Act
    const judged = assessCustom(
      [both],
      { [customId(0, 'green')]: one(30), [customId(0, 'blue')]: one(10) },
      {}
    );

    // Assess
    expect(judged.map((a) => [a.check, a.side, a.verdict, a.counted])).toEqual([
      ['custom', 'green', Verdict.Pass, true],
      ['custom', 'blue', Verdict.Pass, false],
      ['customBaseline', 'green', Verdict.Fail, true],
    ]);
    expect(judged[2]?.limit).toBe(20);
  });

  it('is Inconclusive without datapoints and Error when the read failed', () => {
    // Act
    const empty = assessCustom([query({})], {}, {});
    const failed = assessCustom([query({})], {}, { [customId(0, 'green')]: 'Forbidden' });

    // Assess
    expect(empty[0]).toMatchObject({ verdict: Verdict.Inconclusive, counted: true });
    expect(failed[0]).toMatchObject({ verdict: Verdict.Error, counted: true });
  });
});

describe('Function: customQueries / rewriteExpression', () => {
  it('prefixes the user ids in a math expression and keeps functions', () => {
    // Act + Assess
    expect(rewriteExpression('100 * FILL(e, 0) / IF(r > 0, r, 1)', ['e', 'r'], 'xc0g')).toBe(
      '100 * FILL(xc0g_e, 0) / IF(xc0g_r > 0, xc0g_r, 1)'
    );
  });

  it('reads a math expression with its inputs (not returned) over the whole window', () => {
    // Prepare
    const math = query({
      green: {
        expression: '100 * e / r',
        metrics: [
          { id: 'e', metricStat: { namespace: 'N', metricName: 'E', dimensions: [], stat: 'Sum' } },
          { id: 'r', metricStat: { namespace: 'N', metricName: 'R', dimensions: [], stat: 'Sum' } },
        ],
      },
    });

    // Act
    const queries = customQueries([math], 300);

    // Assess
    expect(queries.map((q) => [q.id, q.returnData, q.period, q.expression])).toEqual([
      ['xc0g_e', false, 300, undefined],
      ['xc0g_r', false, 300, undefined],
      ['xc0g', true, 300, '100 * xc0g_e / xc0g_r'],
    ]);
  });
});

describe('Function: packGroups (GetMetricData: at most 500 queries per call)', () => {
  it('splits beyond 500, keeps every query once and in order, and never splits a group (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 60 }), (sizes) => {
        const items = sizes.flatMap((size, group) =>
          Array.from({ length: size }, (_, i) => ({ group: `g${group}`, i }))
        );
        const calls = packGroups(items, (item) => item.group, 500);
        expect(calls.flat()).toEqual(items);
        for (const call of calls) expect(call.length).toBeLessThanOrEqual(500);
        for (const group of new Set(items.map((item) => item.group))) {
          expect(calls.filter((call) => call.some((item) => item.group === group))).toHaveLength(1);
        }
        expect(calls.length).toBe(items.length === 0 ? 0 : calls.length);
      })
    );
  });

  it('makes one call of exactly 500 and two of 501', () => {
    // Act + Assess
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `q${i}`);
    expect(packGroups(ids(500), (id) => id, 500)).toHaveLength(1);
    expect(packGroups(ids(501), (id) => id, 500).map((call) => call.length)).toEqual([500, 1]);
  });
});

describe('Function: withSources', () => {
  it.each([
    { extra: Verdict.Fail, expected: Verdict.Fail },
    { extra: Verdict.Error, expected: Verdict.Error },
    { extra: Verdict.Inconclusive, expected: Verdict.Inconclusive },
    { extra: Verdict.Pass, expected: Verdict.Pass },
  ])('a counted $extra beside a passing Service Connect -> $expected', ({ extra, expected }) => {
    // Act
    const evaluation = withSources(
      passing,
      [
        {
          check: 'errorRate',
          scope: 'app/green/1',
          verdict: extra,
          value: 8,
          limit: 1,
          sampleSize: 3_000,
          counted: true,
          reason: 'error rate 8.00% > 1% over 3,000 requests',
          source: 'edge',
          side: 'green',
        },
      ],
      null
    );

    // Assess
    expect(evaluation.verdict).toBe(expected);
    expect(evaluation.judgedUntil).toBe(WINDOW.end);
    if (expected !== Verdict.Pass)
      expect(evaluation.reason).toBe('edge app/green/1: error rate 8.00% > 1% over 3,000 requests');
  });

  it('ignores uncounted assessments (blue, NLB coverage) for the verdict', () => {
    // Act
    const evaluation = withSources(
      passing,
      [
        {
          check: 'errorRate',
          scope: 'app/blue/2',
          verdict: Verdict.Fail,
          value: 9,
          limit: 1,
          sampleSize: 100,
          counted: false,
          reason: 'blue fails',
          source: 'edge',
          side: 'blue',
        },
      ],
      null
    );

    // Assess
    expect(evaluation.verdict).toBe(Verdict.Pass);
    expect(evaluation.assessments).toHaveLength(1);
  });
});

describe('Function: decide with an alarm in ALARM', () => {
  it('rolls back at the first Fail, without waiting for maxConsecutiveFailures', () => {
    // Prepare
    const input = inputWith({ alarms: ['checkout-5xx'] });
    const judged = assessSources(input, WINDOW, {
      edge: [],
      series: null,
      alarms: { reports: [{ name: 'checkout-5xx', state: 'ALARM' }], failure: null },
    });
    const evaluation = withSources(passing, judged.assessments, judged.immediateRollback);

    // Act
    const { decision } = decide({
      status: { ...initialStatus(), stepIndex: 0, greenPercent: 10 },
      evaluation,
      steps: [10, 50, 100],
      input,
      now: new Date(WINDOW.end),
    });

    // Assess
    expect(input.limits.maxConsecutiveFailures).toBe(2);
    expect(decision).toEqual({
      action: 'rollback',
      reason:
        'alarm checkout-5xx is in ALARM: immediate rollback (alarms do not wait for maxConsecutiveFailures)',
    });
  });
});

describe('Function: sourceQueries', () => {
  const green: EdgeLoadBalancer = {
    side: 'green',
    kind: 'application',
    name: 'g',
    dimension: 'app/g/1',
    dnsName: 'g',
  };

  it('asks p99 over the whole window, optional, only when a p99 limit is set', () => {
    // Prepare
    const input = inputWith({ metrics: { edge: { thresholds: { latencyP99MaxMs: 300 } } } });

    // Act
    const queries = sourceQueries(input, [green], WINDOW);

    // Assess
    expect(queries.find((q) => q.id === 'xe0_p99')).toMatchObject({
      period: 300,
      optional: true,
      metricStat: {
        namespace: 'AWS/ApplicationELB',
        metricName: 'TargetResponseTime',
        stat: 'p99',
      },
    });
    expect(sourceQueries(inputWith(), [green], WINDOW).some((q) => q.id === 'xe0_p99')).toBe(false);
  });
});
