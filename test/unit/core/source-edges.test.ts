/**
 * The edge cases of the sources beyond Service Connect: NLB queries and missing data, several load balancers
 * per side, unreadable series, failed alarm reads, custom baselines in both directions, and the schema's
 * refusals of inconsistent sources.
 */
import { describe, expect, it } from 'vitest';
import { assessAlarms } from '../../../functions/core/alarm-verdicts.ts';
import { assessCustom } from '../../../functions/core/custom-verdicts.ts';
import { decide, initialStatus } from '../../../functions/core/decide.ts';
import {
  edgeOf,
  type LoadBalancerDescription,
  missingDataProblems,
} from '../../../functions/core/edge-discovery.ts';
import { albMeasure, assessEdge, edgeThresholds } from '../../../functions/core/edge-verdicts.ts';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { parseMigrationInput } from '../../../functions/core/input.ts';
import type { CustomQuery } from '../../../functions/core/input-sources.ts';
import { assessSources, sourceQueries, withSources } from '../../../functions/core/source-judge.ts';
import {
  customId,
  customQueries,
  type EdgeLoadBalancer,
  edgeId,
  packGroups,
} from '../../../functions/core/sources.ts';
import { type Assessment, type Evaluation, Verdict } from '../../../functions/core/types.ts';
import { draft, inputWith, WINDOW } from './fixtures.ts';

const lb = (
  side: 'green' | 'blue',
  dimension: string,
  kind: EdgeLoadBalancer['kind'] = 'application'
) => ({
  side,
  kind,
  name: dimension,
  dimension,
  dnsName: dimension,
});
const one = (value: number, at = 0) => ({ timestamps: [at], values: [value] });
const alb = (index: number, requests: number, errors: number) => ({
  [edgeId(index, 'req')]: one(requests),
  [edgeId(index, 't5')]: one(errors),
});

const MINUTE_0 = Date.parse(WINDOW.start);
const twoMinutes = (index: number, requests: number, errors: number) => ({
  [edgeId(index, 'req')]: {
    timestamps: [MINUTE_0, MINUTE_0 + 60_000],
    values: [requests, requests],
  },
  [edgeId(index, 't5')]: { timestamps: [MINUTE_0, MINUTE_0 + 60_000], values: [errors, errors] },
});

