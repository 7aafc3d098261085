/**
 * Request shapes moto cannot answer, with aws-sdk-client-mock: metric-math custom queries (moto has no metric
 * math), p99 on an ALB (moto answers HTTP 500 on percentiles), the split beyond 500 queries with NextToken,
 * and composite alarms (moto has none).
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchAlarms } from '../../../functions/adapters/cloudwatch-alarms.ts';
import { CloudWatchMetricSource } from '../../../functions/adapters/cloudwatch-metric-source.ts';
import { CloudWatchBusyError } from '../../../functions/core/errors.ts';
import { sourceQueries } from '../../../functions/core/source-judge.ts';
import type { EdgeLoadBalancer } from '../../../functions/core/sources.ts';
import { inputWith } from '../core/fixtures.ts';

const cloudwatch = mockClient(CloudWatchClient);
const WINDOW = { start: '2026-09-14T10:00:00.000Z', end: '2026-09-14T10:05:00.000Z' };
const GREEN: EdgeLoadBalancer = {
  side: 'green',
  kind: 'application',
  name: 'g',
  dimension: 'app/g/1',
  dnsName: 'g',
};
const scQuery = {
  namespace: 'AWS/ECS',
  targets: [{ discoveryName: 'orders' }],
  window: WINDOW,
  periodSeconds: 60,
  includeP99: false,
  includeLatencyAvg: false,
  includeLatencyMax: false,
};

const WINDOW_MINUTES = [0, 1, 2, 3, 4].map((m) => new Date(Date.parse(WINDOW.start) + m * 60_000));

/**
 * Every returned query Complete, with one datapoint of `value(id)`; Service Connect's status counts with one
 * in every minute of the window (so no RequestCount follows: service-connect-request-counts.ts).
 */
function answer(input: GetMetricDataCommandInput, value: (id: string) => number | undefined) {
  return {
    MetricDataResults: (input.MetricDataQueries ?? [])
      .filter((q) => q.ReturnData !== false)
      .map((q): MetricDataResult => {
        const v = value(q.Id ?? '');
        const times = /^gn\d+_http/.test(q.Id ?? '') ? WINDOW_MINUTES : [new Date(WINDOW.start)];
        return {
          Id: q.Id,
          StatusCode: 'Complete',
          Timestamps: v === undefined ? [] : times,
          Values: v === undefined ? [] : times.map(() => v),
        };
      }),
  };
}

beforeEach(() => {
  cloudwatch.reset();
});

