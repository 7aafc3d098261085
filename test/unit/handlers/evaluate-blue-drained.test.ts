/**
 * Blue drained at 100 % green (core/blue-drained.ts), with the real CloudWatchMetricSource against moto over
 * HTTP: a judged look at 100 % that finds blue below minRequests records it, a later look sends no blue query
 * and judges exactly as a real read of blue with no datapoints would, and below 100 % blue is always read.
 */
import {
  CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetricSource } from '../../../functions/adapters/cloudwatch-metric-source.ts';
import { newRunState } from '../../../functions/core/run.ts';
import type { RunState } from '../../../functions/core/state.ts';
import { evaluateMetrics } from '../../../functions/handlers/evaluate-metrics.ts';
import { type MetricDataCall, recordMetricDataCalls } from '../../support/metric-data-recorder.ts';
import { clientConfig, type Moto, startMoto } from '../../support/moto.ts';
import { serviceConnectMinute } from '../../support/service-connect-minute.ts';
import { inputWith, pairWith } from '../core/fixtures.ts';

const MINUTE = 60_000;

let moto: Moto;
let cloudwatch: CloudWatchClient;
let calls: MetricDataCall[];
let t0: number;

const at = (minute: number) => new Date(t0 + minute * MINUTE).toISOString();
/** The query ids sent so far for blue (prefix `b`). */
const blueIds = () =>
  calls.flatMap((call) => call.queries.map((q) => q.Id ?? '')).filter((id) => id.startsWith('b'));

const greenMinute = (minute: number): MetricDatum[] =>
  serviceConnectMinute('orders', new Date(t0 + minute * MINUTE));

beforeAll(async () => {
  moto = await startMoto();
  cloudwatch = new CloudWatchClient(clientConfig(moto.endpoint));
  calls = recordMetricDataCalls(cloudwatch);
  t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 120 * MINUTE;
  // Green (orders) in minutes 0-9; blue (orders-blue) only 3 requests from a pooled client in minute 1.
  const blue: MetricDatum = {
    MetricName: 'HTTPCode_Target_2XX_Count',
    Dimensions: [{ Name: 'TargetDiscoveryName', Value: 'orders-blue' }],
    Timestamp: new Date(t0 + MINUTE),
    Value: 3,
  };
  const data = [...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap(greenMinute), blue];
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: data }));
});

afterAll(async () => {
  cloudwatch?.destroy();
  await moto?.stop();
});

beforeEach(() => {
  calls.length = 0;
});

const REMEMBERED = { avgMs: 60, samples: 900, windowEnd: '2026-01-01T00:00:00.000Z' };

/** Baking at `greenPercent` from minute `windowFrom`, blue found drained at `drainedFrom` (or not). */
function baking(greenPercent: number, windowFrom: number, drainedFrom: string | null): RunState {
  const input = inputWith({
    plan: { steps: [50, 100] },
    metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
  });
  const state = newRunState(
    input,
    {
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:ts:self',
      executionName: 'self',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ts',
      startedAt: at(0),
      generation: 1,
      continuedFrom: null,
    },
    [pairWith({ blue: 100 - greenPercent, green: greenPercent })]
  );
  return {
    ...state,
    next: 'bake',
    status: {
      ...state.status,
      stepIndex: greenPercent === 100 ? 1 : 0,
      greenPercent,
      judgingFrom: at(0),
      windowFrom: at(windowFrom),
      blueLatency: REMEMBERED,
      blueDrainedFrom: drainedFrom,
    },
  } as RunState;
}

const deps = (minute: number) => ({
  metrics: new CloudWatchMetricSource(cloudwatch),
  clock: { now: () => new Date(t0 + minute * MINUTE + 90_000) },
});

describe('Handler: evaluateMetrics, blue drained at 100 % (moto)', () => {
  it('a look at 100 % that finds blue below minRequests reads blue and records where', async () => {
    // Act: window minutes 0-2 (blue: 3 requests, minRequests 50)
    const state = await evaluateMetrics(baking(100, 0, null), deps(3));

    // Assess
    expect(state.evaluation?.window).toEqual({ start: at(0), end: at(3) });
    expect(blueIds().length).toBeGreaterThan(0);
    expect(state.status.blueDrainedFrom).toBe(at(3));
  });

  it('a later look at 100 % sends no blue query and judges as a real empty read of blue would', async () => {
    // Act: the same window (minutes 5-7, blue silent) read with blue, then with blue drained
    const read = await evaluateMetrics(baking(100, 5, null), deps(8));
    const readIds = blueIds();
    calls.length = 0;
    const drained = await evaluateMetrics(baking(100, 5, at(3)), deps(8));

    // Assess
    expect(readIds.length).toBeGreaterThan(0);
    expect(blueIds()).toEqual([]);
    expect(drained.status.blueDrainedFrom).toBe(at(3));
    // The remembered latency baseline still judges green (a null blue would drop it).
    expect(drained.evaluation?.assessments.map((a) => a.check)).toContain('baselineLatencyAvg');
    const { blueDrainedFrom: _found, ...drainedStatus } = drained.status;
    const { blueDrainedFrom: _read, ...readStatus } = read.status;
    expect(drained.evaluation).toEqual(read.evaluation);
    expect(drained.decision).toEqual(read.decision);
    expect(drained.cadence).toEqual(read.cadence);
    expect(drained.waitSeconds).toBe(read.waitSeconds);
    expect(drainedStatus).toEqual(readStatus);
  });

  it('below 100 % blue is read even with a flag carried there, and the flag is cleared', async () => {
    // Act
    const state = await evaluateMetrics(baking(50, 5, at(3)), deps(8));

    // Assess
    expect(blueIds().length).toBeGreaterThan(0);
    expect(state.status.blueDrainedFrom).toBeNull();
  });
});