describe('Edge queries and verdicts, edge cases', () => {
  it("never counts more errors than requests: slow 5xx answered in the window after their requests' minute", () => {
    // Prepare: 3 requests counted in this window, 5 target 5xx from requests of the minute before.
    const series = { ...alb(0, 3, 5), ...alb(1, 3, 5), ...alb(2, 900, 2) };
    const edge = [lb('green', 'app/g/1'), lb('green', 'app/g/2'), lb('blue', 'app/b/3')];

    // Act
    const judge = () => assessEdge(edge as EdgeLoadBalancer[], series, inputWith({}), WINDOW);

    // Assess
    expect(albMeasure(series, 0)).toMatchObject({ requests: 3, errors: 3 });
    expect(judge).not.toThrow();
  });

  it('reads only NewFlowCount of an NLB, and the blue ALB for the baseline average', () => {
    // Act
    const queries = sourceQueries(
      inputWith({ thresholds: { latencyAvgMaxMs: 200, latencyMaxMs: 900 } }),
      [lb('green', 'net/g/1', 'network'), lb('green', 'app/g/2'), lb('blue', 'app/b/3')],
      WINDOW
    );

    // Assess
    expect(queries.map((q) => `${q.id} ${q.metricStat?.namespace} ${q.metricStat?.stat}`)).toEqual([
      'xe0_flows AWS/NetworkELB Sum',
      'xe1_req AWS/ApplicationELB Sum',
      'xe1_t5 AWS/ApplicationELB Sum',
      'xe1_e5 AWS/ApplicationELB Sum',
      'xe1_cnt AWS/ApplicationELB SampleCount',
      'xe1_avg AWS/ApplicationELB Average',
      'xe1_max AWS/ApplicationELB Maximum',
      'xe2_req AWS/ApplicationELB Sum',
      'xe2_t5 AWS/ApplicationELB Sum',
      'xe2_e5 AWS/ApplicationELB Sum',
      'xe2_cnt AWS/ApplicationELB SampleCount',
      'xe2_avg AWS/ApplicationELB Average',
    ]);
  });

  it('judges several green ALBs together and each alone (shortfalls of one alone uncounted), several blue ones as overall', () => {
    // Act
    const assessments = assessEdge(
      [
        lb('green', 'app/g/1'),
        lb('green', 'app/g/2'),
        lb('blue', 'app/b/3'),
        lb('blue', 'app/b/4'),
      ],
      { ...alb(0, 3_000, 3), ...alb(1, 10, 0), ...alb(2, 3_000, 3), ...alb(3, 3_000, 3) },
      inputWith(),
      WINDOW
    );

    // Assess
    const rates = assessments.filter((a) => a.check === 'errorRate');
    expect(rates.map((a) => [a.scope, a.side, a.verdict, a.counted])).toEqual([
      ['overall', 'green', Verdict.Pass, true],
      ['app/g/1', 'green', Verdict.Pass, true],
      ['app/g/2', 'green', Verdict.Inconclusive, false],
      ['overall', 'blue', Verdict.Pass, false],
    ]);
  });

  it('weighs an average only where a SampleCount shares its timestamp, and reports NLB flows as 0 when absent', () => {
    // Act
    const measure = albMeasure(
      {
        [edgeId(0, 'req')]: one(100),
        [edgeId(0, 'avg')]: one(0.2, 60_000),
        [edgeId(0, 'cnt')]: one(100, 0),
      },
      0
    );
    const [nlb] = assessEdge([lb('green', 'net/g/1', 'network')], {}, inputWith(), WINDOW);

    // Assess
    expect(measure.latencyAvgMs).toBeNull();
    expect(nlb).toMatchObject({ check: 'edgeCoverage', sampleSize: 0, counted: false });
  });

  it('uses thresholds as they are for an edge named without overrides', () => {
    // Act + Assess
    expect(
      edgeThresholds(inputWith({ metrics: { edge: { green: ['g'] } } })).errorRateMaxPercent
    ).toBe(1);
  });

  it('keeps only application and network load balancers (a gateway one has no such metrics)', () => {
    // Prepare
    const gateway: LoadBalancerDescription = {
      name: 'gw',
      arn: 'arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/gwy/gw/1',
      dnsName: 'gw',
      type: 'gateway',
    };

    // Act + Assess
    expect(edgeOf('green', [gateway], () => true)).toEqual([]);
  });

  it('names an NLB without flows, and an unreadable recent-data read', () => {
    // Prepare
    const nlb = [lb('blue', 'net/b/1', 'network')] as EdgeLoadBalancer[];

    // Act + Assess
    expect(missingDataProblems(nlb, inputWith(), { kind: 'ok', series: {}, failed: {} })).toEqual([
      'edge load balancer net/b/1 (blue) published no NewFlowCount in the last 15 min',
    ]);
    expect(
      missingDataProblems(nlb, inputWith(), { kind: 'unavailable', reason: 'Throttling' })
    ).toEqual(['recent source data unreadable: Throttling']);
  });
});

