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
import { hostname } from 'node:os';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { CloudWatchAlarms } from '../functions/adapters/cloudwatch-alarms.ts';
import { CloudWatchMetricSource } from '../functions/adapters/cloudwatch-metric-source.ts';
import { DEFAULT_REGISTRY_TABLE } from '../functions/adapters/dynamodb-migration-registry.ts';
import { ElbV2LoadBalancers } from '../functions/adapters/elbv2-load-balancers.ts';
import { Route53TrafficRouter } from '../functions/adapters/route53-traffic-router.ts';
import type { MigrationRegistry } from '../functions/core/registry.ts';
import type { ExecutionDescription, RunState } from '../functions/core/state.ts';
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
import { dynamodbLike, elbLike, localMigrationRegistry } from './local-clients.ts';
import {
  countHistoryEvents,
  fakeContext,
  loadDefinition,
  TASK_FUNCTIONS,
  type TaskState,
} from './local-definition.ts';
import type {
  EngineEvent,
  ExecutionEnd,
  LambdaHandler,
  LocalEngineOptions,
} from './local-engine-options.ts';
import { LocalExecutionRegistry } from './local-execution-registry.ts';
import { gateTask } from './local-gate-task.ts';
import { LocalTaskTokens } from './local-task-tokens.ts';

export { localMigrationRegistry, serialisedWrites } from './local-clients.ts';
export {
  countHistoryEvents,
  DEFINITION_PATH,
  fakeContext,
  loadDefinition,
  TASK_FUNCTIONS,
  type TaskState,
} from './local-definition.ts';
export {
  type EngineEvent,
  type ExecutionEnd,
  type GateWaitContext,
  type LocalEngineOptions,
  type TaskHookContext,
  VirtualClock,
} from './local-engine-options.ts';

/** Task states that follow a Wait: the wrapper stands in for the wait (virtual clock, optional real sleep). */
const AFTER_WAIT: readonly string[] = ['CheckDnsSync', 'EvaluateMetrics'];

interface Running {
  description: ExecutionDescription;
  abort: () => void;
  inFlight: Set<Promise<unknown>>;
  end: Promise<ExecutionEnd>;
  recovery: Promise<RecoveryResult | null> | null;
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
