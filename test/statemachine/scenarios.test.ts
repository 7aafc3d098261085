/**
 * One named scenario per execution path: the real ASL in aws-local-stepfunctions, the real handlers, moto's
 * Route 53 and CloudWatch over HTTP, and the closed-loop traffic model.
 */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunReport, runRehearsal } from '../../cli/rehearsal.ts';
import {
  GREEN_DISCOVERY_NAMES,
  REGRESSION_FROM_PERCENT,
  SCENARIOS,
  type ScenarioName,
} from '../../cli/scenarios.ts';
import { loadBalancerDimension } from '../../cli/seed-edge.ts';
import { clientConfig, type Moto, resetMoto, startMoto } from '../support/moto.ts';
import { type RecordedChange, recordChanges } from '../support/route53-recorder.ts';

let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});
beforeEach(async () => {
  await resetMoto(moto.endpoint);
});

async function rehearse(
  name: ScenarioName
): Promise<{ report: RunReport; changes: RecordedChange[] }> {
  let changes: RecordedChange[] = [];
  const report = await runRehearsal({
    scenario: SCENARIOS[name],
    endpoint: moto.endpoint,
    instrument: ({ route53 }) => {
      changes = recordChanges(route53);
    },
  });
  // The seeding batch (CREATE) is not the orchestrator's.
  return {
    report,
    changes: changes.filter((batch) => batch.changes.every((change) => change.action === 'UPSERT')),
  };
}

/**
 * Green's 5xx share over the run, as its load balancer and as Service Connect published it into moto
 * (one bucket over the whole run: moto starts its buckets at StartTime).
 */
async function greenErrorShares(report: RunReport) {
  const config = clientConfig(moto.endpoint);
  const { LoadBalancers = [] } = await new ElasticLoadBalancingV2Client(config).send(
    new DescribeLoadBalancersCommand({ Names: ['green-sc-edge'] })
  );
  const loadBalancer = loadBalancerDimension(LoadBalancers[0]?.LoadBalancerArn ?? '');
  const from = new Date(report.startedAt);
  const to = new Date(report.endedAt);
  const period = Math.ceil((to.getTime() - from.getTime()) / 60_000) * 60;
  const sum = (Id: string, Namespace: string, MetricName: string, Name: string, Value: string) => ({
    Id,
    MetricStat: {
      Metric: { Namespace, MetricName, Dimensions: [{ Name, Value }] },
      Period: period,
      Stat: 'Sum',
    },
  });
  const service = GREEN_DISCOVERY_NAMES.flatMap((name, index) =>
    ['2XX', '4XX', '5XX'].map((code) =>
      sum(
        `sc${code}n${index}`,
        'AWS/ECS',
        `HTTPCode_Target_${code}_Count`,
        'TargetDiscoveryName',
        name
      )
    )
  );
  const { MetricDataResults = [] } = await new CloudWatchClient(config).send(
    new GetMetricDataCommand({
      StartTime: from,
      EndTime: to,
      MetricDataQueries: [
        sum('edgeRequests', 'AWS/ApplicationELB', 'RequestCount', 'LoadBalancer', loadBalancer),
        sum(
          'edge5xx',
          'AWS/ApplicationELB',
          'HTTPCode_Target_5XX_Count',
          'LoadBalancer',
          loadBalancer
        ),
        ...service,
      ],
    })
  );
  const total = (prefix: string) =>
    MetricDataResults.filter((result) => result.Id?.startsWith(prefix)).reduce(
      (all, result) => all + (result.Values ?? []).reduce((a, b) => a + b, 0),
      0
    );
  return {
    edge: total('edge5xx') / total('edgeRequests'),
    serviceConnect: total('sc5XX') / total('sc'),
  };
}

const weightsOf = (report: RunReport) =>
  report.finalPairs.map((pair) => ({
    name: pair.name,
    blue: pair.blue.Weight,
    green: pair.green.Weight,
  }));