describe('assessSources, readings that failed or are missing', () => {
  // Two minutes of overwhelming evidence roll back at minEvidenceMinutes 2 (the default is 3).
  const withQuery = inputWith({
    thresholds: { minEvidenceMinutes: 2 },
    metrics: {
      queries: [
        {
          label: 'q',
          side: 'blue',
          badWhen: 'above',
          limit: 1,
          blue: { metricStat: { namespace: 'N', metricName: 'M', stat: 'Sum' } },
        },
      ],
    },
  });
  const noAlarms = { reports: [], failure: null };

  it.each([
    { edge: [lb('green', 'app/g/1')], sources: ['edge', 'custom:q'], counted: [true, false] },
    { edge: [], sources: ['custom:q'], counted: [false] },
  ])('turns an unavailable batch into Errors: $sources', ({ edge, sources, counted }) => {
    // Act
    const { assessments } = assessSources(withQuery, WINDOW, {
      edge: edge as EdgeLoadBalancer[],
      series: { kind: 'unavailable', reason: 'Throttling' },
      alarms: noAlarms,
    });

    // Assess
    expect(assessments.map((a) => a.source)).toEqual(sources);
    expect(assessments.map((a) => a.counted)).toEqual(counted);
    expect(assessments.every((a) => a.verdict === Verdict.Error)).toBe(true);
  });

  it('judges the edge and the custom series of a window', () => {
    // Act
    const { assessments } = assessSources(withQuery, WINDOW, {
      edge: [lb('green', 'app/g/1')] as EdgeLoadBalancer[],
      series: {
        kind: 'ok',
        series: { ...twoMinutes(0, 1_500, 150), [customId(0, 'blue')]: one(5) },
        failed: {},
      },
      alarms: noAlarms,
    });

    // Assess
    expect(assessments.map((a) => [a.source, a.side, a.check, a.verdict])).toEqual([
      ['edge', 'green', 'errorRate', Verdict.Fail],
      ['custom:q', 'blue', 'custom', Verdict.Fail],
    ]);
  });

  it("judges green's overall edge error rate by the sequential test: a healthy green's 2 errors in 56 requests do not fail", () => {
    // Prepare: a 5 % share of 1,000 rpm at a 0.5 % error rate; one window's Wilson bound at 90 % was a Fail
    // (1.49 % > 1 %), and such windows every minute rolled back 2.75 % of healthy 2-hour runs.
    const edge = [lb('green', 'app/g/1')] as EdgeLoadBalancer[];

    // Act
    const judged = assessSources(inputWith({}), WINDOW, {
      edge,
      series: { kind: 'ok', series: alb(0, 56, 2), failed: {} },
      alarms: noAlarms,
    });

    // Assess
    expect(judged.assessments).toEqual([
      expect.objectContaining({
        source: 'edge',
        check: 'errorRate',
        verdict: Verdict.Inconclusive,
      }),
    ]);
    expect(judged.assessments[0]?.reason).toContain('not significant yet');
    expect(Object.keys(judged.sequential)).toEqual(['edge:errorRate']);
  });

  it.each([
    {
      name: 'two green ALBs and a blue one: both overall rates, scope overall',
      edge: [lb('green', 'app/g/1'), lb('green', 'app/g/2'), lb('blue', 'app/b/3')],
      series: { ...twoMinutes(0, 500, 1), ...twoMinutes(1, 500, 1), ...twoMinutes(2, 900, 2) },
      keys: ['edge:errorRate', 'edge:baselineErrorRate'],
      sequentialScopes: ['overall', 'overall'],
      blue: { requests: 1_800, errors5xx: 4 },
    },
    {
      name: 'blue below minRequests: the baseline has no limit and stays a window assessment',
      edge: [lb('green', 'app/g/1'), lb('blue', 'app/b/3')],
      series: { ...twoMinutes(0, 500, 1), ...twoMinutes(1, 10, 0) },
      keys: ['edge:errorRate'],
      sequentialScopes: ['app/g/1'],
      blue: { requests: 20, errors5xx: 0 },
    },
    {
      name: 'a green NLB only: nothing to test',
      edge: [lb('green', 'net/g/1', 'network')],
      series: {},
      keys: [],
      sequentialScopes: [],
      blue: undefined,
    },
  ])(
    'runs the edge sequential tests for $name',
    ({ edge, series, keys, sequentialScopes, blue }) => {
      // Act
      const judged = assessSources(inputWith({}), WINDOW, {
        edge: edge as EdgeLoadBalancer[],
        series: { kind: 'ok', series, failed: {} },
        alarms: noAlarms,
      });

      // Assess
      expect(Object.keys(judged.sequential)).toEqual(keys);
      const sequential = judged.assessments.filter((a) => a.evidence !== undefined);
      expect(sequential.map((a) => a.scope)).toEqual(sequentialScopes);
      expect(sequential.every((a) => a.source === 'edge' && a.side === 'green')).toBe(true);
      // A baseline's limit inputs (blue's counts) stay on its sequential assessment, as on its window one.
      const baseline = judged.assessments.find((a) => a.check === 'baselineErrorRate');
      expect(baseline?.blue).toEqual(blue);
    }
  );

  it('rolls back a broken green edge at once, from its sequential test, without maxConsecutiveFailures windows', () => {
    // Prepare: every request through green's ALB fails for two minutes, at a 1 % share (30 requests a minute).
    const edge = [lb('green', 'app/g/1')] as EdgeLoadBalancer[];
    const input = inputWith({ thresholds: { minEvidenceMinutes: 2 } });

    // Act
    const judged = assessSources(input, WINDOW, {
      edge,
      series: { kind: 'ok', series: twoMinutes(0, 30, 30), failed: {} },
      alarms: noAlarms,
    });
    const evaluation = withSources(
      { verdict: Verdict.Pass, reason: 'overall: ok', assessments: [], window: WINDOW },
      judged.assessments,
      null
    );
    const { decision } = decide({
      status: initialStatus(),
      evaluation,
      steps: [1, 100],
      input,
      now: new Date(WINDOW.end),
    });

    // Assess
    expect(decision.action).toBe('rollback');
    expect(decision.reason).toMatch(
      /^sequential test: edge app\/g\/1 errorRate: 5xx 100.00% vs 1% limit/
    );
    expect(judged.sequential['edge:errorRate']?.consumedUntil).toBe('2025-01-01T00:04:00.000Z');
  });

  it('judges no series without a window', () => {
    // Act
    const { assessments } = assessSources(withQuery, null, {
      edge: [],
      series: { kind: 'ok', series: {}, failed: {} },
      alarms: noAlarms,
    });

    // Assess
    expect(assessments).toEqual([]);
  });

  it('reads a failed alarm read without a reason as unknown', () => {
    // Act + Assess
    expect(assessAlarms(['a'], null, null).assessments[0]?.reason).toBe(
      'alarm a unreadable: unknown'
    );
  });
});

