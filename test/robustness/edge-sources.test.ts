/**
 * Issue 11 end to end: the real ASL with the real handlers on moto (Route 53, ELBv2, CloudWatch metrics and
 * alarms, DynamoDB). The weighted records are aliases to two moto load balancers and nothing else is
 * configured: Preflight finds both, every evaluation reads both edges with Service Connect in one batch, and
 * the run rolls back on green's edge regression while Service Connect stays healthy. Alarms: one in ALARM at
 * the start refuses the run with nothing written; one entering ALARM mid-run rolls back at that evaluation.
 * The metrics are published here directly (PutMetricData to moto).
 */
import {
  type CloudWatchClient,
  type MetricDatum,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../cli/local-engine.ts';
import { clientConfig } from '../../cli/moto.ts';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import type { RecordRef } from '../../functions/core/input.ts';
import type { RunState } from '../../functions/core/state.ts';
import { createMotoLoadBalancer, type MotoLoadBalancer, motoSubnets } from '../support/moto-elb.ts';
import {
  BatchLog,
  currentWeights,
  GREEN_NAMES,
  makeEngine,
  motoClients,
  motoPerFile,
  resetMoto,
  shortPlanInput,
  weightsOfSnapshot,
} from '../support/robustness-kit.ts';
import { createZone, seedAliasPair } from '../support/route53-fixtures.ts';

const moto = motoPerFile();
const MINUTE = 60_000;
/** Virtual time starts two hours back (aligned), so every datapoint is recent for CloudWatch. */
const START = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - 120 * MINUTE);

interface EdgeWorld {
  records: RecordRef[];
  green: MotoLoadBalancer;
  blue: MotoLoadBalancer;
  cloudwatch: CloudWatchClient;
}

/** Two moto ALBs and a weighted alias pair to them (255/0). */
async function seedEdgeWorld(): Promise<EdgeWorld> {
  await resetMoto(moto.endpoint);
  const { route53, cloudwatch } = motoClients(moto.endpoint);
  const elb = new ElasticLoadBalancingV2Client(clientConfig(moto.endpoint));
  const subnets = await motoSubnets(moto.endpoint);
  const green = await createMotoLoadBalancer(elb, subnets, 'shop-green');
  const blue = await createMotoLoadBalancer(elb, subnets, 'shop-blue');
  const zoneId = await createZone(route53, 'example.com');
  const ref = await seedAliasPair(route53, zoneId, {
    name: 'shop.example.com',
    blueDnsName: `dualstack.${blue.dnsName}.`,
    greenDnsName: `dualstack.${green.dnsName}.`,
  });
  return { records: [ref], green, blue, cloudwatch };
}

/**
 * Per minute from 20 min before the start to 80 min after: Service Connect 3,000 requests per green name
 * with 0.1 % 5xx (healthy), and at each ALB 3,000 requests with `green5xx` / 0.1 % target 5xx.
 */
async function publishMetrics(world: EdgeWorld, green5xx: number): Promise<void> {
  const data: { namespace: string; datum: MetricDatum }[] = [];
  const put = (
    namespace: string,
    name: string,
    dimension: [string, string],
    minute: number,
    value: number
  ) =>
    data.push({
      namespace,
      datum: {
        MetricName: name,
        Dimensions: [{ Name: dimension[0], Value: dimension[1] }],
        Timestamp: new Date(START.getTime() + minute * MINUTE),
        Value: value,
        Unit: 'Count',
      },
    });
  for (let minute = -20; minute < 80; minute++) {
    for (const name of GREEN_NAMES) {
      put('AWS/ECS', 'HTTPCode_Target_2XX_Count', ['TargetDiscoveryName', name], minute, 2_997);
      put('AWS/ECS', 'HTTPCode_Target_5XX_Count', ['TargetDiscoveryName', name], minute, 3);
      put('AWS/ECS', 'RequestCount', ['DiscoveryName', name], minute, 3_000);
    }
    for (const [lb, rate] of [
      [world.green, green5xx],
      [world.blue, 0.001],
    ] as const) {
      put('AWS/ApplicationELB', 'RequestCount', ['LoadBalancer', lb.dimension], minute, 3_000);
      put(
        'AWS/ApplicationELB',
        'HTTPCode_Target_5XX_Count',
        ['LoadBalancer', lb.dimension],
        minute,
        3_000 * rate
      );
    }
  }
  for (const namespace of new Set(data.map((d) => d.namespace))) {
    const mine = data.filter((d) => d.namespace === namespace).map((d) => d.datum);
    // moto answers an HTML error page beyond 20 datums per PutMetricData (the API's old limit).
    for (let at = 0; at < mine.length; at += 20) {
      await world.cloudwatch.send(
        new PutMetricDataCommand({ Namespace: namespace, MetricData: mine.slice(at, at + 20) })
      );
    }
  }
}

async function putAlarm(cloudwatch: CloudWatchClient, name: string, state: 'OK' | 'ALARM') {
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 100,
      ComparisonOperator: 'GreaterThanThreshold',
    })
  );
  await setAlarm(cloudwatch, name, state);
}

