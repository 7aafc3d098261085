/**
 * Preflight's checks of the sources beyond Service Connect, with in-memory ports: no edge load balancer is not
 * a failure (the summary says so), the edge found from the aliases lands in the run state, a source without
 * recent data is refused by name, and a missing alarm is refused.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { LoadBalancerDescription } from '../../../functions/core/edge-discovery.ts';
import { newRunState } from '../../../functions/core/run.ts';
import type { SeriesQuery, SeriesReading } from '../../../functions/core/sources.ts';
import type { WeightedPair } from '../../../functions/core/types.ts';
import { preflight } from '../../../functions/handlers/preflight.ts';
import {
  FakeClock,
  FakeExecutions,
  FakeMetrics,
  FakeRegistry,
  FakeRouter,
} from '../../support/fake-ports.ts';
import { preflightEvent, TEST_EXECUTION_ARN } from '../../support/preflight-event.ts';
import { draft, inputWith, pairWith } from '../core/fixtures.ts';

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer';
const LBS: LoadBalancerDescription[] = [
  {
    name: 'g',
    arn: `${ARN}/app/g/1`,
    dnsName: 'g-1.us-east-1.elb.amazonaws.com',
    type: 'application',
  },
  {
    name: 'b',
    arn: `${ARN}/app/b/2`,
    dnsName: 'b-2.us-east-1.elb.amazonaws.com',
    type: 'application',
  },
];

/** Answers every recent-data query with one datapoint, except the ids in `silent`. */
class RecentMetrics extends FakeMetrics {
  silent: string[] = [];
  asked: SeriesQuery[] = [];
  async readSeries(queries: readonly SeriesQuery[]): Promise<SeriesReading> {
    this.asked.push(...queries);
    const series = Object.fromEntries(
      queries
        .filter((q) => !this.silent.includes(q.id))
        .map((q) => [q.id, { timestamps: [0], values: [10] }])
    );
    return { kind: 'ok', series, failed: {} };
  }
}

const aliasPair = (weights = { blue: 100, green: 0 }): WeightedPair => {
  const pair = pairWith(weights, { hostedZoneId: 'Z0123456789ABC' });
  const alias = (dnsName: string) => ({
    HostedZoneId: 'Z35SXDOTRQ7X7K',
    DNSName: dnsName,
    EvaluateTargetHealth: false,
  });
  const { TTL: _b, ResourceRecords: _br, ...blue } = pair.blue;
  const { TTL: _g, ResourceRecords: _gr, ...green } = pair.green;
  return {
    ...pair,
    blue: { ...blue, AliasTarget: alias('dualstack.b-2.us-east-1.elb.amazonaws.com.') },
    green: { ...green, AliasTarget: alias('dualstack.g-1.us-east-1.elb.amazonaws.com.') },
    effectiveTtlSeconds: { blue: 60, green: 60 },
  };
};

let metrics: RecentMetrics;
let executions: FakeExecutions;
beforeEach(() => {
  metrics = new RecentMetrics();
  executions = new FakeExecutions();
  executions.add({
    executionArn: TEST_EXECUTION_ARN,
    input: draft(),
    startDate: '2026-01-01T00:00:00.000Z',
  });
});

const deps = (pairs: WeightedPair[], extra: object = {}) => ({
  router: new FakeRouter(pairs),
  metrics,
  executions,
  clock: new FakeClock(),
  registry: new FakeRegistry(),
  loadBalancers: { describe: async () => LBS },
  ...extra,
});

describe('Handler: preflight, metric sources', () => {
  it('starts without an edge when no record is an alias to a load balancer, and says so', async () => {
    // Act
    const state = await preflight(
      preflightEvent(),
      deps([pairWith({ blue: 100, green: 0 }, { hostedZoneId: 'Z0123456789ABC' })])
    );

    // Assess
    expect(state.edge).toBeUndefined();
    expect(state.sourceNotes).toEqual([
      'edge: no weighted record is an alias to an application or network load balancer: the edge is not judged (not a failure)',
    ]);
    expect(metrics.asked).toEqual([]);
  });

  it('keeps the load balancers the aliases point to, per side, in the run state', async () => {
    // Act
    const state = await preflight(preflightEvent(), deps([aliasPair()]));

    // Assess
    expect(state.edge?.map((lb) => `${lb.side} ${lb.dimension}`)).toEqual([
      'green app/g/1',
      'blue app/b/2',
    ]);
    expect(metrics.asked.map((q) => q.metricStat?.metricName)).toEqual([
      'RequestCount',
      'RequestCount',
    ]);
  });

  it('starts when green, at 0 %, published nothing: an ALB without requests publishes no RequestCount', async () => {
    // Prepare
    metrics.silent = ['xe0_recent'];

    // Act
    const state = await preflight(preflightEvent(), deps([aliasPair()]));

    // Assess
    expect(state.edge?.map((lb) => lb.dimension)).toEqual(['app/g/1', 'app/b/2']);
  });

  it('refuses a load balancer without recent data, naming it and the side', async () => {
    // Prepare
    metrics.silent = ['xe0_recent'];

    // Act
    const attempt = preflight(preflightEvent(), deps([aliasPair({ blue: 90, green: 10 })]));

    // Assess
    await expect(attempt).rejects.toThrow(
      'preflight failed: edge load balancer app/g/1 (green) published no RequestCount in the last 15 min'
    );
  });

  it('does not look for an edge with metrics.edge off', async () => {
    // Act
    const input = { ...draft(), metrics: { ...draft().metrics, edge: 'off' } };
    const state = await preflight(preflightEvent(input), deps([aliasPair()]));

    // Assess
    expect(state.edge).toBeUndefined();
    expect(state.sourceNotes).toEqual(['edge: off (metrics.edge)']);
  });

  it('refuses an alarm that does not exist, naming it', async () => {
    // Prepare
    const input = { ...draft(), alarms: ['checkout-5xx'] };

    // Act
    const attempt = preflight(
      preflightEvent(input),
      deps([aliasPair()], {
        alarms: { describe: async () => [{ name: 'checkout-5xx', state: null }] },
      })
    );

    // Assess
    await expect(attempt).rejects.toThrow(
      'alarm checkout-5xx does not exist (metric or composite)'
    );
  });

  it('refuses a continuation whose edge is not a load balancer dimension, naming the field', async () => {
    // Prepare
    const { next: _next, ...state } = newRunState(
      inputWith(),
      {
        executionArn: TEST_EXECUTION_ARN,
        executionName: 'self',
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ts',
        startedAt: '2026-01-01T00:00:00.000Z',
        generation: 2,
        continuedFrom: 'arn:aws:states:us-east-1:123456789012:execution:ts:previous',
      },
      [pairWith({ blue: 100, green: 0 }, { hostedZoneId: 'Z0123456789ABC' })]
    );
    const edge = [{ side: 'green', kind: 'application', name: 'g', dimension: 'g', dnsName: 'g' }];

    // Act
    const attempt = preflight(preflightEvent({ resume: { ...state, edge } }), deps([]));

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('resume.edge[0].dimension: must be app/<name>/<id>'),
    });
  });
});
