/**
 * The run state that travels through the state machine (every Task gets `$` and returns the next `$`),
 * and the ports the handlers use. Adapters implement the ports; the core never calls them.
 */
import type { Cadence } from './cadence.ts';
import type { LoadBalancerDescription } from './edge-discovery.ts';
import type { MigrationInput, RecordRef } from './input.ts';
import type { PublicationLag } from './publication.ts';
import type { AlarmReport, EdgeLoadBalancer, SeriesQuery, SeriesReading } from './sources.ts';
import type {
  Decision,
  DiscoveryTarget,
  Evaluation,
  HealthCheckReport,
  MetricReading,
  PairWeights,
  ShiftStatus,
  TimeWindow,
  WeightedPair,
} from './types.ts';

export interface RunIdentity {
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  /** When the first generation started (ISO-8601). */
  startedAt: string;
  /** 1 for the first execution, +1 for each continuation (history limit). */
  generation: number;
  /** The execution this one continues, if any. */
  continuedFrom: string | null;
}

/** The whole state between two states of the machine. JSON only. */
export interface RunState {
  input: MigrationInput;
  /** The plan expanded to green percents, strictly increasing, ending at 100. */
  steps: number[];
  run: RunIdentity;
  /** The records as found before the first write: what every rollback restores, verbatim. */
  snapshot: WeightedPair[];
  /** The weights this run last wrote (or found): the drift reference for the next write. */
  expected: PairWeights[];
  status: ShiftStatus;
  /** The Route 53 changes of the current step, one per hosted zone. */
  change: { ids: string[]; submittedAt: string | null; synced: boolean };
  /** Seconds for the next Wait state (SecondsPath). */
  waitSeconds: number;
  evaluation: Evaluation | null;
  decision: Decision | null;
  /** Conservative count of AWS history events used so far by this execution (limit 25,000). */
  history: { eventsEstimate: number; continueNow: boolean };
  /** Set by the terminal handlers. */
  outcome: Outcome | null;
  /** Set by an ASL Catch (`ResultPath: $.error`): the error that sent the run to Rollback or a Fail state. */
  error?: { Error: string; Cause: string };
  /** Set by Preflight for the Choice after it. */
  next?: 'shift' | 'bake';
  /** The step hook round under way (ASL Pass states; core/step-hooks.ts). */
  hook?: { kind: 'beforeShift' | 'afterBake'; functionName: string; attempt: number };
  /** The last step hook answer (InvokeStepHook ResultPath). */
  hookCall?: { answer: unknown };
  /**
   * Each environment's edge load balancers, found by Preflight (alias records or `metrics.edge` names);
   * absent in a state written before they existed, or when none were found: the edge is not judged.
   */
  edge?: EdgeLoadBalancer[];
  /** Preflight's summary of the sources beyond Service Connect: what it found, what is not judged and why. */
  sourceNotes?: string[];
  /**
   * The cadence chosen by the latest evaluation (core/cadence.ts): minutes to the next look and the end of
   * the newest minute judged; absent before the first evaluation of a step (one-minute looks).
   */
  cadence?: Cadence;
  /**
   * The publication lag learned within the run (core/publication.ts): looks are that long after a minute
   * ends; absent before the first look (the input's `earliestPublicationSeconds`) or when not polling.
   */
  publicationLag?: PublicationLag;
}

export interface Outcome {
  result: 'completed' | 'rolled-back' | 'stopped-on-drift' | 'continued';
  reason: string;
  at: string;
}

/** What the state machine receives: a new migration, or the continuation of a running one. */
export type ExecutionInput = MigrationInput | { resume: RunState };

// ---------- Ports ----------

/** Route 53 weighted records (adapters/route53-traffic-router.ts). */
export interface TrafficRouter {
  /** Reads each pair in full; throws PreflightFailedError naming what is missing. */
  readPairs(refs: readonly RecordRef[]): Promise<WeightedPair[]>;
  /**
   * Writes absolute weights: one atomic change batch of UPSERTs per hosted zone, each record re-sent whole
   * from `current` with only its Weight changed. Returns one change ID per hosted zone.
   */
  applyWeights(
    current: readonly WeightedPair[],
    weights: readonly PairWeights[]
  ): Promise<string[]>;
  /** Re-sends the snapshot records verbatim (one batch per hosted zone). */
  restore(snapshot: readonly WeightedPair[]): Promise<string[]>;
  getChangeStatus(changeId: string): Promise<'PENDING' | 'INSYNC'>;
  /** Record-set protections on any of the names (they block shift and rollback alike). */
  listProtectedRecords(refs: readonly RecordRef[]): Promise<string[]>;
  /** The latest checker observations of each health check (preflight: a failing one can invert a rollback). */
  readHealthChecks(healthCheckIds: readonly string[]): Promise<HealthCheckReport[]>;
}

export interface MetricQuery {
  namespace: string;
  /** The discovery names to read, each alone or scoped to a calling service and cluster. */
  targets: readonly DiscoveryTarget[];
  window: TimeWindow;
  periodSeconds: number;
  /** Also ask for p99 TargetResponseTime (only when a p99 limit is configured). */
  includeP99: boolean;
  /** Ask for TargetResponseTime Average (a latency average limit or the baseline's). SampleCount comes with any latency statistic. */
  includeLatencyAvg: boolean;
  /** Ask for TargetResponseTime Maximum (only when a maximum limit is configured). */
  includeLatencyMax: boolean;
}

