/**
 * In-memory fakes of the ports for handler unit tests: simple, stateful, and counting every call, so a test
 * can assert "no AWS call" as easily as "one batch".
 */
import {
  RegistryConflictError,
  RunLockedError,
  StepFunctionsRejectedError,
} from '../../functions/core/errors.ts';
import type { RecordRef } from '../../functions/core/input.ts';
import {
  type MigrationEntry,
  type MigrationRegistry,
  UNFINISHED_PHASES,
} from '../../functions/core/registry.ts';
import type {
  Clock,
  ExecutionControl,
  ExecutionDescription,
  ExecutionStatus,
  ExecutionSummary,
  LifecycleEvent,
  MetricQuery,
  MetricSource,
  Notifier,
  RunState,
  TrafficRouter,
} from '../../functions/core/state.ts';
import type {
  DiscoveryTarget,
  HealthCheckReport,
  MetricReading,
  PairWeights,
  WeightedPair,
} from '../../functions/core/types.ts';

export class FakeClock implements Clock {
  private ms: number;
  constructor(iso = '2026-01-01T00:00:00.000Z') {
    this.ms = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(seconds: number): void {
    this.ms += seconds * 1_000;
  }
}

const key = (pair: Pick<PairWeights, 'hostedZoneId' | 'name' | 'type'>) =>
  `${pair.hostedZoneId} ${pair.name} ${pair.type}`;

export class FakeRouter implements TrafficRouter {
  pairs: WeightedPair[];
  calls: string[] = [];
  writes: {
    kind: 'apply' | 'restore';
    weights: { name: string; blue: number; green: number }[];
  }[] = [];
  protectedRecords: string[] = [];
  changeStatus: 'PENDING' | 'INSYNC' = 'INSYNC';
  failRestore: Error | null = null;
  /** Runs after a write landed (e.g. a stop racing the shift). */
  afterWrite: (() => Promise<void> | void) | null = null;

  constructor(pairs: WeightedPair[]) {
    this.pairs = structuredClone(pairs);
  }

  async readPairs(refs: readonly RecordRef[]): Promise<WeightedPair[]> {
    this.calls.push('readPairs');
    const wanted = new Set(refs.map(key));
    return structuredClone(this.pairs.filter((pair) => wanted.has(key(pair))));
  }

  async applyWeights(
    _current: readonly WeightedPair[],
    weights: readonly PairWeights[]
  ): Promise<string[]> {
    this.calls.push('applyWeights');
    for (const target of weights) {
      const pair = this.pairs.find((candidate) => key(candidate) === key(target));
      if (pair) {
        pair.blue.Weight = target.blueWeight;
        pair.green.Weight = target.greenWeight;
      }
    }
    this.writes.push({
      kind: 'apply',
      weights: this.pairs.map((p) => ({
        name: p.name,
        blue: p.blue.Weight,
        green: p.green.Weight,
      })),
    });
    await this.afterWrite?.();
    return [...new Set(weights.map((w) => w.hostedZoneId))].map(
      (zone) => `/change/${zone}-${this.writes.length}`
    );
  }

  async restore(snapshot: readonly WeightedPair[]): Promise<string[]> {
    this.calls.push('restore');
    if (this.failRestore) throw this.failRestore;
    for (const saved of snapshot) {
      const index = this.pairs.findIndex((candidate) => key(candidate) === key(saved));
      if (index >= 0) this.pairs[index] = structuredClone(saved);
    }
    this.writes.push({
      kind: 'restore',
      weights: this.pairs.map((p) => ({
        name: p.name,
        blue: p.blue.Weight,
        green: p.green.Weight,
      })),
    });
    return ['/change/restore'];
  }

  async getChangeStatus(): Promise<'PENDING' | 'INSYNC'> {
    this.calls.push('getChangeStatus');
    return this.changeStatus;
  }

  async listProtectedRecords(): Promise<string[]> {
    this.calls.push('listProtectedRecords');
    return this.protectedRecords;
  }

