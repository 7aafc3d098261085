/**
 * Part 4: how the API calls grow with the size of a migration. The REAL handler functions (preflight,
 * shiftTraffic, checkDnsSync, evaluateMetrics, rollback) run with the REAL adapters (Route53TrafficRouter,
 * CloudWatchMetricSource) on counting fake SDK clients, so every call the adapters would send is counted,
 * for 1, 10 and 50 record pairs (all in one hosted zone, or one zone per pair) and 1, 10 and 100 Service
 * Connect discovery names (green only, and green plus as many blue names for the baseline).
 * History events per hour come from the core's history constants (functions/core/history.ts) and from the
 * local run of part 2.
 */
import { CloudWatchMetricSource } from '../functions/adapters/cloudwatch-metric-source.ts';
import { Route53TrafficRouter } from '../functions/adapters/route53-traffic-router.ts';
import {
  EVENTS_AT_START,
  EVENTS_PER_EVALUATION,
  EVENTS_PER_EXTRA_SYNC_POLL,
  EVENTS_PER_SHIFT,
  HISTORY_EVENT_BUDGET,
  HISTORY_EVENT_LIMIT,
  HISTORY_RESERVE,
} from '../functions/core/history.ts';
import type { MigrationInputDraft } from '../functions/core/input.ts';
import { parseMigrationInput } from '../functions/core/input.ts';
import type {
  Clock,
  ExecutionControl,
  ExecutionDescription,
  LifecycleEvent,
  Notifier,
  RunState,
} from '../functions/core/state.ts';
import { checkDnsSync } from '../functions/handlers/check-dns-sync.ts';
import { evaluateMetrics } from '../functions/handlers/evaluate-metrics.ts';
import { preflight } from '../functions/handlers/preflight.ts';
import { rollback } from '../functions/handlers/rollback.ts';
import { shiftTraffic } from '../functions/handlers/shift-traffic.ts';
import { FakeRegistry } from '../test/support/fake-ports.ts';
import { referenceInput } from './policies/ours.ts';

type Calls = Record<string, number>;

function bump(calls: Calls, key: string, by = 1): void {
  calls[key] = (calls[key] ?? 0) + by;
}

interface StoredRecord {
  Name: string;
  Type: string;
  SetIdentifier: string;
  Weight: number;
  TTL: number;
  ResourceRecords: { Value: string }[];
}

/** A Route 53 client that answers like the service and counts every operation. */
class CountingRoute53 {
  readonly calls: Calls = {};
  private readonly zones = new Map<string, StoredRecord[]>();
  private changes = 0;

  addPair(zoneId: string, name: string, index: number): void {
    const records = this.zones.get(zoneId) ?? [];
    const record = (side: string, weight: number): StoredRecord => ({
      Name: `${name}.`,
      Type: 'A',
      SetIdentifier: `${side}-${index}`,
      Weight: weight,
      TTL: 60,
      ResourceRecords: [{ Value: side === 'blue' ? '192.0.2.10' : '198.51.100.20' }],
    });
    records.push(record('blue', 100), record('green', 0));
    this.zones.set(zoneId, records);
  }

  async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
    const operation = command.constructor.name.replace(/Command$/, '');
    bump(this.calls, operation);
    const input = command.input;
    const zone = this.zones.get(String(input['HostedZoneId'])) ?? [];
    switch (operation) {
      case 'ListResourceRecordSets': {
        const name = `${String(input['StartRecordName']).replace(/\.$/, '')}.`;
        const found = zone.filter((r) => r.Name === name && r.Type === input['StartRecordType']);
        return { ResourceRecordSets: structuredClone(found), IsTruncated: false };
      }
      case 'ChangeResourceRecordSets': {
        const batch = input['ChangeBatch'] as { Changes: { ResourceRecordSet: StoredRecord }[] };
        bump(this.calls, 'record changes', batch.Changes.length);
        for (const change of batch.Changes) {
          const target = zone.find(
            (r) => r.SetIdentifier === change.ResourceRecordSet.SetIdentifier
          );
          if (target) target.Weight = change.ResourceRecordSet.Weight;
        }
        this.changes += 1;
        return { ChangeInfo: { Id: `/change/C${this.changes}`, Status: 'PENDING' } };
      }
      case 'GetChange':
        return { ChangeInfo: { Id: input['Id'], Status: 'INSYNC' } };
      case 'ListResourceRecordSetProtections':
        return { ResourceRecordSetProtections: [] };
      default:
        throw new Error(`fake Route 53: ${operation} not modelled`);
    }
  }
}

