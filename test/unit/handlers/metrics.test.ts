/**
 * The dashboard's metrics (embedded metric format on stdout): each one carries its own migration's dimensions,
 * and calling the handlers many times in one process (a warm Lambda, the local engine running several
 * executions, these tests) prints nothing but the metrics: no Powertools warning.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MigrationEntry } from '../../../functions/core/registry.ts';
import { newRunState } from '../../../functions/core/run.ts';
import type { RunState } from '../../../functions/core/state.ts';
import { snapshotWeights } from '../../../functions/core/weights.ts';
import { checkDnsSync } from '../../../functions/handlers/check-dns-sync.ts';
import { evaluateMetrics } from '../../../functions/handlers/evaluate-metrics.ts';
import { onExecutionEnd } from '../../../functions/handlers/on-execution-end.ts';
import { rollback } from '../../../functions/handlers/rollback.ts';
import { shiftTraffic } from '../../../functions/handlers/shift-traffic.ts';
import { publishEvaluationFigures } from '../../../functions/lib/dashboard-metrics.ts';
import { preflightEntry } from '../../../functions/lib/ownership.ts';
import {
  FakeClock,
  FakeExecutions,
  FakeMetrics,
  FakeRegistry,
  FakeRouter,
} from '../../support/fake-ports.ts';
import { draft, inputWith, pairWith, periodsOf, traffic } from '../core/fixtures.ts';

const ZONE = 'Z0123456789ABC';
const arn = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:ts:${name}`;

interface Emf {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

let printed: string[];
let clock: FakeClock;
let executions: FakeExecutions;

beforeEach(() => {
  // Metrics are switched off for the rest of the suite; here they are what is under test.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  printed = [];
  const capture = (chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  clock = new FakeClock();
  executions = new FakeExecutions();
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function runState(
  migrationId: string,
  zone: string
): { state: RunState; router: FakeRouter; registry: FakeRegistry } {
  const pair = pairWith({ blue: 100, green: 0 }, { hostedZoneId: zone });
  const input = inputWith({
    migrationId,
    records: draft().records.map((record) => ({ ...record, hostedZoneId: zone })),
  });
  executions.add({ executionArn: arn(migrationId), input, startDate: '2026-01-01T00:00:00.000Z' });
  const state = newRunState(
    input,
    {
      executionArn: arn(migrationId),
      executionName: migrationId,
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ts',
      startedAt: '2026-01-01T00:00:00.000Z',
      generation: 1,
      continuedFrom: null,
    },
    [pair]
  );
  const { next: _next, ...rest } = state;
  // The registry entry Preflight leaves behind: this run owns its records (phase running).
  const registry = new FakeRegistry();
  const entry: MigrationEntry = {
    ...preflightEntry(input, state.run, { kind: 'step-functions' }),
    phase: 'running',
    snapshot: state.snapshot,
    expected: snapshotWeights(state.snapshot),
    version: 1,
  };
  registry.entries.set(entry.migrationId, entry);
  for (const key of entry.recordSetKeys) registry.locks.set(key, entry.migrationId);
  return { state: rest, router: new FakeRouter([pair]), registry };
}

function emitted(): Emf[] {
  return printed
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Emf);
}

describe('handler metrics', () => {
  it('labels each GreenPercent and Verdicts with its own migration, and warns about nothing', async () => {
    // Prepare
    const orders = runState('orders', ZONE);
    const payments = runState('payments', 'Z0987654321XYZ');
    const metrics = new FakeMetrics();
    metrics.reading = (query) => ({
      kind: 'ok',
      services: query.targets.map((target) => ({
        ...traffic(target.discoveryName, 500, 1),
        periodStarts: periodsOf(query.window),
      })),
    });

    // Act: two migrations interleaved in one process, each handler called twice.
    const shiftedOrders = await shiftTraffic(orders.state, { ...orders, executions, clock });
    const shiftedPayments = await shiftTraffic(payments.state, { ...payments, executions, clock });
    const synced = await checkDnsSync(shiftedOrders, { router: orders.router, clock });
    clock.advance(synced.waitSeconds);
    const evaluated = await evaluateMetrics(synced, { metrics, clock });
    await evaluateMetrics(evaluated, { metrics, clock });
    await shiftTraffic(shiftedPayments, { ...payments, executions, clock });

    // Assess
    const lines = emitted();
    const labelled = lines.map((line) => [
      line._aws.CloudWatchMetrics[0]?.Metrics[0]?.Name,
      line['MigrationId'],
      line['Verdict'] ?? null,
    ]);
    expect(labelled).toEqual([
      ['GreenPercent', 'orders', null],
      ['GreenPercent', 'payments', null],
      ['GreenPercent', 'orders', null],
      ['Verdicts', 'orders', 'Pass'],
      ['Requests', 'orders', null],
      ['Errors5xx', 'orders', null],
      ['GreenPercent', 'orders', null],
      ['Verdicts', 'orders', expect.any(String)],
      ['GreenPercent', 'payments', null],
    ]);
    expect(lines.every((line) => line['service'] === 'traffic-shift')).toBe(true);
    // The dashboard's SEARCH expressions find the metrics by these dimension sets (template.yaml).
    expect(
      new Set(lines.map((line) => JSON.stringify(line._aws.CloudWatchMetrics[0]?.Dimensions)))
    ).toEqual(
      new Set([
        '[["service","MigrationId"]]',
        '[["service","MigrationId","Verdict"]]',
        '[["service","MigrationId","Source","Side"]]',
      ])
    );
    expect(printed.filter((chunk) => !chunk.includes('"_aws"'))).toEqual([]);
  });
});

describe('the weight line on the dashboard follows a rollback and a restore', () => {
  const greenPercents = () =>
    emitted()
      .filter((line) => line._aws.CloudWatchMetrics[0]?.Metrics[0]?.Name === 'GreenPercent')
      .map((line) => line['GreenPercent']);

  it('Rollback publishes the restored share after restoring the snapshot', async () => {
    // Prepare: shifted to the first step (green 1 %), then judged for a rollback.
    const orders = runState('orders', ZONE);
    const shifted = await shiftTraffic(orders.state, { ...orders, executions, clock });

    // Act
    await rollback(shifted, { router: orders.router, registry: orders.registry, clock });

    // Assess: the line goes up with the shift and back to the snapshot's 0 % with the rollback.
    expect(greenPercents()).toEqual([shifted.status.greenPercent, 0]);
    expect(shifted.status.greenPercent).toBeGreaterThan(0);
  });

  it("on-execution-end's restore after an abort publishes the restored share", async () => {
    // Prepare
    const orders = runState('orders', ZONE);
    const shifted = await shiftTraffic(orders.state, { ...orders, executions, clock });
    executions.setStatus(arn('orders'), 'ABORTED');
    const change = {
      detail: {
        executionArn: arn('orders'),
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ts',
        name: 'orders',
        status: 'ABORTED',
        startDate: 0,
        stopDate: 0,
      },
    } as never;

    // Act
    const result = await onExecutionEnd(change, {
      router: orders.router,
      registry: orders.registry,
      executions,
      clock,
      sleep: async () => {},
    });

    // Assess
    expect(result).toMatchObject({ restored: true });
    expect(greenPercents()).toEqual([shifted.status.greenPercent, 0]);
  });
});

describe("an evaluation's figures for the dashboard's rates", () => {
  it('Requests, Errors5xx and LatencyAvg per source and side; per-scope figures and baselines are not published', () => {
    // Prepare
    const base = { verdict: 'Pass' as const, limit: 1, counted: true, reason: '' };
    const evaluation = {
      verdict: 'Pass' as const,
      reason: '',
      window: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:05:00.000Z' },
      assessments: [
        { ...base, check: 'errorRate', scope: 'overall', value: 0.5, sampleSize: 2_000 },
        { ...base, check: 'errorRate', scope: 'orders', value: 0.5, sampleSize: 1_000 },
        { ...base, check: 'baselineErrorRate', scope: 'overall', value: 0.5, sampleSize: 2_000 },
        { ...base, check: 'latencyAvg', scope: 'overall', value: 80, sampleSize: 2_000 },
        {
          ...base,
          check: 'errorRate',
          scope: 'overall',
          value: 0.25,
          sampleSize: 8_000,
          source: 'edge',
          side: 'blue' as const,
        },
      ],
    };

    // Act
    publishEvaluationFigures('orders', evaluation);

    // Assess
    const published = emitted().map((line) => {
      const name = line._aws.CloudWatchMetrics[0]?.Metrics[0]?.Name ?? '';
      return `${name} ${line['Source']}/${line['Side']} = ${line[name]}`;
    });
    expect(published).toEqual([
      'Requests serviceConnect/green = 2000',
      'Errors5xx serviceConnect/green = 10',
      'LatencyAvg serviceConnect/green = 80',
      'Requests edge/blue = 8000',
      'Errors5xx edge/blue = 20',
    ]);
  });
});