  /** Every health check reports Success unless listed in `failingHealthChecks`. */
  failingHealthChecks: string[] = [];
  async readHealthChecks(ids: readonly string[]): Promise<HealthCheckReport[]> {
    this.calls.push('readHealthChecks');
    return ids.map((healthCheckId) => ({
      healthCheckId,
      statuses: [
        this.failingHealthChecks.includes(healthCheckId)
          ? 'Failure: Connection timed out.'
          : 'Success: HTTP Status Code 200, OK',
      ],
    }));
  }
}

export class FakeMetrics implements MetricSource {
  calls: MetricQuery[] = [];
  reading: MetricReading | ((query: MetricQuery) => MetricReading) = { kind: 'ok', services: [] };
  /** Discovery names (bare) that have HTTP metrics; null: every target has. */
  withHttpMetrics: string[] | null = null;

  async read(query: MetricQuery): Promise<MetricReading> {
    this.calls.push(query);
    return typeof this.reading === 'function' ? this.reading(query) : this.reading;
  }

  async listDiscoveryNamesWithHttpMetrics(
    _namespace: string,
    targets: readonly DiscoveryTarget[]
  ): Promise<DiscoveryTarget[]> {
    const found = this.withHttpMetrics;
    return found === null ? [...targets] : targets.filter((t) => found.includes(t.discoveryName));
  }
}

export class FakeExecutions implements ExecutionControl {
  executions = new Map<string, ExecutionDescription & { state: RunState | null }>();
  calls: string[] = [];
  started: { stateMachineArn: string; name: string; input: unknown }[] = [];

  add(
    description: Partial<ExecutionDescription> & { executionArn: string },
    state: RunState | null = null
  ): void {
    this.executions.set(description.executionArn, {
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ts',
      name: description.executionArn.split(':').at(-1) ?? 'x',
      status: 'RUNNING',
      startDate: '2026-01-01T00:00:00.000Z',
      stopDate: null,
      input: {},
      error: null,
      cause: null,
      redriveCount: 0,
      ...description,
      state,
    });
  }

  setStatus(executionArn: string, status: ExecutionStatus): void {
    const execution = this.executions.get(executionArn);
    if (execution) execution.status = status;
  }

  async describe(executionArn: string): Promise<ExecutionDescription> {
    this.calls.push('describe');
    const execution = this.executions.get(executionArn);
    if (!execution)
      throw new StepFunctionsRejectedError(`ExecutionDoesNotExist: no execution ${executionArn}`);
    const { state: _state, ...description } = execution;
    return structuredClone(description);
  }

  async list(
    stateMachineArn: string,
    status: ExecutionStatus,
    options: { startedAfter?: string } = {}
  ): Promise<ExecutionSummary[]> {
    this.calls.push('list');
    return [...this.executions.values()]
      .filter((e) => e.stateMachineArn === stateMachineArn && e.status === status)
      .filter((e) => options.startedAfter === undefined || e.startDate >= options.startedAfter)
      .map(({ executionArn, name, status: s, startDate, stopDate }) => ({
        executionArn,
        name,
        status: s,
        startDate,
        stopDate,
      }));
  }

  async start(
    stateMachineArn: string,
    name: string,
    input: unknown
  ): Promise<{ executionArn: string; startDate: string }> {
    this.calls.push('start');
    this.started.push({ stateMachineArn, name, input });
    return {
      executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      startDate: '2026-01-01T01:00:00.000Z',
    };
  }

  async stop(executionArn: string): Promise<void> {
    this.calls.push('stop');
    this.setStatus(executionArn, 'ABORTED');
  }

  async latestRunState(executionArn: string): Promise<RunState | null> {
    this.calls.push('latestRunState');
    return structuredClone(this.executions.get(executionArn)?.state ?? null);
  }

  /** The end event's error: `endErrors` overrides it (e.g. KeepWeights only in the history). */
  endErrors = new Map<string, string | null>();
  async endError(
    executionArn: string
  ): Promise<{ error: string | null; cause: string | null } | null> {
    this.calls.push('endError');
    const execution = this.executions.get(executionArn);
    if (execution === undefined || execution.status === 'RUNNING') return null;
    const error = this.endErrors.has(executionArn)
      ? (this.endErrors.get(executionArn) ?? null)
      : execution.error;
    return { error, cause: execution.cause };
  }
}

/**
 * The registry with the adapter's semantics (versions, conditional updates, one lock per record set,
 * idempotent finish), in memory and counting calls. The adapter itself is tested against moto.
 */
export class FakeRegistry implements MigrationRegistry {
  entries = new Map<string, MigrationEntry>();
  locks = new Map<string, string>();
  calls: string[] = [];
  /** Throws this from the next call (then clears it). */
  failNext: Error | null = null;
  /** Stamps `updatedAt` as the adapter does (none: entries keep the time they were given). */
  private readonly clock: { now(): Date } | undefined;
  constructor(clock?: { now(): Date }) {
    this.clock = clock;
  }

