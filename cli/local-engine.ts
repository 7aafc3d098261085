/**
 * Runs the real state machine definition (statemachine/traffic-shift.asl.json) in the aws-local-stepfunctions
 * interpreter with the real handlers bound in-process, against whatever AWS endpoints the clients point at
 * (moto locally, or a real account). Waits are replaced by a virtual clock so a week of migration runs in
 * seconds; `realMsPerVirtualSecond` slows it down again when a person wants to watch.
 *
 * It also plays the two parts AWS plays outside the state machine: the Step Functions control plane
 * (LocalExecutionRegistry) and the EventBridge rule that sends ABORTED/FAILED/TIMED_OUT to on-execution-end.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Context } from 'aws-lambda';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { CloudWatchAlarms } from '../functions/adapters/cloudwatch-alarms.ts';
import { CloudWatchMetricSource } from '../functions/adapters/cloudwatch-metric-source.ts';
import {
  DEFAULT_REGISTRY_TABLE,
  DynamoDbMigrationRegistry,
} from '../functions/adapters/dynamodb-migration-registry.ts';
import { ElbV2LoadBalancers } from '../functions/adapters/elbv2-load-balancers.ts';
import { Route53TrafficRouter } from '../functions/adapters/route53-traffic-router.ts';
import type { MigrationRegistry } from '../functions/core/registry.ts';
import type {
  Clock,
  ExecutionDescription,
  ExecutionStatus,
  MetricSource,
  Notifier,
  RunState,
  TrafficRouter,
} from '../functions/core/state.ts';
import type { StepHookRequest } from '../functions/core/step-hooks.ts';
import { createCheckDnsSyncHandler } from '../functions/handlers/check-dns-sync.ts';
import { createCompleteHandler } from '../functions/handlers/complete.ts';
import { createContinueAsNewHandler } from '../functions/handlers/continue-as-new.ts';
import { createEvaluateMetricsHandler } from '../functions/handlers/evaluate-metrics.ts';
import {
  createOnExecutionEndHandler,
  type ExecutionStatusChange,
} from '../functions/handlers/on-execution-end.ts';
import { createPreflightHandler } from '../functions/handlers/preflight.ts';
import { createRollbackHandler } from '../functions/handlers/rollback.ts';
import { createShiftTrafficHandler } from '../functions/handlers/shift-traffic.ts';
import { createWaitForApprovalHandler } from '../functions/handlers/wait-for-approval.ts';
import type { RecoveryResult } from '../functions/lib/recover.ts';
import { LocalExecutionRegistry } from './local-execution-registry.ts';
import { gateTask } from './local-gate-task.ts';
import { LocalTaskTokens } from './local-task-tokens.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFINITION_PATH = resolve(here, '../statemachine/traffic-shift.asl.json');

/** Task states and the substitution that names their function. */
export const TASK_FUNCTIONS = {
  Preflight: 'PreflightFunctionArn',
  ShiftTraffic: 'ShiftTrafficFunctionArn',
  CheckDnsSync: 'CheckDnsSyncFunctionArn',
  EvaluateMetrics: 'EvaluateMetricsFunctionArn',
  Complete: 'CompleteFunctionArn',
  ContinueAsNew: 'ContinueAsNewFunctionArn',
  Rollback: 'RollbackFunctionArn',
  WaitForApproval: 'WaitForApprovalFunctionArn',
} as const;
export type TaskState = keyof typeof TASK_FUNCTIONS;

/** Task states that follow a Wait: the wrapper stands in for the wait (virtual clock, optional real sleep). */
const AFTER_WAIT: readonly string[] = ['CheckDnsSync', 'EvaluateMetrics'];

/** The real-time timer left on callback tasks (20 days): the engine's own virtual timeout ends them first. */
const LOCAL_CALLBACK_TIMER_SECONDS = 20 * 86_400;

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

