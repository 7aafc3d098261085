/**
 * Runs the real state machine definition (statemachine/traffic-shift.asl.json) in the aws-local-stepfunctions
 * interpreter with the real handlers bound in-process, against whatever AWS endpoints the clients point at
 * (moto locally, or a real account). Waits are replaced by a virtual clock so a week of migration runs in
 * seconds; `realMsPerVirtualSecond` slows it down again when a person wants to watch.
 *
 * It also plays the two parts AWS plays outside the state machine: the Step Functions control plane
 * (LocalExecutionRegistry) and the EventBridge rule that sends ABORTED/FAILED/TIMED_OUT to on-execution-end
 * (local-status-events.ts). The functions it binds are built in local-handlers.ts, local-task.ts and
 * local-gate-task.ts; the event log is counted in local-event-log.ts.
 */
import { randomUUID } from 'node:crypto';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { MigrationRegistry } from '../functions/core/registry.ts';
import type { ExecutionDescription, RunState } from '../functions/core/state.ts';
import type { RecoveryResult } from '../functions/lib/recover.ts';
import { loadDefinition, TASK_FUNCTIONS, type TaskState } from './local-definition.ts';
import type {
  EngineEvent,
  ExecutionEnd,
  LambdaHandler,
  LocalEngineOptions,
} from './local-engine-options.ts';
import { followEventLog } from './local-event-log.ts';
import { LocalExecutionRegistry } from './local-execution-registry.ts';
import { gateTask } from './local-gate-task.ts';
import { invokeStepHook, localFunctions } from './local-handlers.ts';
import { deliverStatusEvent } from './local-status-events.ts';
import { task } from './local-task.ts';
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
    const functions = localFunctions(options, this.registry, this.taskTokens);
    this.migrations = functions.migrations;
    this.handlers = functions.handlers;
    this.onExecutionEnd = functions.onExecutionEnd;
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

  /** A Task state's function: WaitForApproval in local-gate-task.ts, the others in local-task.ts. */
  private bind(
    state: TaskState,
    executionArn: string,
    startDate: string,
    aborted: () => boolean,
    inFlight: Set<Promise<unknown>>
  ) {
    const { clock, realMsPerVirtualSecond = 0, onGateWaiting, beforeTask } = this.options;
    const common = { executionArn, aborted, inFlight, clock, realMsPerVirtualSecond };
    const emit = (event: Omit<EngineEvent, 'at'>) => this.emit(event);
    if (state === 'WaitForApproval') {
      return gateTask({
        ...common,
        handler: this.handlers.WaitForApproval,
        tokens: this.taskTokens,
        ...(onGateWaiting ? { onGateWaiting } : {}),
        sleptThroughInterval: () => this.sleptForGate.add(executionArn),
        emit,
      });
    }
    return task({
      ...common,
      state,
      handler: this.handlers[state],
      startDate,
      sleptForGate: () => this.sleptForGate.delete(executionArn),
      ...(beforeTask ? { beforeTask } : {}),
      recordState: (result) => this.registry.recordState(executionArn, result),
      emit,
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
          InvokeStepHook: (input: unknown) => invokeStepHook(this.options, input),
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
        // The interpreter resolves $$.Task.Token from this fixed object; the gate task issues a real one per wait.
        Task: { Token: 'replaced-per-wait' },
      } as never,
    });
    const holder: { running?: Running } = {};
    const log = followEventLog(execution, this.definition, (state) =>
      this.emit({ type: 'state-entered', executionArn, state })
    );
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
      await log.drained.catch(() => undefined);
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
        historyEvents: log.historyEvents(),
        stateTransitions: log.stateTransitions(),
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

  /** The template's EventBridge rule: ABORTED, FAILED, TIMED_OUT -> on-execution-end. */
  private deliverStatusEvent(final: ExecutionDescription): Promise<RecoveryResult | null> {
    return deliverStatusEvent(final, {
      enabled: this.options.deliverStatusEvents === true,
      onExecutionEnd: this.onExecutionEnd,
      now: () => this.options.clock.now(),
      emit: (event) => this.emit(event),
    });
  }
}