async function setAlarm(cloudwatch: CloudWatchClient, name: string, state: 'OK' | 'ALARM') {
  await cloudwatch.send(
    new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: 'test' })
  );
}

describe('Edge load balancers, discovered from the alias records', () => {
  it("reads both environments' edges and rolls back on 8 % 5xx at green's ALB while Service Connect is healthy", async () => {
    // Prepare
    const world = await seedEdgeWorld();
    await publishMetrics(world, 0.08);
    const evaluated: RunState[] = [];
    const { engine } = makeEngine({
      endpoint: moto.endpoint,
      clock: new VirtualClock(START),
      beforeTask: ({ state, payload }) => {
        if (state === 'Rollback') evaluated.push(payload as RunState);
      },
    });
    const router = new Route53TrafficRouter(motoClients(moto.endpoint).route53);
    const snapshot = await router.readPairs(world.records);

    // Act
    const { executionArn } = engine.start(shortPlanInput(world.records), 'edge-regression');
    const [end] = await engine.endOfChain(executionArn);

    // Assess
    expect(`${end?.status} ${end?.error}`).toBe('FAILED RolledBack');
    expect(end?.cause).toContain(
      `sequential test: edge ${world.green.dimension} errorRate: 5xx 8.00% vs 1% limit`
    );
    const state = evaluated[0];
    expect(state?.edge?.map((lb) => `${lb.side} ${lb.dimension}`)).toEqual([
      `green ${world.green.dimension}`,
      `blue ${world.blue.dimension}`,
    ]);
    const assessments = state?.evaluation?.assessments ?? [];
    const pick = (source: string | undefined, side: string | undefined, check: string) =>
      assessments.find((a) => a.source === source && a.side === side && a.check === check)?.verdict;
    expect(pick(undefined, undefined, 'errorRate')).toBe('Pass');
    expect(pick('edge', 'green', 'errorRate')).toBe('Fail');
    expect(pick('edge', 'green', 'baselineErrorRate')).toBe('Fail');
    expect(pick('edge', 'blue', 'errorRate')).toBe('Pass');
    expect(await currentWeights(router, world.records)).toEqual(weightsOfSnapshot(snapshot));
  });
});

describe('Existing CloudWatch alarms', () => {
  it('refuses to start while an alarm is in ALARM, naming it, with nothing written', async () => {
    // Prepare
    const world = await seedEdgeWorld();
    await publishMetrics(world, 0.001);
    await putAlarm(world.cloudwatch, 'shop-5xx', 'ALARM');
    const { route53 } = motoClients(moto.endpoint);
    const router = new Route53TrafficRouter(route53);
    const snapshot = await router.readPairs(world.records);
    const log = new BatchLog(snapshot);
    log.attach(route53);
    const { engine } = makeEngine({
      endpoint: moto.endpoint,
      clock: new VirtualClock(START),
      route53,
    });

    // Act
    const input = { ...shortPlanInput(world.records), alarms: ['shop-5xx'] };
    const { executionArn } = engine.start(input, 'alarm-at-start');
    const [end] = await engine.endOfChain(executionArn);

    // Assess
    expect(`${end?.status} ${end?.error}`).toBe('FAILED PreflightFailedError');
    expect(end?.cause).toContain('alarm shop-5xx is in ALARM');
    expect(log.batches).toEqual([]);
    expect(await currentWeights(router, world.records)).toEqual(weightsOfSnapshot(snapshot));
  });

  it('rolls back at the first evaluation after an alarm enters ALARM mid-run', async () => {
    // Prepare
    const world = await seedEdgeWorld();
    await publishMetrics(world, 0.001);
    await putAlarm(world.cloudwatch, 'shop-5xx', 'OK');
    let evaluationsAfterAlarm = 0;
    let rollbackReason = '';
    const { engine } = makeEngine({
      endpoint: moto.endpoint,
      clock: new VirtualClock(START),
      beforeTask: async ({ state, payload }) => {
        const run = payload as RunState;
        if (state === 'EvaluateMetrics' && run.status.greenPercent === 50) {
          if (evaluationsAfterAlarm === 0) await setAlarm(world.cloudwatch, 'shop-5xx', 'ALARM');
          evaluationsAfterAlarm += 1;
        }
        if (state === 'Rollback') rollbackReason = run.decision?.reason ?? '';
      },
    });

    // Act
    const input = { ...shortPlanInput(world.records), alarms: ['shop-5xx'] };
    const { executionArn } = engine.start(input, 'alarm-mid-run');
    const [end] = await engine.endOfChain(executionArn);

    // Assess
    expect(`${end?.status} ${end?.error}`).toBe('FAILED RolledBack');
    expect(evaluationsAfterAlarm).toBe(1);
    expect(rollbackReason).toMatch(/^alarm shop-5xx is in ALARM \(test\): immediate rollback/);
  });
});
