/**
 * The edge and alarm adapters against moto over HTTP with the real SDK clients: ELBv2 load balancers (with
 * moto's DNS names), CloudWatch alarms (PutMetricAlarm / SetAlarmState / DescribeAlarms), and the one batched
 * GetMetricData read of Service Connect, edge and custom MetricStat series. moto has no metric math and no
 * percentiles: those request shapes are tested with aws-sdk-client-mock in
 * test/unit/adapters/cloudwatch-metric-batch.test.ts.
 */
import {
  CloudWatchClient,
  type MetricDatum,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchAlarms } from '../../functions/adapters/cloudwatch-alarms.ts';
import { CloudWatchMetricSource } from '../../functions/adapters/cloudwatch-metric-source.ts';
import { ElbV2LoadBalancers } from '../../functions/adapters/elbv2-load-balancers.ts';
import { discoverEdge } from '../../functions/core/edge-discovery.ts';
import { PreflightFailedError } from '../../functions/core/errors.ts';
import { assessSources, sourceQueries } from '../../functions/core/source-judge.ts';
import type { EdgeLoadBalancer } from '../../functions/core/sources.ts';
import type { WeightedPair } from '../../functions/core/types.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { createMotoLoadBalancer, type MotoLoadBalancer, motoSubnets } from '../support/moto-elb.ts';
import { inputWith } from '../unit/core/fixtures.ts';

const MINUTE = 60_000;

let moto: Moto;
let cloudwatch: CloudWatchClient;
let elb: ElasticLoadBalancingV2Client;
let green: MotoLoadBalancer;
let blue: MotoLoadBalancer;
let t0: number;

beforeAll(async () => {
  moto = await startMoto();
  cloudwatch = new CloudWatchClient(clientConfig(moto.endpoint));
  elb = new ElasticLoadBalancingV2Client(clientConfig(moto.endpoint));
  const subnets = await motoSubnets(moto.endpoint);
  green = await createMotoLoadBalancer(elb, subnets, 'shop-green');
  blue = await createMotoLoadBalancer(elb, subnets, 'shop-blue');
  t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 30 * MINUTE;
});

afterAll(async () => {
  cloudwatch?.destroy();
  elb?.destroy();
  await moto?.stop();
});

const alias = (id: string, dnsName: string) => ({
  Name: 'shop.example.com.',
  Type: 'A',
  SetIdentifier: id,
  Weight: 1,
  AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: dnsName, EvaluateTargetHealth: false },
});

describe('Class: ElbV2LoadBalancers', () => {
  it('lists moto load balancers whose alias DNS names (dualstack., trailing dot) find each side', async () => {
    // Prepare
    const directory = new ElbV2LoadBalancers(elb);
    const pair: WeightedPair = {
      hostedZoneId: 'Z1',
      name: 'shop.example.com',
      type: 'A',
      blue: alias('blue', `dualstack.${blue.dnsName.toUpperCase()}.`),
      green: alias('green', `dualstack.${green.dnsName}.`),
    };

    // Act
    const found = discoverEdge([pair], await directory.describe());

    // Assess
    expect(green.dimension).toMatch(/^app\/shop-green\/[0-9a-f]+$/);
    expect(found.edge).toEqual([
      expect.objectContaining({ side: 'green', kind: 'application', dimension: green.dimension }),
      expect.objectContaining({ side: 'blue', kind: 'application', dimension: blue.dimension }),
    ]);
  });

  it('finds named load balancers and refuses an unknown name as PreflightFailedError naming it', async () => {
    // Prepare
    const directory = new ElbV2LoadBalancers(elb);

    // Act
    const named = await directory.describe(['shop-green']);
    const missing = directory.describe(['no-such-alb']);

    // Assess
    expect(named.map((lb) => lb.name)).toEqual(['shop-green']);
    await expect(missing).rejects.toThrow(PreflightFailedError);
    await expect(directory.describe(['no-such-alb'])).rejects.toThrow(/no-such-alb/);
  });
});

describe('Class: CloudWatchAlarms', () => {
  it('reads the state of metric alarms and reports a missing one (moto has no composite alarms: see the unit test)', async () => {
    // Prepare
    const metricAlarm = (name: string) =>
      cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'HTTPCode_Target_5XX_Count',
          Dimensions: [{ Name: 'LoadBalancer', Value: green.dimension }],
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 10,
          ComparisonOperator: 'GreaterThanThreshold',
        })
      );
    await metricAlarm('shop-5xx');
    await metricAlarm('shop-latency');
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: 'shop-5xx', StateValue: 'ALARM', StateReason: 'test' })
    );
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: 'shop-latency', StateValue: 'OK', StateReason: 'test' })
    );
    // Act
    const reports = await new CloudWatchAlarms(cloudwatch).describe([
      'shop-5xx',
      'shop-latency',
      'gone',
    ]);

    // Assess
    expect(reports.map((report) => [report.name, report.state])).toEqual([
      ['shop-5xx', 'ALARM'],
      ['shop-latency', 'OK'],
      ['gone', null],
    ]);
  });
});