describe('withSources, reasons', () => {
  const failing: Evaluation = {
    verdict: Verdict.Fail,
    reason: 'overall: error rate 5.00% > 1%',
    assessments: [],
    window: WINDOW,
  };
  const alarm = (verdict: Verdict): Assessment => ({
    check: 'alarm',
    scope: 'a',
    verdict,
    value: null,
    limit: null,
    sampleSize: 0,
    counted: true,
    reason: `alarm a is ${verdict}`,
    source: 'alarm:a',
    side: 'green',
  });

  it("returns Service Connect's evaluation itself when no other source is configured", () => {
    // Act + Assess
    expect(withSources(failing, [], null)).toBe(failing);
  });

  it("keeps Service Connect's reason alone when no other source agrees", () => {
    // Act + Assess
    expect(withSources(failing, [alarm(Verdict.Pass)], null).reason).toBe(failing.reason);
  });

  it('joins both reasons when both fail, naming the source once', () => {
    // Act + Assess
    expect(withSources(failing, [alarm(Verdict.Fail)], 'now').reason).toBe(
      'overall: error rate 5.00% > 1%; alarm:a: alarm a is Fail'
    );
  });
});

describe('Custom queries, edge cases', () => {
  const both = (badWhen: 'above' | 'below'): CustomQuery => ({
    label: 'q',
    side: 'both',
    badWhen,
    limit: 0,
    baselineRatio: 2,
    green: { metricStat: { namespace: 'N', metricName: 'G', dimensions: [], stat: 'Sum' } },
    blue: { metricStat: { namespace: 'N', metricName: 'B', dimensions: [], stat: 'Sum' } },
  });

  it('judges green below blue / ratio, over several datapoints (the worst counts)', () => {
    // Act
    const judged = assessCustom(
      [both('below')],
      {
        [customId(0, 'green')]: { timestamps: [0, 1], values: [40, 30] },
        [customId(0, 'blue')]: one(100),
      },
      {}
    );

    // Assess
    expect(judged[2]).toMatchObject({
      check: 'customBaseline',
      verdict: Verdict.Fail,
      value: 30,
      limit: 50,
    });
    expect(judged[2]?.reason).toBe(
      'custom:q (green) 30 < baseline 50 (blue 100 / 2) (2 datapoints)'
    );
  });

  it('has no baseline without a blue value (uncounted)', () => {
    // Act
    const judged = assessCustom([both('above')], { [customId(0, 'green')]: one(1) }, {});

    // Assess
    expect(judged[2]).toMatchObject({
      check: 'customBaseline',
      verdict: Verdict.Inconclusive,
      counted: false,
    });
  });

  it('reads a definition without a metric as an empty expression, and refuses a group beyond the call size', () => {
    // Act + Assess
    const query = { ...both('above'), side: 'green' as const, green: {}, blue: undefined };
    delete (query as Partial<CustomQuery>).blue;
    expect(customQueries([query as CustomQuery], 60)).toEqual([
      {
        id: 'xc0g',
        label: 'custom:q (green)',
        period: 60,
        expression: '',
        returnData: true,
        optional: true,
      },
    ]);
    expect(() => packGroups(['a', 'a'], (id) => id, 1)).toThrow('group a: 2 queries > 1 per call');
  });
});

