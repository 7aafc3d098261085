/** What a LocalEngine is given and what it reports: options, events, an execution's end, the virtual clock. */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Context } from 'aws-lambda';
import type { MigrationRegistry } from '../functions/core/registry.ts';
import type {
  Clock,
  ExecutionStatus,
  MetricSource,
  Notifier,
  RunState,
  TrafficRouter,
} from '../functions/core/state.ts';
import type { StepHookRequest } from '../functions/core/step-hooks.ts';
import type { RecoveryResult } from '../functions/lib/recover.ts';

/** A clock the engine moves forward by each Wait's duration. */
export class VirtualClock implements Clock {
  private epochMs: number;
  constructor(start: Date) {
    this.epochMs = start.getTime();
  }
  now(): Date {
    return new Date(this.epochMs);
  }
  advance(seconds: number): void {
    this.epochMs += seconds * 1_000;
  }
}

export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

export interface EngineEvent {
  type: 'state-entered' | 'task-succeeded' | 'task-failed' | 'execution-ended' | 'recovery';
  executionArn: string;
  state?: string;
  /** Virtual time. */
  at: string;
  /** The RunState a Task returned. */
  output?: RunState;
  error?: string;
  cause?: string;
  status?: ExecutionStatus;
  recovery?: RecoveryResult;
}

export interface ExecutionEnd {
  executionArn: string;
  name: string;
  status: Exclude<ExecutionStatus, 'RUNNING' | 'PENDING_REDRIVE'>;
  output: RunState | null;
  error: string | null;
  cause: string | null;
  /** AWS-equivalent history events of this execution (see countHistoryEvents). */
  historyEvents: number;
  /** State transitions (states entered, retries included), the unit Step Functions bills. */
  stateTransitions: number;
  /** What on-execution-end did, when the status-change event was delivered. */
  recovery: RecoveryResult | null;
}

export interface TaskHookContext {
  state: string;
  executionArn: string;
  payload: unknown;
}

export interface GateWaitContext {
  executionArn: string;
  migrationId: string;
  /** The green percent the gate stands before. */
  step: number;
  taskToken: string;
  /** The wait's length (one evaluation interval), virtual seconds. */
  waitSeconds: number;
}

export interface LocalEngineOptions {
  route53: Route53Client;
  cloudwatch: CloudWatchClient;
  clock: VirtualClock;
  stateMachineName?: string;
  notifier?: Notifier;
  /** Real milliseconds slept per virtual second of Wait (0: none). */
  realMsPerVirtualSecond?: number;
  /** Deliver ABORTED/FAILED/TIMED_OUT status-change events to on-execution-end, as the EventBridge rule does. */
  deliverStatusEvents?: boolean;
  /**
   * Called while a WaitForApproval task holds its token (after its handler stored it): answer through
   * `engine.taskTokens` (the rehearsal's script, a terminal prompt). Awaited before the wait's timeout.
   */
  onGateWaiting?: (context: GateWaitContext) => Promise<void> | void;
  /** Called before each Task handler (after the clock moved past the preceding Wait). */
  beforeTask?: (context: TaskHookContext) => Promise<void> | void;
  onEvent?: (event: EngineEvent) => void;
  /**
   * The migration registry's DynamoDB (moto in the rehearsal and the tests). Default: a client with the
   * Route 53 client's endpoint, region and credentials (one moto serves both).
   */
  dynamodb?: DynamoDBClient;
  /** The registry table, created on first use when missing (default `traffic-shift-migrations`). */
  registryTable?: string;
  /**
   * Step hooks (input.hooks) bound to in-process functions by ARN: InvokeStepHook calls the one its
   * FunctionName names with the request (core/step-hooks.ts) and hands back what it returns or throws. An
   * ARN with no binding fails like Lambda's ResourceNotFoundException (caught: Rollback).
   */
  stepHooks?: Record<string, (request: StepHookRequest) => unknown>;
  /** A hook ARN without a binding: invoke the real function (run-local, cli/lambda-invoker.ts). */
  invokeLambda?: (functionName: string, payload: StepHookRequest) => Promise<unknown>;
  /**
   * false: EvaluateMetrics does not read operator control (pause, promote) from the registry, for runs of
   * thousands of evaluations where the per-evaluation read against moto dominates (default true, as deployed).
   */
  operatorControl?: boolean;
  /** Replace the registry port (fault injection); `dynamodb` and `registryTable` are then unused. */
  migrationRegistry?: MigrationRegistry;
  /** Replace a port (fault injection, scripted metrics). */
  router?: TrafficRouter;
  metrics?: MetricSource;
  definitionPath?: string;
}