/** A CloudWatch client with healthy Service Connect data for every name; counts calls and queries. */
class CountingCloudWatch {
  readonly calls: Calls = {};
  metrics = 0;
  private readonly names: string[];

  constructor(names: string[]) {
    this.names = names;
  }

  async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
    const operation = command.constructor.name.replace(/Command$/, '');
    bump(this.calls, operation);
    if (operation === 'ListMetrics') {
      return {
        Metrics: this.names.map((name) => ({
          MetricName: command.input['MetricName'],
          Dimensions: [{ Name: 'TargetDiscoveryName', Value: name }],
        })),
      };
    }
    if (operation === 'GetMetricData') {
      const queries = command.input['MetricDataQueries'] as {
        Id: string;
        MetricStat: { Metric: { MetricName: string }; Stat: string };
      }[];
      this.metrics += queries.length;
      const start = command.input['StartTime'] as Date;
      const value = (q: (typeof queries)[number]) =>
        q.MetricStat.Metric.MetricName === 'HTTPCode_Target_5XX_Count'
          ? 1
          : q.MetricStat.Metric.MetricName === 'TargetResponseTime'
            ? q.MetricStat.Stat === 'SampleCount'
              ? 1_000
              : 80
            : 1_000;
      return {
        MetricDataResults: queries.map((q) => ({
          Id: q.Id,
          StatusCode: 'Complete',
          Timestamps: [start],
          Values: [value(q)],
        })),
      };
    }
    throw new Error(`fake CloudWatch: ${operation} not modelled`);
  }
}

class CountingExecutions implements ExecutionControl {
  readonly calls: Calls = {};
  async describe(executionArn: string): Promise<ExecutionDescription> {
    bump(this.calls, 'DescribeExecution');
    return {
      executionArn,
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:traffic-shift',
      name: 'bench',
      status: 'RUNNING',
      startDate: '2026-01-05T08:00:00.000Z',
      stopDate: null,
      input: null,
      error: null,
      cause: null,
      redriveCount: 0,
    };
  }
  async list() {
    bump(this.calls, 'ListExecutions');
    return [];
  }
  async start() {
    bump(this.calls, 'StartExecution');
    return { executionArn: 'x', startDate: '2026-01-05T08:00:00.000Z' };
  }
  async stop() {
    bump(this.calls, 'StopExecution');
  }
  async latestRunState() {
    bump(this.calls, 'GetExecutionHistory');
    return null;
  }
  async endError() {
    bump(this.calls, 'GetExecutionHistory');
    return null;
  }
}

/** The DynamoDB API call each registry method makes (adapters/dynamodb-migration-registry.ts; acquire and finish in dynamodb-registry-locks.ts). */
const REGISTRY_API: Record<string, string> = {
  acquire: 'DynamoDB TransactWriteItems',
  finish: 'DynamoDB TransactWriteItems',
  update: 'DynamoDB UpdateItem',
  get: 'DynamoDB GetItem',
  ownerOf: 'DynamoDB GetItem',
  listUnfinished: 'DynamoDB Scan',
};

function registryCalls(registry: FakeRegistry): Calls {
  const calls: Calls = {};
  for (const call of registry.calls) bump(calls, REGISTRY_API[call] ?? `DynamoDB ${call}`);
  return calls;
}

