/**
 * The Route 53 side of a run: the records as read and re-sent, the blue/green weighted pairs, the absolute
 * weights a write sets and health check reports. Plain JSON: it travels in the Step Functions state.
 */

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
