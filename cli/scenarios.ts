/**
 * Rehearsal scenarios: a migration plan plus how both environments behave. Shared by `traffic-shift rehearse`
 * and the end-to-end tests, so what a person rehearses is exactly what the tests prove.
 */
import type { MigrationInputDraft, RecordRef } from '../functions/core/input.ts';
import type { TrafficProfile } from './traffic-model.ts';

export const SCENARIO_NAMES = [
  'healthy',
  'error-regression',
  'latency-regression',
  'edge-regression',
  'low-traffic',
  'abort',
  'gated',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface Scenario {
  name: ScenarioName;
  description: string;
  /** The outcome the scenario demonstrates. */
  expected: 'completed' | 'rolled-back' | 'aborted';
  profile: TrafficProfile;
  /** What green (and the operator) do, said without the default plan: the line `rehearse --input` prints. */
  greenBehaviour: string;
  /** Input overrides on top of the documented defaults. */
  input: Partial<MigrationInputDraft>;
  /** Why the overrides differ from the documented defaults (shown in the summary and the report). */
  inputWhy?: string;
  /** Abort (StopExecution) during the bake of this step index. */
  abortAtStep?: number;
  /** Scripted answers to approval gates (plan.gates), each given `afterSeconds` after its gate opened. */
  gateAnswers?: ScriptedGateAnswer[];
}

export interface ScriptedGateAnswer {
  /** The green percent the gate stands before. */
  step: number;
  action: 'approve' | 'reject';
  afterSeconds: number;
  by: string;
  reason: string;
}

export const GREEN_DISCOVERY_NAMES = ['orders', 'payments'];
export const BLUE_DISCOVERY_NAMES = ['orders-appmesh', 'payments-appmesh'];

const healthyBlue = () => ({ errorRatePercent: 0.2, latencyAvgMs: 80 });
const healthyGreen = () => ({ errorRatePercent: 0.15, latencyAvgMs: 72 });
/** The regression starts once green takes this share: problems that only show under real load. */
export const REGRESSION_FROM_PERCENT = 25;

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  healthy: {
    name: 'healthy',
    description:
      'green is as healthy as blue: every step passes and the run completes at 100 % green',
    expected: 'completed',
    greenBehaviour: 'green is as healthy as blue (3,000 requests a minute in all)',
    profile: { requestsPerMinute: 3_000, blue: healthyBlue, green: healthyGreen },
    input: {},
  },
  'error-regression': {
    name: 'error-regression',
    description: `green's 5xx rate jumps from 0.15 % to 4 % once it takes ${REGRESSION_FROM_PERCENT} % of the traffic: rolled back`,
    expected: 'rolled-back',
    greenBehaviour: `green's 5xx rate jumps from 0.15 % to 4 % once it takes ${REGRESSION_FROM_PERCENT} % of the traffic`,
    profile: {
      requestsPerMinute: 3_000,
      blue: healthyBlue,
      green: ({ greenPercent }) => ({
        errorRatePercent: greenPercent >= REGRESSION_FROM_PERCENT ? 4 : 0.15,
        latencyAvgMs: 72,
      }),
    },
    input: {},
  },
  'latency-regression': {
    name: 'latency-regression',
    description: `green's average response time climbs from 72 ms to 420 ms once it takes ${REGRESSION_FROM_PERCENT} %: rolled back`,
    expected: 'rolled-back',
    greenBehaviour: `green's average response time climbs from 72 ms to 420 ms once it takes ${REGRESSION_FROM_PERCENT} % (judged only if your input sets a latency limit or blueDiscoveryNames)`,
    profile: {
      requestsPerMinute: 3_000,
      blue: healthyBlue,
      green: ({ greenPercent }) => ({
        errorRatePercent: 0.15,
        latencyAvgMs: greenPercent >= REGRESSION_FROM_PERCENT ? 420 : 72,
      }),
    },
    input: { thresholds: { latencyAvgMaxMs: 250 } },
    inputWhy: 'thresholds.latencyAvgMaxMs 250 (an absolute latency limit has no default)',
  },
  'edge-regression': {
    name: 'edge-regression',
    description: `green's frontend answers 8 % 5xx at its load balancer once it takes ${REGRESSION_FROM_PERCENT} %, while its Service Connect metrics stay healthy: rolled back on the edge`,
    expected: 'rolled-back',
    greenBehaviour: `green's frontend answers 8 % 5xx at its load balancer (HTTPCode_Target_5XX_Count) once it takes ${REGRESSION_FROM_PERCENT} %, while its Service Connect metrics stay healthy (judged only where the records are aliases to load balancers)`,
    profile: {
      requestsPerMinute: 3_000,
      blue: healthyBlue,
      green: ({ greenPercent }) => ({
        ...healthyGreen(),
        edge: { errorRatePercent: greenPercent >= REGRESSION_FROM_PERCENT ? 8 : 0 },
      }),
    },
    input: {},
  },
  'low-traffic': {
    name: 'low-traffic',
    description:
      'only 100 requests per minute overall: too little evidence at 1 % green, so the run holds, then rolls back at the inconclusive limit',
    expected: 'rolled-back',
    greenBehaviour: 'green is healthy but only 100 requests a minute arrive in all',
    profile: { requestsPerMinute: 100, blue: healthyBlue, green: healthyGreen },
    input: { limits: { maxInconclusive: 6, onInconclusiveLimit: 'rollback' } },
    inputWhy:
      'limits.maxInconclusive 6 (default 30), so the inconclusive limit is reached within the rehearsal',
  },
  abort: {
    name: 'abort',
    description:
      'an operator stops the execution during the bake of the third step: on-execution-end restores the snapshot',
    expected: 'aborted',
    greenBehaviour:
      'green is healthy; an operator stops the execution during the bake of the third step (or the last one, for a shorter plan)',
    profile: { requestsPerMinute: 3_000, blue: healthyBlue, green: healthyGreen },
    input: {},
    abortAtStep: 2,
  },
  gated: {
    name: 'gated',
    description:
      'approval gates before 25 % and 100 %: the first is approved 20 minutes after it opens, the second is never answered and takes its default action (rollback) after 30 minutes',
    expected: 'rolled-back',
    greenBehaviour:
      'green is healthy; an operator approves the gate before 25 % twenty minutes after it opens and never answers the gate before 100 %',
    profile: { requestsPerMinute: 3_000, blue: healthyBlue, green: healthyGreen },
    input: {
      plan: {
        steps: [1, 5, 25, 50, 100],
        gates: { beforeSteps: [25, 100], timeoutSeconds: 1_800 },
      } as MigrationInputDraft['plan'],
    },
    inputWhy:
      'plan.gates before 25 % and 100 % with timeoutSeconds 1800 (default 86400), so the unanswered gate times out within the rehearsal',
    gateAnswers: [
      {
        step: 25,
        action: 'approve',
        afterSeconds: 1_200,
        by: 'rehearsal-operator@example',
        reason: 'canary at 5 % looks fine',
      },
    ],
  },
};

/**
 * The rehearsal's migration input for the seeded records: the documented defaults (README, input reference)
 * for everything but the steps, which have none, and the scenario's overrides (each with its `inputWhy`).
 */
export function rehearsalInput(scenario: Scenario, records: RecordRef[]): MigrationInputDraft {
  const base: MigrationInputDraft = {
    migrationId: `rehearsal-${scenario.name}`,
    records,
    plan: { steps: [1, 5, 25, 50, 100] },
    metrics: {
      greenDiscoveryNames: GREEN_DISCOVERY_NAMES,
      blueDiscoveryNames: BLUE_DISCOVERY_NAMES,
    },
    thresholds: {},
    limits: {},
  };
  return {
    ...base,
    ...scenario.input,
    thresholds: { ...base.thresholds, ...scenario.input.thresholds },
    limits: { ...base.limits, ...scenario.input.limits },
  };
}