class CountingNotifier implements Notifier {
  readonly calls: Calls = {};
  async publish(event: LifecycleEvent) {
    bump(this.calls, `PutEvents (${event.type})`);
  }
}

class SettableClock implements Clock {
  ms = Date.UTC(2026, 0, 5, 8, 0, 0);
  now() {
    return new Date(this.ms);
  }
}

export interface ScaleRow {
  pairs: number;
  zones: number;
  greenNames: number;
  blueNames: number;
  preflight: Calls;
  /** ShiftTraffic + one CheckDnsSync poll; `pollsPerStep` polls happen per step on AWS. */
  shift: Calls;
  perSyncPoll: Calls;
  perEvaluation: Calls;
  getMetricDataMetricsPerEvaluation: number;
  rollback: Calls;
}

function merge(...parts: Calls[]): Calls {
  const out: Calls = {};
  for (const part of parts) for (const [key, n] of Object.entries(part)) bump(out, key, n);
  return out;
}

function diff(after: Calls, before: Calls): Calls {
  const out: Calls = {};
  for (const [key, n] of Object.entries(after)) {
    const delta = n - (before[key] ?? 0);
    if (delta > 0) out[key] = delta;
  }
  return out;
}

async function measure(
  pairs: number,
  zones: number,
  greenNames: number,
  blueNames: number
): Promise<ScaleRow> {
  const route53 = new CountingRoute53();
  const green = Array.from({ length: greenNames }, (_, i) => `svc-${i}`);
  const blue = Array.from({ length: blueNames }, (_, i) => `svc-${i}-appmesh`);
  const cloudwatch = new CountingCloudWatch([...green, ...blue]);
  const executions = new CountingExecutions();
  const registry = new FakeRegistry();
  const notifier = new CountingNotifier();
  const clock = new SettableClock();
  const records: MigrationInputDraft['records'] = [];
  for (let i = 0; i < pairs; i++) {
    const zone = `Z${String(i % zones).padStart(4, '0')}BENCH`;
    const name = `svc${i}.example.com`;
    route53.addPair(zone, name, i);
    records.push({
      hostedZoneId: zone,
      name,
      type: 'A',
      blueSetIdentifier: `blue-${i}`,
      greenSetIdentifier: `green-${i}`,
    });
  }
  const router = new Route53TrafficRouter(route53 as never);
  const metrics = new CloudWatchMetricSource(cloudwatch as never);
  const all = () => {
    return merge(
      route53.calls,
      cloudwatch.calls,
      executions.calls,
      notifier.calls,
      registryCalls(registry)
    );
  };
  const draft: MigrationInputDraft = {
    migrationId: 'bench-scale',
    records,
    plan: {
      steps: [1, 5, 10, 25, 50, 75, 100],
      bakeSeconds: 600,
      evaluationIntervalSeconds: 60,
      finalBakeSeconds: 600,
    },
    metrics: {
      greenDiscoveryNames: green,
      ...(blueNames > 0 ? { blueDiscoveryNames: blue } : {}),
    },
  };
  const arn = 'arn:aws:states:us-east-1:123456789012:execution:traffic-shift:bench-scale';
  let before = all();
  let state: RunState = await preflight(
    {
      input: draft,
      executionArn: arn,
      executionName: 'bench-scale',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:traffic-shift',
      startTime: clock.now().toISOString(),
    },
    { router, metrics, executions, clock, registry }
  );
  const preflightCalls = diff(all(), before);
  before = all();
  state = await shiftTraffic(state, { router, executions, clock, registry });
  const shift = diff(all(), before);
  before = all();
  clock.ms += 60_000;
  state = await checkDnsSync(state, { router, clock });
  const perSyncPoll = diff(all(), before);
  before = all();
  clock.ms = Date.parse(state.status.judgingFrom ?? clock.now().toISOString()) + 300_000;
  state = await evaluateMetrics(state, { metrics, clock, notifier });
  const perEvaluation = diff(all(), before);
  const metricsBefore = cloudwatch.metrics;
  clock.ms += 60_000;
  await evaluateMetrics(state, { metrics, clock, notifier });
  const getMetricDataMetricsPerEvaluation = cloudwatch.metrics - metricsBefore;
  before = all();
  await rollback(state, { router, clock, notifier, registry });
  const rollbackCalls = diff(all(), before);
  return {
    pairs,
    zones,
    greenNames,
    blueNames,
    preflight: preflightCalls,
    shift,
    perSyncPoll,
    perEvaluation,
    getMetricDataMetricsPerEvaluation,
    rollback: rollbackCalls,
  };
}

