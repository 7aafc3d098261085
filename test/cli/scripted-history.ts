/**
 * Scripted Step Functions execution histories, shaped like GetExecutionHistory's events for the
 * traffic-shift state machine (lambda:invoke Tasks wrap the function result as `{"Payload": ...}`).
 * The RunStates inside come from the same pure transitions the handlers use (core/run.ts, core/verdict.ts),
 * so each Task output is one a deployed run would write.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { type MigrationInputDraft, parseMigrationInput } from '../../functions/core/input.ts';
import {
  afterEvaluation,
  afterShift,
  afterSyncCheck,
  newRunState,
  shiftTarget,
} from '../../functions/core/run.ts';
import {
  continuationInput,
  continuationName,
  rollbackReason,
  withOutcome,
} from '../../functions/core/run-end.ts';
import type { RunState } from '../../functions/core/state.ts';
import type { ServiceSample, TimeWindow, WeightedPair } from '../../functions/core/types.ts';
import { evaluate } from '../../functions/core/verdict.ts';
import { weightsFor } from '../../functions/core/weights.ts';
import { evaluationWindow } from '../../functions/core/window.ts';

export const STATE_MACHINE_ARN =
  'arn:aws:states:eu-west-1:123456789012:stateMachine:shop-traffic-shift';

export const SNAPSHOT: WeightedPair[] = [
  {
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    name: 'orders.example.com',
    type: 'A',
    blue: {
      Name: 'orders.example.com.',
      Type: 'A',
      SetIdentifier: 'orders-appmesh',
      Weight: 100,
      TTL: 60,
      ResourceRecords: [{ Value: '192.0.2.10' }],
    },
    green: {
      Name: 'orders.example.com.',
      Type: 'A',
      SetIdentifier: 'orders-sc',
      Weight: 0,
      TTL: 60,
      ResourceRecords: [{ Value: '198.51.100.20' }],
    },
  },
];

export const INPUT: MigrationInputDraft = {
  migrationId: 'orders-api',
  records: [
    {
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      name: 'orders.example.com',
      type: 'A',
      blueSetIdentifier: 'orders-appmesh',
      greenSetIdentifier: 'orders-sc',
    },
  ],
  plan: {
    steps: [10, 50, 100],
    bakeSeconds: 120,
    evaluationIntervalSeconds: 60,
    finalBakeSeconds: 120,
  },
  metrics: { greenDiscoveryNames: ['orders'], windowSeconds: 120 },
  thresholds: { latencyAvgMaxMs: 250 },
};

export const executionArnOf = (name: string) =>
  `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;

function sample(
  requests: number,
  errors: number,
  latencyAvgMs: number,
  window: TimeWindow | null
): ServiceSample {
  return {
    discoveryName: 'orders',
    http2xx: requests - errors,
    http3xx: null,
    http4xx: 0,
    http5xx: errors,
    requestCount: requests,
    latencySampleCount: requests,
    latencyAvgMs,
    latencyMaxMs: latencyAvgMs * 3,
    latencyP99Ms: null,
    // Green traffic in every minute of the window.
    periodStarts:
      window === null
        ? []
        : Array.from(
            { length: (Date.parse(window.end) - Date.parse(window.start)) / 60_000 },
            (_, i) => new Date(Date.parse(window.start) + i * 60_000).toISOString()
          ),
  };
}

export class HistoryScript {
  readonly executionArn: string;
  readonly events: HistoryEvent[] = [];
  state: RunState;
  private id = 0;
  private nowMs: number;

  constructor(name: string, start: Date, from?: RunState) {
    this.executionArn = executionArnOf(name);
    this.nowMs = start.getTime();
    const input = parseMigrationInput(INPUT);
    const started = from === undefined ? { ...INPUT } : continuationInput(from);
    this.push('ExecutionStarted', {
      executionStartedEventDetails: {
        input: JSON.stringify(started),
        roleArn: 'arn:aws:iam::123456789012:role/sfn',
      },
    });
    const identity = {
      executionArn: this.executionArn,
      executionName: name,
      stateMachineArn: STATE_MACHINE_ARN,
      startedAt: start.toISOString(),
      generation: from === undefined ? 1 : from.run.generation + 1,
      continuedFrom: from?.run.executionArn ?? null,
    };
    const { next: _next, ...fresh } = newRunState(input, identity, SNAPSHOT);
    this.state = from === undefined ? fresh : { ...continuationInput(from).resume, run: identity };
    this.task('Preflight', this.state);
  }

  get now(): Date {
    return new Date(this.nowMs);
  }

  private push(type: string, details: Partial<HistoryEvent> = {}): void {
    this.id += 1;
    this.events.push({
      id: this.id,
      previousEventId: this.id - 1,
      timestamp: new Date(this.nowMs),
      type: type as HistoryEvent['type'],
      ...details,
    });
  }

  private task(name: string, output: RunState, failFirst?: string): void {
    const input = JSON.stringify(this.state);
    this.push('TaskStateEntered', { stateEnteredEventDetails: { name, input } });
    if (failFirst !== undefined) {
      this.push('TaskScheduled', {
        taskScheduledEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          region: 'eu-west-1',
          parameters: '{}',
        },
      });
      this.push('TaskStarted', {
        taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' },
      });
      this.push('TaskFailed', {
        taskFailedEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          error: failFirst,
          cause: `${failFirst}: try again`,
        },
      });
    }
    this.push('TaskScheduled', {
      taskScheduledEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke',
        region: 'eu-west-1',
        parameters: '{}',
      },
    });
    this.push('TaskStarted', {
      taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' },
    });
    this.nowMs += 400;
    const wrapped = {
      ExecutedVersion: '$LATEST',
      Payload: output,
      SdkHttpMetadata: { HttpStatusCode: 200 },
      StatusCode: 200,
    };
    this.push('TaskSucceeded', {
      taskSucceededEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke',
        output: JSON.stringify(wrapped),
      },
    });
    this.push('TaskStateExited', {
      stateExitedEventDetails: { name, output: JSON.stringify(output) },
    });
    this.state = output;
  }

  private pass(kind: 'Wait' | 'Choice', name: string, seconds = 0): void {
    this.push(`${kind}StateEntered`, { stateEnteredEventDetails: { name, input: '{}' } });
    this.nowMs += seconds * 1_000;
    this.push(`${kind}StateExited`, { stateExitedEventDetails: { name, output: '{}' } });
  }

  /** ShiftTraffic to the next step, the DNS wait and sync check (with one throttled first attempt). */
  shift(): this {
    const percent = shiftTarget(this.state);
    const weights = this.state.snapshot.map((pair) => weightsFor(pair, percent));
    this.task('ShiftTraffic', afterShift(this.state, percent, weights, ['/change/C1'], this.now));
    this.pass('Wait', 'WaitForDnsSync', this.state.waitSeconds);
    this.task('CheckDnsSync', afterSyncCheck(this.state, true, this.now), 'Route53BusyError');
    this.pass('Choice', 'IsDnsSynced');
    return this;
  }

  /** Bake, then EvaluateMetrics over a window where green served `requests` with `errors` 5xx. */
  evaluate(requests: number, errors: number, latencyAvgMs = 70): this {
    this.pass('Wait', 'Bake', this.state.waitSeconds);
    const window = evaluationWindow(this.now, this.state.status, this.state.input.metrics);
    const evaluation = evaluate(
      { kind: 'ok', services: [sample(requests, errors, latencyAvgMs, window)] },
      null,
      this.state.input,
      window
    );
    this.task('EvaluateMetrics', afterEvaluation(this.state, evaluation, this.now));
    this.pass('Choice', 'Decide');
    return this;
  }

  /** Evaluates until the decision is to advance, complete or roll back. */
  evaluateUntilDecided(requests: number, errors: number, latencyAvgMs = 70): this {
    for (let i = 0; i < 20; i++) {
      this.evaluate(requests, errors, latencyAvgMs);
      if (['advance', 'complete', 'rollback'].includes(this.state.decision?.action ?? '')) break;
    }
    return this;
  }

  rollback(): this {
    const reason = rollbackReason(this.state);
    this.task('Rollback', withOutcome(this.state, 'rolled-back', reason, this.now));
    this.push('FailStateEntered', {
      stateEnteredEventDetails: { name: 'RolledBack', input: '{}' },
    });
    this.push('ExecutionFailed', {
      executionFailedEventDetails: { error: 'RolledBack', cause: reason },
    });
    return this;
  }

  complete(): this {
    // Complete is the last state (End: true): the execution succeeds with its output.
    this.task('Complete', withOutcome(this.state, 'completed', 'green at 100%', this.now));
    this.push('ExecutionSucceeded', {
      executionSucceededEventDetails: { output: JSON.stringify(this.state) },
    });
    return this;
  }

  continueAsNew(): { successorName: string } {
    const successorName = continuationName(this.state);
    this.task(
      'ContinueAsNew',
      withOutcome(
        this.state,
        'continued',
        `continued in ${executionArnOf(successorName)}`,
        this.now
      )
    );
    this.push('SucceedStateEntered', {
      stateEnteredEventDetails: { name: 'Continued', input: '{}' },
    });
    this.push('ExecutionSucceeded', {
      executionSucceededEventDetails: { output: JSON.stringify(this.state) },
    });
    return { successorName };
  }

  abort(error: string, cause: string, afterSeconds = 30): this {
    this.nowMs += afterSeconds * 1_000;
    this.push('ExecutionAborted', { executionAbortedEventDetails: { error, cause } });
    return this;
  }
}
