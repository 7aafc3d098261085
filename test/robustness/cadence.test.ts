/**
 * The two-state evaluation cadence (core/cadence.ts) end to end: the real ASL with the real handlers on moto
 * (Route 53, CloudWatch, DynamoDB). The same migration runs twice over the same Service Connect metrics: once
 * as configured (quiet looks every `minEvidenceMinutes` minutes while nothing can act on one minute) and once
 * with an alarm in OK, which keeps every look one minute apart (alarms act at any look) and changes no
 * decision. Both runs must reach the same outcome at the same virtual minute; the cadence run with fewer
 * EvaluateMetrics invocations. The metrics are published here directly (PutMetricData to moto).
 */
import {
  type CloudWatchClient,
  type MetricDatum,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../cli/local-engine.ts';
import type { RecordRef } from '../../functions/core/input.ts';
import {
  GREEN_NAMES,
  makeEngine,
  motoClients,
  motoPerFile,
  resetMoto,
  shortPlanInput,
} from '../support/robustness-kit.ts';
import { createZone, seedPlainPair } from '../support/route53-fixtures.ts';

const moto = motoPerFile();
const MINUTE = 60_000;
/** Virtual time starts two hours back (aligned), so every datapoint is recent for CloudWatch. */
const START = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - 120 * MINUTE);

/**
 * Per minute from 20 min before the start to 100 min after, per green discovery name: 3,000 requests with
 * 0.1 % 5xx, or 5 % from `regressionFromMinute` on.
 */
async function publishServiceConnect(
  cloudwatch: CloudWatchClient,
  regressionFromMinute: number | null
): Promise<void> {
  const data: MetricDatum[] = [];
  for (let minute = -20; minute < 100; minute++) {
    const errors = regressionFromMinute !== null && minute >= regressionFromMinute ? 150 : 3;
    const Timestamp = new Date(START.getTime() + minute * MINUTE);
    for (const name of GREEN_NAMES) {
      const target = [{ Name: 'TargetDiscoveryName', Value: name }];
      data.push(
        {
          MetricName: 'HTTPCode_Target_2XX_Count',
          Dimensions: target,
          Timestamp,
          Value: 3_000 - errors,
        },
        { MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: target, Timestamp, Value: errors },
        {
          MetricName: 'RequestCount',
          Dimensions: [{ Name: 'DiscoveryName', Value: name }],
          Timestamp,
          Value: 3_000,
        }
      );
    }
  }
  // moto answers an HTML error page beyond 20 datums per PutMetricData (the API's old limit).
  for (let at = 0; at < data.length; at += 20) {
    await cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: data.slice(at, at + 20) })
    );
  }
}

interface RunSummary {
  outcome: string;
  /** Virtual minutes since START when Rollback or Complete was entered. */
  endedAtMinute: number | null;
  evaluations: number;
}

/** One migration over a fresh world; `withAlarm` adds an alarm in OK (one-minute looks throughout). */
async function migrate(
  regressionFromMinute: number | null,
  withAlarm: boolean
): Promise<RunSummary> {
  await resetMoto(moto.endpoint);
  const { route53, cloudwatch } = motoClients(moto.endpoint);
  const zoneId = await createZone(route53, 'example.com');
  const records: RecordRef[] = [await seedPlainPair(route53, zoneId, { name: 'api.example.com' })];
  await publishServiceConnect(cloudwatch, regressionFromMinute);
  if (withAlarm) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'cadence-ok',
        Namespace: 'AWS/ECS',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1_000_000,
        ComparisonOperator: 'GreaterThanThreshold',
      })
    );
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: 'cadence-ok', StateValue: 'OK', StateReason: 'test' })
    );
  }
  const clock = new VirtualClock(START);
  let evaluations = 0;
  let endedAtMinute: number | null = null;
  const { engine } = makeEngine({
    endpoint: moto.endpoint,
    clock,
    beforeTask: ({ state }) => {
      if (state === 'EvaluateMetrics') evaluations += 1;
      if ((state === 'Rollback' || state === 'Complete') && endedAtMinute === null)
        endedAtMinute = (clock.now().getTime() - START.getTime()) / MINUTE;
    },
  });
  const input = shortPlanInput(records, {
    plan: {
      steps: [10, 50, 100],
      bakeSeconds: 600,
      evaluationIntervalSeconds: 60,
      finalBakeSeconds: 600,
    },
    // The schema's default limits: the kit's maxConsecutiveFailures 0 lets one failing minute act (one-minute looks).
    limits: {},
    ...(withAlarm ? { alarms: ['cadence-ok'] } : {}),
  });
  const { executionArn } = engine.start(input, withAlarm ? 'one-minute' : 'cadence');
  const [end] = await engine.endOfChain(executionArn);
  return { outcome: `${end?.status} ${end?.error ?? ''}`.trim(), endedAtMinute, evaluations };
}

describe('The evaluation cadence against the one-minute loop, end to end', () => {
  it('completes a healthy migration at the same minute with fewer evaluations', async () => {
    const cadence = await migrate(null, false);
    const oneMinute = await migrate(null, true);

    expect(cadence.outcome).toBe('SUCCEEDED');
    expect(oneMinute.outcome).toBe('SUCCEEDED');
    expect(cadence.endedAtMinute).toBe(oneMinute.endedAtMinute);
    expect(cadence.evaluations).toBeLessThan(oneMinute.evaluations * 0.75);
  }, 120_000);

  it('rolls back a regression in the middle of a bake at the same minute', async () => {
    const cadence = await migrate(15, false);
    const oneMinute = await migrate(15, true);

    expect(cadence.outcome).toBe('FAILED RolledBack');
    expect(oneMinute.outcome).toBe('FAILED RolledBack');
    expect(cadence.endedAtMinute).not.toBeNull();
    expect(cadence.endedAtMinute).toBe(oneMinute.endedAtMinute);
    expect(cadence.evaluations).toBeLessThan(oneMinute.evaluations);
  }, 120_000);
});
