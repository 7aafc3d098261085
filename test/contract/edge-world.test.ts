/**
 * The rehearsal's edge world against a real moto_server over HTTP with the real SDK clients: the seeded ALBs
 * are found from the weighted alias records the way Preflight discovers them (DescribeLoadBalancers, matched
 * on the alias DNS name without `dualstack.` and the trailing dot), and the traffic model's ALB metrics read
 * back through GetMetricData under `AWS/ApplicationELB` with the `LoadBalancer` dimension (the ARN suffix),
 * with the sums the model says it published for each environment. moto skips the namespace filter when
 * dimensions are given and starts its period buckets at StartTime (local-aws.md §3.4): one bucket spans all.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeMinute } from '../../cli/edge-metrics.ts';
import { seedRehearsalZone } from '../../cli/seed.ts';
import {
  loadBalancerDimension,
  type SeededEdge,
  seedEdgeLoadBalancers,
} from '../../cli/seed-edge.ts';
import { seedInputZones } from '../../cli/seed-input.ts';
import { TrafficModel } from '../../cli/traffic-model.ts';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import { DnsSchema } from '../../functions/core/input-limits.ts';
import type { WeightedPair } from '../../functions/core/types.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';

const MINUTE = 60_000;
const MINUTES = 6;
const SIDES = ['blue', 'green'] as const;

let moto: Moto;
let router: Route53TrafficRouter;
let route53: Route53Client;
let edge: SeededEdge;
let aliasPair: WeightedPair;
let model: TrafficModel;
let from: Date;

beforeAll(async () => {
  moto = await startMoto();
  const config = clientConfig(moto.endpoint);
  route53 = new Route53Client(config);
  router = new Route53TrafficRouter(route53);
  edge = await seedEdgeLoadBalancers(moto.endpoint, {
    blue: 'blue-appmesh-edge',
    green: 'green-sc-edge',
  });
  const zone = await seedRehearsalZone(route53, 'example.com', edge);
  const pairs = await router.readPairs(zone.records);
  aliasPair = pairs.find((pair) => pair.blue.AliasTarget !== undefined) as WeightedPair;
  // 60 % green, so both load balancers carry traffic.
  const { hostedZoneId, name, type } = aliasPair;
  await router.applyWeights(
    [aliasPair],
    [{ hostedZoneId, name, type, blueWeight: 102, greenWeight: 153 }]
  );
  from = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - 30 * MINUTE);
  model = new TrafficModel({
    cloudwatch: new CloudWatchClient(config),
    router,
    clock: { now: () => new Date(from.getTime() + MINUTES * MINUTE) },
    records: zone.records,
    greenDiscoveryNames: ['orders'],
    blueDiscoveryNames: ['orders-appmesh'],
    edge: { blue: edge.blue.dimension, green: edge.green.dimension },
    profile: {
      requestsPerMinute: 2_000,
      blue: () => ({ errorRatePercent: 0.2, latencyAvgMs: 80, edge: { elbErrorRatePercent: 1 } }),
      green: () => ({ errorRatePercent: 0.15, latencyAvgMs: 72, edge: { errorRatePercent: 8 } }),
    },
    from,
  });
  await model.publishUntilNow();
});

afterAll(async () => {
  await moto?.stop();
});

/** What Preflight does with an alias target: strip `dualstack.` and the trailing dot, compare case-blind. */
function balancerHost(aliasDnsName: string): string {
  return aliasDnsName
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^dualstack\./, '');
}

async function readBack(loadBalancer: string) {
  const cloudwatch = new CloudWatchClient(clientConfig(moto.endpoint));
  const stat = (
    Id: string,
    MetricName: string,
    Stat: string,
    Unit: StandardUnit
  ): MetricDataQuery => ({
    Id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName,
        Dimensions: [{ Name: 'LoadBalancer', Value: loadBalancer }],
      },
      Period: MINUTES * 60,
      Stat,
      Unit,
    },
  });
  const answer = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: from,
      EndTime: new Date(from.getTime() + MINUTES * MINUTE),
      MetricDataQueries: [
        stat('requests', 'RequestCount', 'Sum', 'Count'),
        stat('target5xx', 'HTTPCode_Target_5XX_Count', 'Sum', 'Count'),
        stat('elb5xx', 'HTTPCode_ELB_5XX_Count', 'Sum', 'Count'),
        stat('latencyAvg', 'TargetResponseTime', 'Average', 'Seconds'),
        stat('latencyMax', 'TargetResponseTime', 'Maximum', 'Seconds'),
      ],
    })
  );
  const value = (id: string) =>
    answer.MetricDataResults?.find((result) => result.Id === id)?.Values?.[0];
  return {
    requests: value('requests'),
    target5xx: value('target5xx'),
    elb5xx: value('elb5xx'),
    latencyAvg: value('latencyAvg'),
    latencyMax: value('latencyMax'),
  };
}

const sum = (minutes: EdgeMinute[], pick: (minute: EdgeMinute) => number) =>
  minutes.reduce((total, minute) => total + pick(minute), 0);