/** Loads the ASL and fills `${Name}` placeholders the way SAM DefinitionSubstitutions does. */
export function loadDefinition(
  path = DEFINITION_PATH,
  region = 'us-east-1',
  account = '123456789012'
): StateMachineDefinition {
  const substitutions: Record<string, string> = {
    ...Object.fromEntries(
      Object.entries(TASK_FUNCTIONS).map(([state, key]) => [
        key,
        `arn:aws:lambda:${region}:${account}:function:traffic-shift-${state}`,
      ])
    ),
    LambdaInvokeResource: 'arn:aws:states:::lambda:invoke',
    LambdaInvokeWaitForTaskTokenResource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  };
  const text = readFileSync(path, 'utf8').replace(
    /\$\{(\w+)\}/g,
    (whole, name: string) => substitutions[name] ?? whole
  );
  const definition = JSON.parse(text) as StateMachineDefinition & { TimeoutSeconds?: number };
  // The interpreter arms a real-time timer for TimeoutSeconds (it overflows Node's timer past 24.8 days and
  // fires at once); under the engine's virtual clock a real-time execution timeout means nothing anyway.
  delete definition.TimeoutSeconds;
  // The interpreter reads TimeoutSecondsPath from the Task's Parameters output, AWS from the state input; and it
  // times out in real time. The engine times callback tasks out itself on the virtual clock (bindGate), so
  // their real-time timer only has to stay out of the way (under Node's 24.8-day timer limit).
  for (const state of Object.values(definition.States) as unknown as Record<string, unknown>[]) {
    if (String(state['Resource'] ?? '').endsWith('.waitForTaskToken')) {
      delete state['TimeoutSecondsPath'];
      state['TimeoutSeconds'] = LOCAL_CALLBACK_TIMER_SECONDS;
    }
  }
  return definition;
}

/** aws-local-stepfunctions passes no Lambda context; middy and Powertools need one. */
export function fakeContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

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

/**
 * Maps the interpreter's simplified event log to the events AWS would write into the execution history.
 * Task 5 (Entered, Scheduled, Started, Succeeded/Failed, Exited), other states 2, a retry 3 more
 * (Scheduled, Started, Failed), plus ExecutionStarted and the execution's end.
 */
export function countHistoryEvents(
  log: readonly { type: string; stateType?: string; callback?: boolean }[]
): number {
  let events = 2;
  for (const entry of log) {
    // A `.waitForTaskToken` task also writes TaskSubmitted (core/gates.ts GATE_WAIT_EVENTS).
    if (entry.type === 'StateEntered' && entry.callback === true) events += 6;
    else if (entry.type === 'StateEntered')
      events += entry.stateType === 'Task' ? 5 : entry.stateType === 'Fail' ? 1 : 2;
    if (entry.type === 'StateRetried') events += 3;
  }
  return events;
}

interface Running {
  description: ExecutionDescription;
  abort: () => void;
  inFlight: Set<Promise<unknown>>;
  end: Promise<ExecutionEnd>;
  recovery: Promise<RecoveryResult | null> | null;
}

/**
 * The DynamoDB registry for a local engine: the table is created on the first call when missing, so the
 * constructor stays synchronous.
 */
export function localMigrationRegistry(
  dynamodb: DynamoDBClient,
  tableName: string,
  clock: { now(): Date }
): MigrationRegistry {
  const registry = new DynamoDbMigrationRegistry(dynamodb, tableName, { now: () => clock.now() });
  let table: Promise<boolean> | undefined;
  const ready = async () => {
    table ??= registry.createTableIfMissing().catch((error: unknown) => {
      table = undefined;
      throw error;
    });
    await table;
    return registry;
  };
  return serialisedWrites({
    acquire: async (entry) => (await ready()).acquire(entry),
    get: async (migrationId) => (await ready()).get(migrationId),
    ownerOf: async (key) => (await ready()).ownerOf(key),
    update: async (migrationId, expected, changes) =>
      (await ready()).update(migrationId, expected, changes),
    finish: async (migrationId, expected, phase, reason) =>
      (await ready()).finish(migrationId, expected, phase, reason),
    listUnfinished: async () => (await ready()).listUnfinished(),
  });
}

/**
 * Runs the registry's writes one at a time in this process. moto 5.2.1 restores a deep copy of the whole table
 * when a transaction fails (moto/dynamodb/models/__init__.py, transact_write_items), so on its threaded server a
 * failing transaction can erase a concurrent successful one; DynamoDB serialises transactions itself. The
 * conditions still decide every winner: this only keeps the emulator from losing writes.
 */