/** Service Connect's green and blue reads and every other source's series, for one GetMetricData batch. */
export interface CombinedQuery {
  green: MetricQuery;
  blue: MetricQuery | null;
  /** The edge and custom series (core/source-judge.ts `sourceQueries`). */
  series: readonly SeriesQuery[];
  /**
   * Where the sequential tests' unread minutes start (verdict.ts `backlogStart`), before `green.window`:
   * green's status counts (and RequestCount where they miss a minute) are read from here in the same
   * queries (GetMetricData bills per metric requested, not per minute) and come back as `backlog`.
   */
  backlogFrom?: string | null;
  /**
   * Asked with green's status counts (and RequestCount where they miss a minute) before anything else
   * is read: false (a publication look that finds the newest minute missing) stops there, and only
   * `green`'s counts come back.
   */
  judgeable?: (green: MetricReading) => boolean;
}

export interface CombinedReading {
  green: MetricReading;
  blue: MetricReading | null;
  series: SeriesReading;
  /** Green's counts over `[backlogFrom, green.window.start)`; null without `backlogFrom` or when not read. */
  backlog?: MetricReading | null;
}

/** CloudWatch Service Connect metrics (adapters/cloudwatch-metric-source.ts). Never throws for metric errors. */
export interface MetricSource {
  read(query: MetricQuery): Promise<MetricReading>;
  /**
   * Everything one evaluation reads in one GetMetricData call (split at 500 queries). A source without it
   * (test fakes) is read per side by `read`, and its other series read as unavailable.
   */
  readAll?(query: CombinedQuery): Promise<CombinedReading>;
  /** Arbitrary series over `window` in one batch (Preflight's recent-data check). */
  readSeries?(queries: readonly SeriesQuery[], window: TimeWindow): Promise<SeriesReading>;
  /**
   * The targets among `targets` that published HTTP metrics recently, read with the same dimension sets as
   * `read` (preflight: appProtocol set, and the scoped caller really calls the name).
   */
  listDiscoveryNamesWithHttpMetrics(
    namespace: string,
    targets: readonly DiscoveryTarget[]
  ): Promise<DiscoveryTarget[]>;
}

/** Elastic Load Balancing v2 (adapters/elbv2-load-balancers.ts). */
export interface LoadBalancerDirectory {
  /** Every load balancer (no names: all pages), or the named ones (PreflightFailedError naming a missing one). */
  describe(names?: readonly string[]): Promise<LoadBalancerDescription[]>;
}

/** CloudWatch alarms (adapters/cloudwatch-alarms.ts). */
export interface AlarmReader {
  /** Metric and composite alarms by name; a name with no alarm is reported with `state: null`. */
  describe(names: readonly string[]): Promise<AlarmReport[]>;
}

export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE';

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate: string | null;
  /** Parsed JSON input. */
  input: unknown;
  error: string | null;
  cause: string | null;
  redriveCount: number;
}

export interface ExecutionSummary {
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate: string | null;
}

/** Step Functions control plane (adapters/step-functions-control.ts). */
export interface ExecutionControl {
  describe(executionArn: string): Promise<ExecutionDescription>;
  list(
    stateMachineArn: string,
    status: ExecutionStatus,
    options?: { startedAfter?: string; maxResults?: number }
  ): Promise<ExecutionSummary[]>;
  start(
    stateMachineArn: string,
    name: string,
    input: unknown
  ): Promise<{ executionArn: string; startDate: string }>;
  stop(executionArn: string, error?: string, cause?: string): Promise<void>;
  /** The newest RunState a Task of this execution returned (from the execution history); null if none. */
  latestRunState(executionArn: string): Promise<RunState | null>;
  /**
   * The error and cause of the execution's end event (`ExecutionAborted`, `ExecutionFailed`,
   * `ExecutionTimedOut`): StopExecution's code is documented there, not on DescribeExecution. Null while the
   * history does not show an end yet (it is eventually consistent).
   */
  endError(executionArn: string): Promise<{ error: string | null; cause: string | null } | null>;
}

/** The only source of "now" for handlers (tests and the rehearsal use a virtual clock). */
export interface Clock {
  now(): Date;
}

/** Lifecycle events a person or another system may act on. */
export type LifecycleEventType =
  | 'MigrationStarted'
  | 'StepCompleted'
  | 'MigrationCompleted'
  | 'MigrationRolledBack'
  | 'MigrationAborted'
  | 'MigrationStoppedOnDrift'
  | 'GateWaiting';

export interface LifecycleEvent {
  type: LifecycleEventType;
  migrationId: string;
  executionArn: string;
  greenPercent: number;
  reason: string;
  at: string;
  /** GateWaiting: the step the gate stands before, its deadline and default, and how to answer. */
  gate?: {
    step: number;
    timeoutAt: string;
    defaultAction: 'rollback' | 'continue';
    approve: string;
    reject: string;
  };
}

/** Publishes lifecycle events (adapters/eventbridge-notifier.ts: source `traffic-shift`; SNS fan-out is a template rule). */
export interface Notifier {
  publish(event: LifecycleEvent): Promise<void>;
}