describe('The rehearsal edge in moto (ELBv2 + Route 53 + CloudWatch over HTTP)', () => {
  it.each(SIDES)(
    '%s: the alias record leads to its seeded ALB through DescribeLoadBalancers',
    async (side) => {
      // Arrange
      const alias = aliasPair[side].AliasTarget;
      const elbv2 = new ElasticLoadBalancingV2Client(clientConfig(moto.endpoint));

      // Act
      const { LoadBalancers = [] } = await elbv2.send(new DescribeLoadBalancersCommand({}));
      const found = LoadBalancers.filter(
        (balancer) => balancer.DNSName?.toLowerCase() === balancerHost(alias?.DNSName ?? '')
      );

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]?.LoadBalancerArn).toBe(edge[side].arn);
      expect(alias?.HostedZoneId).toBe(found[0]?.CanonicalHostedZoneId);
      expect(alias?.EvaluateTargetHealth).toBe(true);
      expect(loadBalancerDimension(found[0]?.LoadBalancerArn ?? '')).toMatch(
        new RegExp(`^app/${edge[side].name}/[0-9a-f]+$`)
      );
      // Green keeps the console's `dualstack.` prefix and Route 53's trailing dot; blue the bare name.
      expect(alias?.DNSName?.startsWith('dualstack.')).toBe(side === 'green');
      // An alias to an ELB serves the load balancer's 60 s (Route 53 DG), like the plain pair's TTL 60.
      expect(aliasPair.effectiveTtlSeconds?.[side]).toBe(60);
    }
  );

  it.each(SIDES)(
    '%s: its ALB metrics read back with the LoadBalancer dimension and the published sums',
    async (side) => {
      // Arrange
      const published = model.published.map((minute) => minute.edge?.[side] as EdgeMinute);
      const answered = sum(published, (m) => m.requests - m.elbErrors);

      // Act
      const read = await readBack(edge[side].dimension);

      // Assess
      expect(published).toHaveLength(MINUTES);
      expect(read.requests).toBe(sum(published, (m) => m.requests));
      expect(read.target5xx).toBe(sum(published, (m) => m.targetErrors));
      // An ALB reports a count only when it is nonzero: green's ALB made no 502/504, so no series at all.
      expect(read.elb5xx).toBe(side === 'blue' ? sum(published, (m) => m.elbErrors) : undefined);
      expect(read.latencyAvg).toBeCloseTo(
        sum(published, (m) => (m.latencyAvgMs / 1_000) * (m.requests - m.elbErrors)) / answered,
        6
      );
      expect(read.latencyMax).toBeCloseTo(
        Math.max(...published.map((m) => m.latencyMaxMs)) / 1_000,
        6
      );
    }
  );

  it('rehearse --input: an A pair aliases to the seeded ALBs, a CNAME pair stays plain', async () => {
    // Arrange
    const ref = (name: string, type: 'A' | 'CNAME') => ({
      hostedZoneId: 'ZINPUT',
      name,
      type,
      blueSetIdentifier: `${name}-blue`,
      greenSetIdentifier: `${name}-green`,
    });

    // Act
    const seeded = await seedInputZones(
      route53,
      {
        records: [ref('shop.example.org', 'A'), ref('cdn.example.org', 'CNAME')],
        dns: DnsSchema.parse({}),
      },
      edge
    );
    const [alias, plain] = await router.readPairs(seeded.records);

    // Assess
    expect(alias?.blue.AliasTarget).toEqual(edge.blue.aliasTarget);
    expect(alias?.green.AliasTarget).toEqual(edge.green.aliasTarget);
    expect(alias?.effectiveTtlSeconds).toEqual({ blue: 60, green: 60 });
    expect(plain?.blue.AliasTarget).toBeUndefined();
    expect(plain?.blue.TTL).toBe(60);
  });

  it('each ALB carries its environment share, and the edge is never faster than Service Connect', () => {
    for (const minute of model.published) {
      const blue = minute.edge?.blue as EdgeMinute;
      const green = minute.edge?.green as EdgeMinute;
      expect(minute.greenPercent).toBe(60);
      expect(green.requests).toBe(minute.green.requests);
      expect(blue.requests).toBe(minute.blue.requests);
      expect(green.latencyAvgMs).toBeGreaterThanOrEqual(minute.green.latencyAvgMs);
      expect(blue.latencyAvgMs).toBeGreaterThanOrEqual(minute.blue.latencyAvgMs);
      // Green's frontend fails at the edge (8 %) while its Service Connect 5xx stay at 0.15 %.
      expect(green.targetErrors / green.requests).toBeGreaterThan(0.05);
      expect(minute.green.errors / minute.green.requests).toBeLessThan(0.01);
    }
    const green = sum(
      model.published.map((m) => m.edge?.green as EdgeMinute),
      (m) => m.requests
    );
    const blue = sum(
      model.published.map((m) => m.edge?.blue as EdgeMinute),
      (m) => m.requests
    );
    expect(green / (green + blue)).toBeGreaterThan(0.55);
    expect(green / (green + blue)).toBeLessThan(0.65);
  });
});