describe('Method: CloudWatchMetricSource.readAll', () => {
  it('reads Service Connect, both edges and a custom MetricStat in one GetMetricData call, judged in ms', async () => {
    // Prepare
    const datum = (
      namespace: string,
      name: string,
      dims: [string, string][],
      minute: number,
      value: number,
      unit = 'Count'
    ) => ({
      namespace,
      datum: {
        MetricName: name,
        Dimensions: dims.map(([Name, Value]) => ({ Name, Value })),
        Timestamp: new Date(t0 + minute * MINUTE),
        Value: value,
        Unit: unit,
      } as MetricDatum,
    });
    const data = [0, 1, 2, 3, 4].flatMap((minute) => [
      datum(
        'Edge/ECS',
        'HTTPCode_Target_2XX_Count',
        [['TargetDiscoveryName', 'shop']],
        minute,
        1_000
      ),
      datum(
        'AWS/ApplicationELB',
        'RequestCount',
        [['LoadBalancer', green.dimension]],
        minute,
        1_000
      ),
      datum(
        'AWS/ApplicationELB',
        'HTTPCode_Target_5XX_Count',
        [['LoadBalancer', green.dimension]],
        minute,
        60
      ),
      datum(
        'AWS/ApplicationELB',
        'HTTPCode_ELB_5XX_Count',
        [['LoadBalancer', green.dimension]],
        minute,
        20
      ),
      datum(
        'AWS/ApplicationELB',
        'TargetResponseTime',
        [['LoadBalancer', green.dimension]],
        minute,
        0.12,
        'Seconds'
      ),
      datum(
        'AWS/ApplicationELB',
        'RequestCount',
        [['LoadBalancer', blue.dimension]],
        minute,
        1_000
      ),
      datum('Shop/Business', 'Checkouts', [['Environment', 'green']], minute, 40),
    ]);
    for (const namespace of new Set(data.map((d) => d.namespace))) {
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: data.filter((d) => d.namespace === namespace).map((d) => d.datum),
        })
      );
    }
    const calls: string[] = [];
    cloudwatch.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' }
    );
    const input = inputWith({
      metrics: {
        namespace: 'Edge/ECS',
        greenDiscoveryNames: ['shop'],
        queries: [
          {
            label: 'checkouts',
            side: 'green',
            badWhen: 'below',
            limit: 100,
            green: {
              metricStat: {
                namespace: 'Shop/Business',
                metricName: 'Checkouts',
                dimensions: [{ name: 'Environment', value: 'green' }],
                stat: 'Sum',
              },
            },
          },
        ],
      },
      thresholds: { latencyAvgMaxMs: 100 },
    });
    const edge: EdgeLoadBalancer[] = [
      {
        side: 'green',
        kind: 'application',
        name: green.name,
        dimension: green.dimension,
        dnsName: green.dnsName,
      },
      {
        side: 'blue',
        kind: 'application',
        name: blue.name,
        dimension: blue.dimension,
        dnsName: blue.dnsName,
      },
    ];
    const window = {
      start: new Date(t0).toISOString(),
      end: new Date(t0 + 5 * MINUTE).toISOString(),
    };
    const scQuery = {
      namespace: 'Edge/ECS',
      window,
      periodSeconds: 60,
      includeP99: false,
      includeLatencyAvg: false,
      includeLatencyMax: false,
    };

    // Act
    const reading = await new CloudWatchMetricSource(cloudwatch).readAll({
      green: { ...scQuery, targets: [{ discoveryName: 'shop' }] },
      blue: null,
      series: sourceQueries(input, edge, window),
    });
    const judged = assessSources(input, window, {
      edge,
      series: reading.series,
      alarms: { reports: [], failure: null },
    });

    // Assess
    expect(calls).toEqual(['GetMetricDataCommand']);
    expect(reading.green).toMatchObject({ kind: 'ok', services: [{ http2xx: 5_000 }] });
    const find = (check: string, side = 'green') =>
      judged.assessments.find((a) => a.check === check && a.side === side);
    expect(find('errorRate')).toMatchObject({
      verdict: 'Fail',
      sampleSize: 5_100,
      value: (100 * 400) / 5_100,
    });
    expect(find('latencyAvg')).toMatchObject({ verdict: 'Fail', value: 120, limit: 100 });
    expect(find('errorRate', 'blue')).toMatchObject({
      verdict: 'Pass',
      counted: false,
      sampleSize: 5_000,
    });
    expect(find('custom')).toMatchObject({
      source: 'custom:checkouts',
      verdict: 'Pass',
      value: 200,
    });
  });
});