export function serialisedWrites(registry: MigrationRegistry): MigrationRegistry {
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(write: () => Promise<T>): Promise<T> => {
    const turn = queue.then(write, write);
    queue = turn.catch(() => undefined);
    return turn;
  };
  return {
    acquire: (entry) => inTurn(() => registry.acquire(entry)),
    get: (migrationId) => registry.get(migrationId),
    ownerOf: (key) => registry.ownerOf(key),
    update: (migrationId, expected, changes) =>
      inTurn(() => registry.update(migrationId, expected, changes)),
    finish: (migrationId, expected, phase, reason) =>
      inTurn(() => registry.finish(migrationId, expected, phase, reason)),
    listUnfinished: () => registry.listUnfinished(),
  };
}

/** A DynamoDB client for the endpoint, region and credentials of another client (one moto serves all). */
function dynamodbLike(other: Route53Client): DynamoDBClient {
  const { endpoint, region, credentials } = other.config;
  return new DynamoDBClient({
    region,
    credentials,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
}

/**
 * An ELBv2 client for the region and credentials of the Route 53 client, and its emulator: the endpoint set in
 * code (tests), or Route 53's endpoint variable (run-local on moto) unless ELBv2's own or the global variable
 * names one (the SDK reads those itself). One emulator serves every service, as for DynamoDB.
 */
function elbLike(other: Route53Client): ElasticLoadBalancingV2Client {
  const { region, credentials } = other.config;
  const env = process.env;
  const ownVariable =
    env['AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2'] ?? env['AWS_ENDPOINT_URL'] ?? undefined;
  const endpoint =
    other.config.endpoint ??
    (ownVariable ? undefined : env['AWS_ENDPOINT_URL_ROUTE_53'] || undefined);
  return new ElasticLoadBalancingV2Client({
    region,
    credentials,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
}

export class LocalEngine {
  readonly registry: LocalExecutionRegistry;
  /** Who owns which records (DynamoDB through moto, as deployed). */
  readonly migrations: MigrationRegistry;
  readonly stateMachineArn: string;
  private readonly options: LocalEngineOptions;
  private readonly definition: StateMachineDefinition;
  private readonly running = new Map<string, Running>();
  private readonly stoppedBeforeLaunch = new Map<string, ExecutionDescription>();
  private readonly handlers: Record<TaskState, LambdaHandler>;
  /** SendTaskSuccess/SendTaskFailure for this engine's WaitForApproval tasks. */
  readonly taskTokens = new LocalTaskTokens();
  /** Executions whose next EvaluateMetrics follows a gate wait that already slept in real time. */
  private readonly sleptForGate = new Set<string>();
  private readonly onExecutionEnd: LambdaHandler;

  constructor(options: LocalEngineOptions) {
    this.options = options;
    this.definition = loadDefinition(options.definitionPath);
    this.registry = new LocalExecutionRegistry(options.clock);
    this.stateMachineArn = this.registry.stateMachineArn(
      options.stateMachineName ?? 'traffic-shift'
    );
    this.registry.listener = {
      onStart: (execution) => {
        this.launch(execution);
      },
      onStop: (execution) => {
        const running = this.running.get(execution.executionArn);
        if (running === undefined) {
          // Stopped while its first Task was being invoked, before launch() returned: launch() applies it.
          this.stoppedBeforeLaunch.set(execution.executionArn, execution);
          return;
        }
        running.abort();
        // EventBridge delivers the status change while a stopped execution's Lambda may still be in flight.
        running.recovery = this.deliverStatusEvent(execution);
      },
    };
    const router = options.router ?? new Route53TrafficRouter(options.route53);
    const metrics = options.metrics ?? new CloudWatchMetricSource(options.cloudwatch);
    // The edge and alarm sources read the same moto (or account) as CloudWatch and Route 53.
    const alarms = new CloudWatchAlarms(options.cloudwatch);
    const loadBalancers = new ElbV2LoadBalancers(elbLike(options.route53));
    const clock = options.clock;
    const executions = this.registry;
    const registry =
      options.migrationRegistry ??
      localMigrationRegistry(
        options.dynamodb ?? dynamodbLike(options.route53),
        options.registryTable ?? DEFAULT_REGISTRY_TABLE,
        clock
      );
    this.migrations = registry;
    const notifier = options.notifier;
    const common = notifier === undefined ? { clock, registry } : { clock, registry, notifier };
    const runner = { kind: 'local' as const, pid: process.pid, host: hostname() };
    this.handlers = {
      Preflight: createPreflightHandler({
        ...common,
        router,
        metrics,
        executions,
        runner,
        alarms,
        loadBalancers,
      }) as LambdaHandler,
      ShiftTraffic: createShiftTrafficHandler({
        clock,
        router,
        executions,
        registry,
      }) as LambdaHandler,
      CheckDnsSync: createCheckDnsSyncHandler({ router, clock }) as LambdaHandler,
      // Operator control is read from the registry at every evaluation (one GetItem, ~10 ms against moto).
      EvaluateMetrics: createEvaluateMetricsHandler(
        options.operatorControl === false
          ? { clock, metrics, alarms, ...(notifier === undefined ? {} : { notifier }) }
          : { ...common, metrics, alarms }
      ) as LambdaHandler,
      Complete: createCompleteHandler({ ...common, router }) as LambdaHandler,
      ContinueAsNew: createContinueAsNewHandler({ executions, clock, registry }) as LambdaHandler,
      Rollback: createRollbackHandler({ ...common, router }) as LambdaHandler,
      WaitForApproval: createWaitForApprovalHandler({
        ...common,
        tokens: this.taskTokens,
      }) as LambdaHandler,
    };
    this.onExecutionEnd = createOnExecutionEndHandler({
      ...common,
      router,
      executions,
      // The local execution registry is consistent: no re-read needs to wait.
      sleep: async () => undefined,
    }) as LambdaHandler;
  }

  /** StartExecution + run. */
  start(
    input: unknown,
    name: string = `run-${randomUUID().slice(0, 8)}`
  ): { executionArn: string; end: Promise<ExecutionEnd> } {
    const description = this.registry.register(this.stateMachineArn, name, input);
    const running = this.launch(description);
    return { executionArn: description.executionArn, end: running.end };
  }

  /** StopExecution: the registry marks it ABORTED and the interpreter stops before its next state. */
  async stop(executionArn: string, error?: string, cause?: string): Promise<void> {
    await this.registry.stop(executionArn, error, cause);
  }

  /** Waits for an execution and every continuation it handed over to. */
  async endOfChain(executionArn: string): Promise<ExecutionEnd[]> {
    const ends: ExecutionEnd[] = [];
    let current: string | null = executionArn;
    while (current !== null) {
      const running = this.running.get(current);
      if (running === undefined) throw new Error(`no local execution ${current}`);
      const end: ExecutionEnd = await running.end;
      ends.push(end);
      current = end.output?.outcome?.result === 'continued' ? this.successorOf(current) : null;
    }
    return ends;
  }

  private successorOf(executionArn: string): string | null {
    const successor = this.registry
      .all()
      .find(
        (execution) =>
          (execution.input as { resume?: RunState } | null)?.resume?.run.continuedFrom ===
          executionArn
      );
    return successor?.executionArn ?? null;
  }

  private emit(event: Omit<EngineEvent, 'at'>): void {
    this.options.onEvent?.({ ...event, at: this.options.clock.now().toISOString() });
  }

  private bind(
    state: TaskState,
    executionArn: string,
    startDate: string,
    aborted: () => boolean,
    inFlight: Set<Promise<unknown>>
  ) {
    const handler = this.handlers[state];
    if (state === 'WaitForApproval') return this.bindGate(executionArn, aborted, inFlight);
    return async (input: unknown) => {
      const { Payload } = input as { Payload: Record<string, unknown> };
      // The interpreter fills $$.Execution.StartTime from the wall clock; the run lock compares it with other
      // executions' startDate from the registry, which runs on the virtual clock: use the registered one.
      if (state === 'Preflight') Payload['startTime'] = startDate;
      if (AFTER_WAIT.includes(state)) {
        const waitSeconds = Number((Payload as { waitSeconds?: number }).waitSeconds ?? 0);
        const ms = waitSeconds * (this.options.realMsPerVirtualSecond ?? 0);
        // After a gate wait the interval was already slept (the wait stood in for the Bake).
        const slept = this.sleptForGate.delete(executionArn);
        if (ms > 0 && !slept) await sleepUnless(ms, aborted);
        // The Wait before this Task was interrupted by a stop: the Task never starts.
        if (aborted()) throw new Error('execution stopped during the wait');
        this.options.clock.advance(waitSeconds);
      }
      await this.options.beforeTask?.({ state, executionArn, payload: Payload });
      const call = handler(Payload as never, fakeContext(`traffic-shift-${state}`));
      inFlight.add(call);
      try {
        const result = (await call) as RunState;
        if (result !== null && typeof result === 'object' && 'snapshot' in result)
          this.registry.recordState(executionArn, result);
        this.emit({ type: 'task-succeeded', executionArn, state, output: result });
        return { StatusCode: 200, Payload: result as never };
      } catch (error) {
        this.emit({
          type: 'task-failed',
          executionArn,
          state,
          error: (error as Error).name,
          cause: (error as Error).message,
        });
        throw error;
      } finally {
        inFlight.delete(call);
      }
    };
  }

  private isCallbackTask(name: string): boolean {
    const resource = (this.definition.States[name] as { Resource?: string } | undefined)?.Resource;
    return resource?.endsWith('.waitForTaskToken') ?? false;
  }

  /** WaitForApproval as Step Functions runs it (cli/local-gate-task.ts). */
  private bindGate(executionArn: string, aborted: () => boolean, inFlight: Set<Promise<unknown>>) {
    return gateTask({
      handler: this.handlers.WaitForApproval,
      tokens: this.taskTokens,
      clock: this.options.clock,
      realMsPerVirtualSecond: this.options.realMsPerVirtualSecond ?? 0,
      ...(this.options.onGateWaiting ? { onGateWaiting: this.options.onGateWaiting } : {}),
      executionArn,
      aborted,
      inFlight,
      sleptThroughInterval: () => this.sleptForGate.add(executionArn),
      emit: (event) => this.emit(event),
    });
  }

  private launch(description: ExecutionDescription): Running {
    const { executionArn } = description;
    let stopped = false;
    const inFlight = new Set<Promise<unknown>>();
    const machine = new StateMachine(this.definition);
    const taskResourceLocalHandlers = Object.fromEntries(
      (Object.keys(TASK_FUNCTIONS) as TaskState[]).map((state) => [
        state,
        this.bind(state, executionArn, description.startDate, () => stopped, inFlight),
      ])
    );
    const execution = machine.run(description.input as never, {
      overrides: {
        taskResourceLocalHandlers: {
          ...taskResourceLocalHandlers,
          InvokeStepHook: (input: unknown) => this.invokeStepHook(input),
        } as never,
        waitTimeOverrides: { WaitForDnsSync: 0, Bake: 0, WaitForStepHook: 0 },
        retryIntervalOverrides: Object.fromEntries(
          [...Object.keys(TASK_FUNCTIONS), 'InvokeStepHook'].map((state) => [state, 0])
        ),
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: executionArn,
          Name: description.name,
          StartTime: description.startDate,
          Input: description.input as never,
        },
        StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineArn.split(':').at(-1) },
        // The interpreter resolves $$.Task.Token from this fixed object; bindGate issues a real one per wait.
        Task: { Token: 'replaced-per-wait' },
      } as never,
    });
    const holder: { running?: Running } = {};
    const log: { type: string; stateType?: string }[] = [];
    const drain = (async () => {
      for await (const event of execution.eventLogs) {
        const state = 'state' in event ? event.state : undefined;
        log.push({
          type: event.type,
          ...(state ? { stateType: state.type } : {}),
          ...(state && this.isCallbackTask(state.name) ? { callback: true } : {}),
        });
        if (event.type === 'StateEntered' && state)
          this.emit({ type: 'state-entered', executionArn, state: state.name });
      }
    })();
    const end = (async (): Promise<ExecutionEnd> => {
      let status: ExecutionEnd['status'] = 'SUCCEEDED';
      let output: RunState | null = null;
      let error: string | null = null;
      let cause: string | null = null;
      try {
        const result = await execution.result;
        if (stopped) status = 'ABORTED';
        else output = result as unknown as RunState;
      } catch (thrown) {
        status = 'FAILED';
        const wrapped =
          thrown instanceof ExecutionError
            ? (thrown.cause as Error | undefined)
            : (thrown as Error);
        error = wrapped?.name ?? 'States.Runtime';
        cause = wrapped?.message ?? String(thrown);
      }
      await drain.catch(() => undefined);
      // An in-flight Lambda keeps running after a stop; the execution's side effects end with it.
      await Promise.allSettled([...inFlight]);
      if (status !== 'ABORTED') this.registry.finish(executionArn, status, error, cause);
      const final = await this.registry.describe(executionArn);
      const latest = await this.registry.latestRunState(executionArn);
      const recovery =
        final.status === 'ABORTED'
          ? await (holder.running?.recovery ?? Promise.resolve(null))
          : await this.deliverStatusEvent(final);
      const ended: ExecutionEnd = {
        executionArn,
        name: description.name,
        status: final.status as ExecutionEnd['status'],
        output: output ?? latest,
        error: final.error,
        cause: final.cause,
        historyEvents: countHistoryEvents(log),
        stateTransitions: log.filter(
          (entry) => entry.type === 'StateEntered' || entry.type === 'StateRetried'
        ).length,
        recovery,
      };
      this.emit({
        type: 'execution-ended',
        executionArn,
        status: ended.status,
        ...(error ? { error } : {}),
        ...(cause ? { cause } : {}),
      });
      return ended;
    })();
    const running: Running = {
      description,
      abort: () => {
        stopped = true;
        execution.abort();
      },
      inFlight,
      end,
      recovery: null,
    };
    holder.running = running;
    this.running.set(executionArn, running);
    const early = this.stoppedBeforeLaunch.get(executionArn);
    if (early !== undefined) {
      this.stoppedBeforeLaunch.delete(executionArn);
      running.abort();
      running.recovery = this.deliverStatusEvent(early);
    }
    return running;
  }

  /** The native `lambda:invoke` of a step hook, answered by the in-process function bound to its ARN. */
  private async invokeStepHook(input: unknown): Promise<{ StatusCode: number; Payload: unknown }> {
    const { FunctionName, Payload } = input as { FunctionName: string; Payload: StepHookRequest };
    const hook = this.options.stepHooks?.[FunctionName];
    if (hook === undefined && this.options.invokeLambda !== undefined) {
      return { StatusCode: 200, Payload: await this.options.invokeLambda(FunctionName, Payload) };
    }
    if (hook === undefined) {
      const error = new Error(`Function not found: ${FunctionName}`);
      error.name = 'Lambda.ResourceNotFoundException';
      throw error;
    }
    return { StatusCode: 200, Payload: (await hook(Payload)) ?? null };
  }

  /** The template's EventBridge rule: ABORTED, FAILED, TIMED_OUT -> on-execution-end. */
  private async deliverStatusEvent(final: ExecutionDescription): Promise<RecoveryResult | null> {
    if (
      !this.options.deliverStatusEvents ||
      !['ABORTED', 'FAILED', 'TIMED_OUT'].includes(final.status)
    )
      return null;
    const event: ExecutionStatusChange = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: '123456789012',
      time: this.options.clock.now().toISOString(),
      region: 'us-east-1',
      resources: [final.executionArn],
      detail: {
        executionArn: final.executionArn,
        stateMachineArn: final.stateMachineArn,
        name: final.name,
        status: final.status,
        startDate: Date.parse(final.startDate),
        stopDate: final.stopDate === null ? null : Date.parse(final.stopDate),
        error: final.error,
        cause: final.cause,
      },
    };
    // Lambda retries a failed asynchronous invocation twice, then drops the event (the reconciler's case);
    // a failing on-execution-end never fails the execution's own end.
    let failure: Error | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const recovery = (await this.onExecutionEnd(
          event as never,
          fakeContext('traffic-shift-OnExecutionEnd')
        )) as RecoveryResult;
        this.emit({ type: 'recovery', executionArn: final.executionArn, recovery });
        return recovery;
      } catch (error) {
        failure = error as Error;
      }
    }
    this.emit({
      type: 'recovery',
      executionArn: final.executionArn,
      error: failure?.name ?? 'Error',
      cause: failure?.message ?? '',
    });
    return null;
  }
}

export async function sleepUnless(ms: number, stop: () => boolean): Promise<void> {
  const step = 20;
  for (let waited = 0; waited < ms && !stop(); waited += step) {
    await new Promise((resolvePromise) => setTimeout(resolvePromise, Math.min(step, ms - waited)));
  }
}