describe('Schema: inconsistent sources are refused naming the field', () => {
  const stat = { namespace: 'N', metricName: 'M', stat: 'Sum' };
  it.each([
    {
      name: 'metrics beside a metricStat',
      queries: [
        {
          label: 'q',
          side: 'green',
          badWhen: 'above',
          limit: 1,
          green: { metricStat: stat, metrics: [] },
        },
      ],
      message: 'metrics.queries[0].green.metrics: only with an expression',
    },
    {
      name: 'a blue definition on a green query',
      queries: [
        {
          label: 'q',
          side: 'green',
          badWhen: 'above',
          limit: 1,
          green: { metricStat: stat },
          blue: { metricStat: stat },
        },
      ],
      message: 'metrics.queries[0].blue: not read with side green',
    },
    {
      name: 'a baselineRatio without both sides',
      queries: [
        {
          label: 'q',
          side: 'green',
          badWhen: 'above',
          limit: 1,
          baselineRatio: 2,
          green: { metricStat: stat },
        },
      ],
      message: 'metrics.queries[0].baselineRatio: only with side both',
    },
    {
      // GetMetricData refuses a call whose Ids repeat ("must be unique within a single call").
      name: 'an expression input id used twice',
      queries: [
        {
          label: 'q',
          side: 'green',
          badWhen: 'above',
          limit: 1,
          green: {
            expression: 'e / r',
            metrics: [
              { id: 'e', metricStat: stat },
              { id: 'e', metricStat: stat },
            ],
          },
        },
      ],
      message: 'metrics.queries[0].green.metrics[1].id: duplicate id',
    },
    {
      name: 'a duplicate label',
      queries: [
        { label: 'q', side: 'green', badWhen: 'above', limit: 1, green: { metricStat: stat } },
        { label: 'q', side: 'green', badWhen: 'above', limit: 1, green: { metricStat: stat } },
      ],
      message: 'metrics.queries[1].label: duplicate label',
    },
  ])('refuses $name', ({ queries, message }) => {
    // Act
    const parse = () =>
      parseMigrationInput({ ...draft(), metrics: { ...draft().metrics, queries } });

    // Assess
    expect(parse).toThrow(InvalidInputError);
    expect(parse).toThrow(message);
  });

  it('refuses an alarm named twice', () => {
    // Act + Assess
    expect(() => parseMigrationInput({ ...draft(), alarms: ['a', 'a'] })).toThrow(
      'alarms[1]: duplicate alarm name'
    );
  });
});
