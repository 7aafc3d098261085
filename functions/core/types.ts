/**
 * Domain types shared by the core, the adapters and the handlers.
 * Everything here is plain JSON so that it can travel in the Step Functions state.
 */

import type { SequentialState } from './sequential.ts';

/** How one check judged one window. */
export const Verdict = {
  Pass: 'Pass',
  /** Evidence against green. */
  Fail: 'Fail',
  /** Too little traffic or no data: no evidence either way. Never a pass. */
  Inconclusive: 'Inconclusive',
  /** The metric source failed: no evidence either way. */
  Error: 'Error',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** What the state machine does after an evaluation. */
export const Action = {
  /** Move green to the next step. */
  Advance: 'advance',
  /** All good so far; the step's bake time is not over yet. */
  Observe: 'observe',
  /** Not advancing: a failure, an error or too little evidence within its limit. */
  Hold: 'hold',
  /** Restore the snapshot. */
  Rollback: 'rollback',
  /** Green is at 100 % and the final bake passed. */
  Complete: 'complete',
  /** The next step has an approval gate (plan.gates): wait for an answer, judging on (core/gates.ts). */
  Gate: 'gate',
} as const;
export type Action = (typeof Action)[keyof typeof Action];

export interface Decision {
  action: Action;
  /** Present for advance and gate: the green percent of the next step. */
  nextGreenPercent?: number;
  /** Why, for a person: `error rate 2.40% > 1% over 1,812 requests (lower bound 1.8%)`. */
  reason: string;
  /** Set when an operator's request (core/control.ts) changed the judge's decision: which one, and by whom. */
  control?: string;
}

/** One check of one scope (a discovery name or `overall`) over one window. */
export interface Assessment {
  /** `errorRate`, `latencyAvg`, `latencyMax`, `latencyP99`, `baselineErrorRate`, `baselineLatencyAvg`. */
  check: string;
  /** A Service Connect discovery name, or `overall`. */
  scope: string;
  verdict: Verdict;
  /** The observed value (percent for rates, milliseconds for latency); null when not measurable. */
  value: number | null;
  /** The limit it was judged against, in the same unit. */
  limit: number | null;
  /** Requests behind the value (for the error rate: those with a status code). */
  sampleSize: number;
  /** Whether this assessment counts toward the overall verdict (per-scope sample shortfalls do not). */
  counted: boolean;
  reason: string;
  /**
   * Which metric source judged it: absent = `serviceConnect`; `edge` (the environments' load balancers),
   * `alarm:<name>`, `custom:<label>`.
   */
  source?: string;
  /** Which environment was measured; absent = `green`. Blue's own assessments never count. */
  side?: 'green' | 'blue';
  /**
   * Set by the sequential error-rate test (sequential.ts): the evidence against green as odds, the odds at
   * which it rolls back, and over how many periods it built up. A Fail that carries it is decisive.
   */
  evidence?: { odds: number; thresholdOdds: number; minutes: number };
  /**
   * Set by the baseline error-rate check (baseline.ts) when blue's status codes were measured: blue's
   * requests with a status code and its 5xx in the same window, the counts its limit is computed from (and
   * compared with `minRequests`). Counts, not a series: the run state has Step Functions' size limit.
   */
  blue?: BlueCounts;
}

/** Blue's error-rate counts of one window. */
export interface BlueCounts {
  /** Requests with a status code (HTTPCode_Target_2XX..5XX). */
  requests: number;
  errors5xx: number;
}

/** The overall verdict of one evaluation and the assessments behind it. */
export interface Evaluation {
  verdict: Verdict;
  reason: string;
  assessments: Assessment[];
  window: TimeWindow | null;
  /**
   * How far green's data reached (ISO-8601, period-aligned): the end of the newest period of the window with
   * a green request datapoint (at least one period past the window's start, at most its end), or the window's
   * end when green has no request datapoint at all. A Pass or Fail moves the cursor (`ShiftStatus.windowFrom`)
   * and the bake only this far, so a minute CloudWatch publishes late is judged by the next evaluation
   * instead of being skipped. Null without a window; absent in an evaluation written before it existed
   * (read as the window's end).
   */
  judgedUntil?: string | null;
  /**
   * Seconds of the periods in `[window.start, judgedUntil)` in which green had a request datapoint: what a
   * Pass or Fail adds to the step's bake (`ShiftStatus.bakedSeconds`). Absent: 0 (nothing is baked on trust).
   */
  judgedDataSeconds?: number;
  /**
   * Blue's latency average in this window when it had at least `minRequests` samples: the run keeps the
   * latest one (`ShiftStatus.blueLatency`) as the baseline for windows in which blue has too little traffic.
   */
  blueLatency?: BlueLatency | null;
  /**
   * Set when a source demands a rollback now, whatever the failure counters say (an alarm in ALARM, as
   * CodeDeploy does): the reason. Absent or null: the counters decide.
   */
  immediateRollback?: string | null;
  /** The sequential tests after this evaluation (by check name); absent when none ran. */
  sequential?: Record<string, SequentialState>;
  /**
   * Per sequential test (by check name), the largest evidence it could reach by folding at once, at a later
   * minute, the minutes read here that it has not consumed (core/cadence-reach.ts): what lets the cadence
   * stay quiet while a test is not run (blue without traffic). Absent with `sequential`.
   */
  sequentialReach?: Record<string, { from: string; evidence: number }>;
}

/** A blue latency average good enough to be a baseline, and where it was measured. */
export interface BlueLatency {
  /** TargetResponseTime Average weighted by sample count, milliseconds. */
  avgMs: number;
  /** Blue's requests in that window (the evidence; the field name predates the request-count guard). */
  samples: number;
  /** End of the window it was measured in (ISO-8601). */
  windowEnd: string;
}

export interface TimeWindow {
  /** ISO-8601, inclusive, aligned to the metric period. */
  start: string;
  /** ISO-8601, exclusive, aligned to the metric period. */
  end: string;
}

/**
 * One discovery name to judge, as parsed from the input. Without `clusterName`/`serviceName` its metrics are
 * read by the single-dimension sets, which sum every cluster that uses the name; with them, by
 * `TargetDiscoveryName, ServiceName, ClusterName`, which AWS documents as the traffic to the name that comes
 * from that (calling) service in that cluster (docs/aws-facts.md §1.3).
 */
export interface DiscoveryTarget {
  discoveryName: string;
  /** Set together with `serviceName`. */
  clusterName?: string;
  serviceName?: string;
}

/**
 * Raw sums for one Service Connect discovery name over one window, as read from CloudWatch.
 * `null` means "no datapoints at all", which is different from zero.
 */
export interface ServiceSample extends DiscoveryTarget {
  /** HTTPCode_Target_2XX_Count Sum by TargetDiscoveryName. */
  http2xx: number | null;
  http3xx: number | null;
  http4xx: number | null;
  http5xx: number | null;
  /** RequestCount Sum by DiscoveryName (server side); not read for a scoped target. */
  requestCount: number | null;
  /** TargetResponseTime SampleCount summed over the window (a weight: ECS pre-aggregates, one sample is not one request). */
  latencySampleCount: number | null;
  /** TargetResponseTime Average weighted by SampleCount over the window, milliseconds. */
  latencyAvgMs: number | null;
  /** TargetResponseTime Maximum over the window, milliseconds. */
  latencyMaxMs: number | null;
  /** p99 where the source has it (AWS/ECS documents none); null otherwise. */
  latencyP99Ms: number | null;
  /**
   * ISO-8601 starts of the periods in the window with any HTTP status count or RequestCount datapoint, in any
   * order; empty when there is none. Tells which periods green had traffic data in (the bake counts only
   * those) and how far the data reached: a period CloudWatch has not published yet is missing here.
   */
  periodStarts: string[];
  /**
   * Per period with a status-code datapoint: requests with a status code and 5xx among them (what the
   * sequential test folds in, one period at a time). Absent from a source that does not report periods.
   */
  periods?: { start: string; requests: number; errors: number }[];
  /**
   * Each period's own values (ascending; periods without any datapoint left out), so that a read of several
   * minutes can be cut into the reading of each (reading-slice.ts, for the cadence's quiet looks). Absent from
   * a source that does not report them.
   */
  byPeriod?: PeriodSample[];
}

/** One period of a ServiceSample: what a read of that period alone returns (no p99: it does not add up). */
export type PeriodSample = { /** ISO-8601 start of the period. */ start: string } & Pick<
  ServiceSample,
  | 'http2xx'
  | 'http3xx'
  | 'http4xx'
  | 'http5xx'
  | 'requestCount'
  | 'latencySampleCount'
  | 'latencyAvgMs'
  | 'latencyMaxMs'
>;

/** What a metric source returned for one environment. A failure to measure is data, not an exception. */
export type MetricReading =
  | { kind: 'ok'; services: ServiceSample[] }
  | { kind: 'unavailable'; reason: string };

/**
 * A Route 53 record as the API returns it (the subset we read and re-send).
 * Kept verbatim so that an UPSERT re-sends everything but the weight.
 */
export interface RecordSet {
  Name: string;
  Type: string;
  SetIdentifier: string;
  Weight: number;
  TTL?: number;
  ResourceRecords?: { Value: string }[];
  AliasTarget?: { HostedZoneId: string; DNSName: string; EvaluateTargetHealth: boolean };
  HealthCheckId?: string;
}

/**
 * A record of a pair's weighted group other than blue and green, as read. Route 53 shares traffic over every
 * record of the name and type, so these count in the real share; they are never written.
 */
export interface GroupRecord {
  /** Null for a simple (non-weighted) record sharing the name and type. */
  SetIdentifier: string | null;
  /** Null when the record has no Weight (not a weighted record). */
  Weight: number | null;
  HealthCheckId?: string;
  TrafficPolicyInstanceId?: string;
}

/** One blue/green weighted pair as found in Route 53. */
export interface WeightedPair {
  hostedZoneId: string;
  /** Canonical (names.ts): Route 53's escaped form, lower case, no trailing dot. */
  name: string;
  type: string;
  blue: RecordSet;
  green: RecordSet;
  /**
   * How long resolvers may cache each side's answer: the record's TTL, or for an alias the TTL of the
   * same-zone record it points to (followed through alias chains) or 60 s for an AWS resource target
   * (Route 53 DG "Choosing between alias and non-alias records"). Absent in a state written before it existed.
   */
  effectiveTtlSeconds?: { blue: number; green: number };
  /**
   * The group's other records (same name and type) whose weight is not 0 (a zero-weight record never changes
   * the share and is never written); absent in a state written before it existed.
   */
  others?: GroupRecord[];
  /** Why an alias's effective TTL could not be resolved (missing target, loop, chain too deep). */
  ttlProblems?: string[];
  /**
   * Health checks of the same-zone records blue or green point to with `EvaluateTargetHealth`: the alias
   * inherits their health (API AliasTarget), so they are the pair's health checks too.
   */
  aliasTargetHealthCheckIds?: string[];
  /** Set when a traffic policy created blue or green: such records must not be UPSERTed. */
  trafficPolicyInstanceIds?: { blue?: string; green?: string };
}

/** Absolute weights for one pair: what a write sets, never a delta. */
export interface PairWeights {
  hostedZoneId: string;
  name: string;
  type: string;
  blueWeight: number;
  greenWeight: number;
}

/** The run's cursor; travels in the execution state. Times are ISO-8601 from the handler's clock. */
export interface ShiftStatus {
  /** Index into plan.steps of the current step; -1 before the first shift. */
  stepIndex: number;
  /** Green share of the current step in percent (0 before the first shift). */
  greenPercent: number;
  /** When Route 53 reported the current step INSYNC; null while pending. */
  syncedAt: string | null;
  /** First instant whose traffic reflects the current weights (synced + TTL). */
  judgingFrom: string | null;
  /**
   * Where the next window starts: everything before it has been judged Pass or Fail (or predates
   * judgingFrom). Set to judgingFrom when the step becomes judgeable; moves to the end of each window judged
   * Pass or Fail, and stays put after Inconclusive or Error, so the next window grows (up to windowSeconds)
   * until it holds enough evidence. Consecutive Fails are thus independent data. Null while not judgeable.
   */
  windowFrom: string | null;
  /**
   * Seconds of green data judged Pass or Fail at this step (periods with a request datapoint only): the bake.
   * A state written before it existed has none: preflight's resume schema and `decide` read that as 0.
   */
  bakedSeconds: number;
  /** The latest blue latency average with enough samples: the baseline once blue has too little traffic. */
  blueLatency: BlueLatency | null;
  /** Evaluations in the current step. */
  stepEvaluations: number;
  /** All evaluations of the run, all generations. */
  evaluations: number;
  /** Fail verdicts in the whole run. */
  failures: number;
  consecutiveFailures: number;
  /** Inconclusive verdicts in a row. */
  inconclusiveStreak: number;
  consecutiveErrors: number;
  /** The verdict of the latest evaluation, if any. */
  lastVerdict: Verdict | null;
  /**
   * The sequential error-rate tests by check name (run-wide: they forget healthy minutes on their own).
   * Absent in a state written before they existed: they start afresh.
   */
  sequential?: Record<string, SequentialState>;
  /**
   * The end of the window in which a judged look at 100 % green found blue below `minRequests`: blue is not
   * read again in the run (core/blue-drained.ts). Absent or null (a state written before it existed): not
   * drained.
   */
  blueDrainedFrom?: string | null;
}

/**
 * What Route 53's health checkers last reported for one health check (GetHealthCheckStatus
 * `HealthCheckObservations[].StatusReport.Status`, strings starting `Success` or `Failure`).
 * `statuses` is null when the status cannot be read this way (Route 53 refuses GetHealthCheckStatus for a
 * calculated health check), with the reason.
 */
export interface HealthCheckReport {
  healthCheckId: string;
  statuses: string[] | null;
  reason?: string;
}
