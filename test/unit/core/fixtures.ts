/** Builders for core tests: valid inputs, record pairs, metric samples, evaluations. */

import type { Thresholds } from '../../../functions/core/checks.ts';
import { initialStatus } from '../../../functions/core/decide.ts';
import {
  type MigrationInput,
  type MigrationInputDraft,
  parseMigrationInput,
} from '../../../functions/core/input.ts';
import type {
  Evaluation,
  RecordSet,
  ServiceSample,
  ShiftStatus,
  TimeWindow,
  Verdict,
  WeightedPair,
} from '../../../functions/core/types.ts';

/** The smallest valid input a user could write. */
export function draft(): MigrationInputDraft {
  return {
    migrationId: 'orders',
    records: [
      {
        hostedZoneId: 'Z0123456789ABC',
        name: 'api.example.com',
        type: 'A',
        blueSetIdentifier: 'blue',
        greenSetIdentifier: 'green',
      },
    ],
    plan: { steps: [10, 50, 100] },
    metrics: { greenDiscoveryNames: ['orders'] },
  };
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};

/** A parsed input: `draft()` with the given sections merged in (one level deep; a plan kind replaces the draft's). */
export function inputWith(overrides: DeepPartial<MigrationInputDraft> = {}): MigrationInput {
  const base = draft() as Record<string, unknown>;
  const plan = overrides.plan ?? {};
  if (['steps', 'canary', 'linear', 'exponential'].some((kind) => kind in plan)) {
    // A plan has exactly one kind: the override's replaces the draft's steps.
    base['plan'] = {};
  }
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = base[key];
    merged[key] =
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      typeof current === 'object'
        ? { ...(current as object), ...value }
        : value;
  }
  return parseMigrationInput(merged);
}

export function record(
  side: 'blue' | 'green',
  weight: number,
  extra: Partial<RecordSet> = {}
): RecordSet {
  return {
    Name: 'api.example.com.',
    Type: 'A',
    SetIdentifier: side,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: side === 'blue' ? '192.0.2.1' : '192.0.2.2' }],
    ...extra,
  };
}

/** One blue/green pair in zone Z1 for `api.example.com A`. */
export function pairWith(
  weights: { blue: number; green: number },
  key: Partial<Pick<WeightedPair, 'hostedZoneId' | 'name' | 'type'>> = {}
): WeightedPair {
  return {
    hostedZoneId: 'Z1',
    name: 'api.example.com',
    type: 'A',
    ...key,
    blue: record('blue', weights.blue),
    green: record('green', weights.green),
  };
}

/** A sample with no datapoints except the ones given. */
export function sample(
  discoveryName: string,
  values: Partial<Omit<ServiceSample, 'discoveryName'>> = {}
): ServiceSample {
  return {
    discoveryName,
    http2xx: null,
    http3xx: null,
    http4xx: null,
    http5xx: null,
    requestCount: null,
    latencySampleCount: null,
    latencyAvgMs: null,
    latencyMaxMs: null,
    latencyP99Ms: null,
    periodStarts: [],
    ...values,
  };
}

/** `requests` requests of which `errors` are 5xx, with latency samples for each request. */
export function traffic(
  discoveryName: string,
  requests: number,
  errors: number,
  latency: Partial<Pick<ServiceSample, 'latencyAvgMs' | 'latencyMaxMs' | 'latencyP99Ms'>> = {}
): ServiceSample {
  return sample(discoveryName, {
    http2xx: requests - errors,
    http5xx: errors,
    requestCount: requests,
    latencySampleCount: requests,
    latencyAvgMs: 20,
    latencyMaxMs: 200,
    ...latency,
  });
}

export function evaluationWith(verdict: Verdict, reason = `${verdict} evaluation`): Evaluation {
  return { verdict, reason, assessments: [], window: null };
}

/** The status at a step that became judgeable at `judgingFrom`. */
export function statusAt(
  greenPercent: number,
  judgingFrom: string | null,
  extra: Partial<ShiftStatus> = {}
): ShiftStatus {
  return {
    ...initialStatus(),
    stepIndex: 0,
    greenPercent,
    syncedAt: judgingFrom,
    judgingFrom,
    windowFrom: judgingFrom,
    ...extra,
  };
}

export const WINDOW = { start: '2025-01-01T00:02:00.000Z', end: '2025-01-01T00:07:00.000Z' };

/** The ISO starts of every `periodSeconds` period of `window`: a sample with data in each of them. */
export function periodsOf(window: TimeWindow, periodSeconds = 60): string[] {
  const start = Date.parse(window.start);
  const count = (Date.parse(window.end) - start) / (periodSeconds * 1_000);
  return Array.from({ length: count }, (_, i) =>
    new Date(start + i * periodSeconds * 1_000).toISOString()
  );
}

/** The parsed default thresholds (input.test.ts asserts the schema fills exactly these). */
export const DEFAULT_THRESHOLDS: Thresholds = {
  minRequests: 50,
  errorRateMaxPercent: 1,
  confidence: 0.9,
  falseAlarmRate: 0.01,
  minEvidenceMinutes: 3,
  baseline: {
    errorRateMaxRatio: 2,
    errorRateMinDeltaPercent: 0.5,
    latencyAvgMaxRatio: 1.5,
    latencyAvgMinDeltaMs: 50,
  },
};
