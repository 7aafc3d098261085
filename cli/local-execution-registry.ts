/**
 * Stands in for the Step Functions control plane when the state machine runs in the local interpreter
 * (there is no service to ask). It implements the same ExecutionControl port as the real adapter, with the
 * same semantics the handlers rely on: statuses, start-name idempotency, stop with error/cause, newest-first
 * listing, and the newest RunState a Task returned (what GetExecutionHistory gives on AWS).
 */
import { StepFunctionsRejectedError } from '../functions/core/errors.ts';
import type {
  Clock,
  ExecutionControl,
  ExecutionDescription,
  ExecutionStatus,
  ExecutionSummary,
  RunState,
} from '../functions/core/state.ts';

interface LocalExecution extends ExecutionDescription {
  latestState: RunState | null;
}

export interface RegistryListener {
  /** A StartExecution call (a continuation) asks for a new execution to run. */
  onStart?: (execution: ExecutionDescription) => void;
  /** A StopExecution call asks for a running execution to stop. */
  onStop?: (execution: ExecutionDescription) => void;
}

export class LocalExecutionRegistry implements ExecutionControl {
  private readonly executions = new Map<string, LocalExecution>();
  private readonly clock: Clock;
  private readonly region: string;
  private readonly account: string;
  listener: RegistryListener = {};

  constructor(clock: Clock, options: { region?: string; account?: string } = {}) {
    this.clock = clock;
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.account}:stateMachine:${name}`;
  }

  /** Registers a RUNNING execution (what StartExecution does) without notifying the listener. */
  register(stateMachineArn: string, name: string, input: unknown): ExecutionDescription {
    const machineName = stateMachineArn.split(':').at(-1);
    const executionArn = `arn:aws:states:${this.region}:${this.account}:execution:${machineName}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing !== undefined) {
      // Same name and input while running: StartExecution is idempotent on AWS; anything else is refused.
      if (existing.status === 'RUNNING' && JSON.stringify(existing.input) === JSON.stringify(input))
        return existing;
      throw new StepFunctionsRejectedError(
        `ExecutionAlreadyExists: execution ${name} already exists (${existing.status})`
      );
    }
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn,
      name,
      status: 'RUNNING',
      startDate: this.clock.now().toISOString(),
      stopDate: null,
      input: structuredClone(input),
      error: null,
      cause: null,
      redriveCount: 0,
      latestState: null,
    };
    this.executions.set(executionArn, execution);
    return execution;
  }

  /** Records the end of an execution, unless it already ended (a stop wins over a late result). */
  finish(
    executionArn: string,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    error: string | null = null,
    cause: string | null = null
  ): void {
    const execution = this.get(executionArn);
    if (execution.status !== 'RUNNING') return;
    Object.assign(execution, { status, error, cause, stopDate: this.clock.now().toISOString() });
  }

  /** What the history would show as the newest Task output carrying a RunState. */
  recordState(executionArn: string, state: RunState): void {
    this.get(executionArn).latestState = structuredClone(state);
  }

  /** Simulates a redrive (for tests): the execution runs again with a higher redrive count. */
  markRedriven(executionArn: string): void {
    const execution = this.get(executionArn);
    Object.assign(execution, {
      status: 'RUNNING',
      stopDate: null,
      error: null,
      cause: null,
      redriveCount: execution.redriveCount + 1,
    });
  }

  private get(executionArn: string): LocalExecution {
    const execution = this.executions.get(executionArn);
    if (execution === undefined)
      throw new StepFunctionsRejectedError(`ExecutionDoesNotExist: ${executionArn}`);
    return execution;
  }

  private static describeOf(execution: LocalExecution): ExecutionDescription {
    const { latestState: _latest, ...description } = execution;
    return structuredClone(description);
  }

  async describe(executionArn: string): Promise<ExecutionDescription> {
    return LocalExecutionRegistry.describeOf(this.get(executionArn));
  }

  async list(
    stateMachineArn: string,
    status: ExecutionStatus,
    options: { startedAfter?: string; maxResults?: number } = {}
  ): Promise<ExecutionSummary[]> {
    return [...this.executions.values()]
      .filter(
        (execution) => execution.stateMachineArn === stateMachineArn && execution.status === status
      )
      .filter(
        (execution) =>
          options.startedAfter === undefined || execution.startDate > options.startedAfter
      )
      .sort((a, b) => b.startDate.localeCompare(a.startDate))
      .slice(0, options.maxResults ?? 1_000)
      .map(({ executionArn, name, status: s, startDate, stopDate }) => ({
        executionArn,
        name,
        status: s,
        startDate,
        stopDate,
      }));
  }

  async start(
    stateMachineArn: string,
    name: string,
    input: unknown
  ): Promise<{ executionArn: string; startDate: string }> {
    const known = this.executions.size;
    const execution = this.register(stateMachineArn, name, input);
    // A repeat with the same name and input while RUNNING returns that execution; it starts nothing new.
    if (this.executions.size > known) this.listener.onStart?.(execution);
    return { executionArn: execution.executionArn, startDate: execution.startDate };
  }

  async stop(executionArn: string, error?: string, cause?: string): Promise<void> {
    const execution = this.get(executionArn);
    if (execution.status !== 'RUNNING') return;
    this.finish(executionArn, 'ABORTED', error ?? null, cause ?? null);
    this.listener.onStop?.(LocalExecutionRegistry.describeOf(execution));
  }

  async latestRunState(executionArn: string): Promise<RunState | null> {
    const state = this.get(executionArn).latestState;
    return state === null ? null : structuredClone(state);
  }

  async endError(
    executionArn: string
  ): Promise<{ error: string | null; cause: string | null } | null> {
    const execution = this.get(executionArn);
    if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') return null;
    return { error: execution.error, cause: execution.cause };
  }

  all(): ExecutionDescription[] {
    return [...this.executions.values()].map(LocalExecutionRegistry.describeOf);
  }
}