describe('Method: readAll, request shapes', () => {
  it('sends a math custom query with its inputs (ReturnData false, ids prefixed) and ALB p99 over the window, in one call', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).callsFake((input) => answer(input, () => 1));
    const input = inputWith({
      metrics: {
        edge: { thresholds: { latencyP99MaxMs: 500 } },
        queries: [
          {
            label: 'envoy-rate',
            side: 'blue',
            badWhen: 'above',
            limit: 2,
            blue: {
              expression: '100 * e / r',
              metrics: [
                {
                  id: 'e',
                  metricStat: { namespace: 'CWAgent', metricName: 'rq_5xx', stat: 'Sum' },
                },
                {
                  id: 'r',
                  metricStat: { namespace: 'CWAgent', metricName: 'rq_total', stat: 'Sum' },
                },
              ],
            },
          },
        ],
      },
    });

    // Act
    const reading = await new CloudWatchMetricSource(new CloudWatchClient({})).readAll({
      green: scQuery,
      blue: null,
      series: sourceQueries(input, [GREEN], WINDOW),
    });

    // Assess
    const calls = cloudwatch.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const queries = calls[0]?.args[0].input.MetricDataQueries ?? [];
    expect(queries.find((q) => q.Id === 'xc0b')).toEqual({
      Id: 'xc0b',
      Expression: '100 * xc0b_e / xc0b_r',
      Label: 'custom:envoy-rate (blue)',
      Period: 300,
      ReturnData: true,
    });
    expect(queries.find((q) => q.Id === 'xc0b_e')).toMatchObject({
      ReturnData: false,
      MetricStat: {
        Metric: { Namespace: 'CWAgent', MetricName: 'rq_5xx' },
        Period: 300,
        Stat: 'Sum',
      },
    });
    expect(queries.find((q) => q.Id === 'xe0_p99')).toMatchObject({
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'TargetResponseTime',
          Dimensions: [{ Name: 'LoadBalancer', Value: 'app/g/1' }],
        },
        Period: 300,
        Stat: 'p99',
      },
    });
    expect(queries.every((q) => q.MetricStat?.Unit === undefined)).toBe(true);
    expect(reading.series).toMatchObject({ kind: 'ok', series: { xc0b: { values: [1] } } });
  });

  it('keeps the reading when the call with p99 fails: sent once more without it, p99 marked failed', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      if ((input.MetricDataQueries ?? []).some((q) => q.MetricStat?.Stat === 'p99')) {
        throw Object.assign(new Error('float() argument'), { name: 'InternalServiceError' });
      }
      return answer(input, () => 10);
    });
    const input = inputWith({ metrics: { edge: { thresholds: { latencyP99MaxMs: 500 } } } });

    // Act
    const reading = await new CloudWatchMetricSource(
      new CloudWatchClient({ maxAttempts: 1 })
    ).readAll({
      green: scQuery,
      blue: null,
      series: sourceQueries(input, [GREEN], WINDOW),
    });

    // Assess
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(2);
    expect(reading.green.kind).toBe('ok');
    expect(reading.series).toMatchObject({
      kind: 'ok',
      series: { xe0_req: { values: [10] } },
      failed: { xe0_p99: expect.stringContaining('float() argument') },
    });
  });

  it('splits beyond 500 queries into calls of <= 500 and follows NextToken in each', async () => {
    // Prepare
    let page = 0;
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      const out = answer(input, () => 1);
      // The first call answers in two pages.
      if (input.NextToken === undefined && page++ === 0) return { ...out, NextToken: 'more' };
      return out;
    });
    const targets = Array.from({ length: 130 }, (_, i) => ({ discoveryName: `svc${i}` }));

    // Act: 130 names x 4 status counts = 520 queries.
    const reading = await new CloudWatchMetricSource(new CloudWatchClient({})).readAll({
      green: { ...scQuery, targets },
      blue: null,
      series: [],
    });

    // Assess
    const sizes = cloudwatch
      .commandCalls(GetMetricDataCommand)
      .map((call) => [call.args[0].input.MetricDataQueries?.length, call.args[0].input.NextToken]);
    expect(sizes).toEqual([
      [500, undefined],
      [500, 'more'],
      [20, undefined],
    ]);
    expect(reading.green).toMatchObject({ kind: 'ok' });
  });
});

describe('Class: CloudWatchAlarms (composite alarms: moto has none)', () => {
  it('asks for both alarm types and reads composite alarms', async () => {
    // Prepare
    const mock = cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }],
      CompositeAlarms: [{ AlarmName: 'c', StateValue: 'ALARM', StateReason: 'child in ALARM' }],
    });

    // Act
    const reports = await new CloudWatchAlarms(new CloudWatchClient({})).describe(['a', 'c']);

    // Assess
    expect(mock).toBeDefined();
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input).toMatchObject({
      AlarmNames: ['a', 'c'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(reports).toEqual([
      { name: 'a', state: 'OK' },
      { name: 'c', state: 'ALARM', reason: 'child in ALARM' },
    ]);
  });

  it('turns throttling into CloudWatchBusyError', async () => {
    // Prepare
    cloudwatch
      .on(DescribeAlarmsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    // Act
    const read = new CloudWatchAlarms(new CloudWatchClient({ maxAttempts: 1 })).describe(['a']);

    // Assess
    await expect(read).rejects.toThrow(CloudWatchBusyError);
  });
});