describe('State machine scenarios (local interpreter + real handlers + moto)', () => {
  it('healthy: walks every step with one atomic two-record batch per zone and completes at 100 % green', async () => {
    // Act
    const { report, changes } = await rehearse('healthy');

    // Assess
    expect(report.outcome).toBe('completed');
    expect(report.exitCode).toBe(0);
    expect(weightsOf(report)).toEqual([
      { name: 'api.example.com', blue: 0, green: 255 },
      { name: 'www.example.com', blue: 0, green: 100 },
    ]);
    // Steps 1, 5, 25, 50, 100: one batch each (both records are in one zone), four UPSERTs per batch.
    expect(changes).toHaveLength(5);
    for (const batch of changes) expect(batch.changes).toHaveLength(4);
    const greenWeights = changes.map(
      (batch) => batch.changes.find((c) => c.setIdentifier === 'api-green-serviceconnect')?.weight
    );
    expect(greenWeights).toEqual([3, 13, 64, 128, 255]);
    expect(report.timeline.every((point) => point.verdict !== 'Fail')).toBe(true);
  });

  it('error-regression: rolls back to the exact snapshot once green errors at a higher step', async () => {
    // Act
    const { report } = await rehearse('error-regression');

    // Assess
    expect(report.outcome).toBe('rolled-back');
    expect(report.exitCode).toBe(2);
    expect(report.atSnapshot).toBe(true);
    expect(report.finalPairs).toEqual(report.snapshot);
    // The sequential error-rate test rolls back on its first Fail (decisive), naming its evidence.
    expect(report.reason).toMatch(
      /^sequential test: overall errorRate: 5xx [\d.]+% vs 1% limit, evidence [\d,.]+:1 over \d+ min >= 144,000:1/
    );
    const failed = report.timeline.filter((point) => point.verdict === 'Fail');
    expect(failed.length).toBe(1);
    expect(Math.min(...failed.map((point) => point.greenPercent))).toBeGreaterThanOrEqual(
      REGRESSION_FROM_PERCENT
    );
    expect(report.markers.some((marker) => marker.kind === 'rollback')).toBe(true);
  });

  it('latency-regression: rolls back on the average response time and names it', async () => {
    // Act
    const { report } = await rehearse('latency-regression');

    // Assess
    expect(report.outcome).toBe('rolled-back');
    expect(report.atSnapshot).toBe(true);
    const failed = report.timeline.filter((point) => point.verdict === 'Fail');
    expect(failed.length).toBeGreaterThan(0);
    expect(
      failed.every(
        (point) => (point.latencyAvgMs ?? 0) > 250 || (point.reason ?? '').includes('latency')
      )
    ).toBe(true);
  });

  it('edge-regression: green fails at its load balancer with healthy Service Connect metrics: rolls back to the snapshot', async () => {
    // Arrange: what the scenario is (the edge judge, not this test, must see it).
    const green = SCENARIOS['edge-regression'].profile.green;
    const loaded = green({ minute: new Date(0), greenPercent: REGRESSION_FROM_PERCENT });
    expect(loaded.errorRatePercent).toBeLessThan(0.5);
    expect(loaded.edge?.errorRatePercent).toBe(8);

    // Act
    const { report } = await rehearse('edge-regression');

    // Assess: the world first (green's ALB saw the 5xx, its Service Connect did not), then the judge.
    const shares = await greenErrorShares(report);
    expect(shares.edge).toBeGreaterThan(0.02);
    expect(shares.serviceConnect).toBeLessThan(0.005);
    expect(report.outcome).toBe('rolled-back');
    expect(report.exitCode).toBe(2);
    expect(report.atSnapshot).toBe(true);
    expect(report.finalPairs).toEqual(report.snapshot);
    expect(report.markers.some((marker) => marker.kind === 'rollback')).toBe(true);
  });

  it('low-traffic: never advances past the first step on too little evidence, then takes the configured action', async () => {
    // Act
    const { report, changes } = await rehearse('low-traffic');

    // Assess
    expect(report.timeline.length).toBeGreaterThan(6);
    expect(report.timeline.every((point) => point.greenPercent === 1)).toBe(true);
    expect(report.timeline.some((point) => point.verdict === 'Pass')).toBe(false);
    expect(
      changes.filter((batch) =>
        batch.changes.some((c) => (c.weight ?? 0) > 0 && c.setIdentifier.includes('green'))
      )
    ).toHaveLength(1);
    expect(report.outcome).toBe('rolled-back');
    expect(report.reason).toMatch(/inconclusive/i);
    expect(report.atSnapshot).toBe(true);
  });

  it('abort: a stop during a bake runs no Catch; on-execution-end restores the snapshot and no write follows', async () => {
    // Act
    const { report, changes } = await rehearse('abort');

    // Assess
    expect(report.outcome).toBe('aborted');
    expect(report.exitCode).toBe(3);
    expect(report.atSnapshot).toBe(true);
    expect(report.markers.some((marker) => marker.kind === 'rollback')).toBe(false);
    expect(report.markers.find((marker) => marker.kind === 'recovery')?.label).toBe(
      'snapshot restored'
    );
    const last = changes.at(-1);
    expect(last?.changes.map((c) => c.weight)).toEqual([255, 0, 100, 0]);
  });
});