  private stamp(entry: MigrationEntry): MigrationEntry {
    return this.clock ? { ...entry, updatedAt: this.clock.now().toISOString() } : entry;
  }

  private check(call: string) {
    this.calls.push(call);
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = null;
      throw error;
    }
  }

  async acquire(entry: MigrationEntry): Promise<MigrationEntry> {
    this.check('acquire');
    const existing = this.entries.get(entry.migrationId);
    const unfinished = (e: MigrationEntry) => UNFINISHED_PHASES.includes(e.phase);
    if (existing && unfinished(existing)) {
      if (existing.executionArn === entry.executionArn) return structuredClone(existing);
      throw new RunLockedError(
        `records locked: migration id ${entry.migrationId} is in use by migration ${existing.migrationId} (execution ${existing.executionArn}); wait for it to end or run \`traffic-shift rollback ${existing.migrationId}\``,
        existing.executionArn
      );
    }
    for (const key of entry.recordSetKeys) {
      const holder = this.locks.get(key);
      if (holder !== undefined) {
        const owner = this.entries.get(holder) as MigrationEntry;
        throw new RunLockedError(
          `records locked: ${key} is locked by migration ${holder} (execution ${owner.executionArn}); wait for it to end or run \`traffic-shift rollback ${holder}\``,
          owner.executionArn
        );
      }
    }
    const fresh = this.stamp({ ...structuredClone(entry), version: (existing?.version ?? 0) + 1 });
    this.entries.set(entry.migrationId, fresh);
    for (const key of entry.recordSetKeys) this.locks.set(key, entry.migrationId);
    return structuredClone(fresh);
  }

  async get(migrationId: string): Promise<MigrationEntry | null> {
    this.check('get');
    return structuredClone(this.entries.get(migrationId) ?? null);
  }

  async ownerOf(recordSetKey: string): Promise<string | null> {
    this.check('ownerOf');
    return this.locks.get(recordSetKey) ?? null;
  }

  private owned(migrationId: string, expected: { version: number; executionArn: string }) {
    const entry = this.entries.get(migrationId);
    if (
      entry === undefined ||
      !UNFINISHED_PHASES.includes(entry.phase) ||
      entry.version !== expected.version ||
      entry.executionArn !== expected.executionArn
    ) {
      throw new RegistryConflictError(
        `registry: ${migrationId} is not at version ${expected.version} owned by ${expected.executionArn}`
      );
    }
    return entry;
  }

  async update(
    migrationId: string,
    expected: { version: number; executionArn: string },
    changes: Parameters<MigrationRegistry['update']>[2]
  ): Promise<MigrationEntry> {
    this.check('update');
    const entry = this.owned(migrationId, expected);
    const next = this.stamp({ ...entry, ...structuredClone(changes), version: entry.version + 1 });
    this.entries.set(migrationId, next);
    return structuredClone(next);
  }

  async finish(
    migrationId: string,
    expected: { version: number; executionArn: string },
    phase: Parameters<MigrationRegistry['finish']>[2],
    reason: string
  ): Promise<MigrationEntry> {
    this.check('finish');
    const current = this.entries.get(migrationId);
    if (current !== undefined && !UNFINISHED_PHASES.includes(current.phase))
      return structuredClone(current);
    const entry = this.owned(migrationId, expected);
    const next = this.stamp({ ...entry, phase, reason, pending: null, version: entry.version + 1 });
    this.entries.set(migrationId, next);
    for (const key of entry.recordSetKeys)
      if (this.locks.get(key) === migrationId) this.locks.delete(key);
    return structuredClone(next);
  }

  async listUnfinished(): Promise<MigrationEntry[]> {
    this.check('listUnfinished');
    return [...this.entries.values()]
      .filter((entry) => UNFINISHED_PHASES.includes(entry.phase))
      .map((entry) => structuredClone(entry));
  }
}

export class FakeNotifier implements Notifier {
  events: LifecycleEvent[] = [];
  fail = false;
  async publish(event: LifecycleEvent): Promise<void> {
    if (this.fail) throw new Error('EventBridge down');
    this.events.push(event);
  }
}