export interface HistoryRate {
  evaluationIntervalSeconds: number;
  /**
   * Looks per judged minute: 1, or with publication polling at the defaults the worst case of
   * 1 + (publicationDelay - earliestPublication) / publicationPoll (every minute published at the bound).
   */
  looksPerEvaluation: number;
  /** Events per hour of baking (evaluations only). */
  eventsPerBakeHour: number;
  /** Hours of baking one execution holds before ContinueAsNew (budget minus reserve). */
  hoursPerExecution: number;
}

export interface ScaleResult {
  routeRows: ScaleRow[];
  metricRows: ScaleRow[];
  history: {
    constants: Record<string, number>;
    rates: HistoryRate[];
    /** Events per step with `polls` CheckDnsSync polls. */
    eventsPerStep: (polls: number) => number;
  };
}

/**
 * Route 53 reports INSYNC after ~60 s; with the default 60 s polls (dns.syncPollSeconds) a step usually takes
 * one CheckDnsSync call (it was 4 with the former 15 s).
 */
export const SYNC_POLLS_PER_STEP = 1;

export async function runScale(
  onProgress: (message: string) => void = () => {}
): Promise<ScaleResult> {
  const routeRows: ScaleRow[] = [];
  for (const pairs of [1, 10, 50]) {
    for (const zones of pairs === 1 ? [1] : [1, pairs]) {
      routeRows.push(await measure(pairs, zones, 1, 0));
      onProgress(`  ${pairs} record pair(s) in ${zones} zone(s)`);
    }
  }
  const metricRows: ScaleRow[] = [];
  for (const names of [1, 10, 100]) {
    for (const blue of [0, names]) {
      metricRows.push(await measure(1, 1, names, blue));
      onProgress(`  ${names} green discovery name(s), ${blue} blue`);
    }
  }
  const usable = HISTORY_EVENT_BUDGET - HISTORY_RESERVE - EVENTS_AT_START;
  const { metrics } = parseMigrationInput(referenceInput());
  const worstLooks =
    1 +
    Math.floor(
      (metrics.publicationDelaySeconds - metrics.earliestPublicationSeconds) /
        metrics.publicationPollSeconds
    );
  const rates = [
    ...[60, 120, 300, 600].map((interval) => ({ interval, looks: 1 })),
    { interval: 60, looks: worstLooks },
  ].map(({ interval, looks }) => {
    const perHour = (3_600 / interval) * EVENTS_PER_EVALUATION * looks;
    return {
      evaluationIntervalSeconds: interval,
      looksPerEvaluation: looks,
      eventsPerBakeHour: perHour,
      hoursPerExecution: Math.round((usable / perHour) * 10) / 10,
    };
  });
  return {
    routeRows,
    metricRows,
    history: {
      constants: {
        EVENTS_PER_EVALUATION,
        EVENTS_PER_SHIFT,
        EVENTS_PER_EXTRA_SYNC_POLL,
        EVENTS_AT_START,
        HISTORY_EVENT_BUDGET,
        HISTORY_EVENT_LIMIT,
        HISTORY_RESERVE,
      },
      rates,
      eventsPerStep: (polls: number) =>
        EVENTS_PER_SHIFT + Math.max(0, polls - 1) * EVENTS_PER_EXTRA_SYNC_POLL,
    },
  };
}
