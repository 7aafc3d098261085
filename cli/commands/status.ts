/**
 * `traffic-shift status ARN [--watch]`: where a deployed execution stands: its status, a progress bar over
 * the plan's steps, the weights it last wrote, and its last verdict with the numbers behind it.
 */
import { StepFunctionsControl } from '../../functions/adapters/step-functions-control.ts';
import type { ControlState } from '../../functions/core/control.ts';
import { KEEP_WEIGHTS_ERROR } from '../../functions/core/recovery.ts';
import type { ExecutionDescription, RunState } from '../../functions/core/state.ts';
import { bar } from '../progress.ts';
import { ExitCode } from '../rehearsal.ts';
import { formatDuration, trimNumber } from '../report.ts';
import { useColor } from '../terminal-style.ts';
import { whatOnEndDoes } from './abort.ts';
import { consoleUrl, regionOf, regionOfArn, sfnClient } from './common.ts';
import { currentGeneration, type HandleControl, isArnHandle, resolveExecution } from './handle.ts';
import { registryTable } from './registry-table.ts';

export interface StatusOptions {
  /** The handle: the migrationId, or any generation's execution ARN (handle.ts). */
  executionArn: string;
  /** Poll every this many seconds until the migration ends (continuations followed). */
  watch?: number;
  json: boolean;
  region?: string;
  registryTable?: string;
  /** The control plane (tests: the local engine's); default Step Functions in the region. */
  control?: HandleControl;
  /** Where text goes (tests); default stdout. */
  write?: (text: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface ExecutionStatusView {
  executionArn: string;
  name: string;
  status: ExecutionDescription['status'];
  startDate: string;
  stopDate: string | null;
  error: string | null;
  cause: string | null;
  migrationId: string | null;
  consoleUrl: string;
  progress: {
    stepIndex: number;
    stepsDone: number;
    steps: number[];
    greenPercent: number;
    evaluations: number;
    failures: number;
    inconclusiveStreak: number;
    lastVerdict: string | null;
  } | null;
  weights: RunState['expected'] | null;
  lastEvaluation: {
    verdict: string;
    reason: string;
    window: { start: string; end: string } | null;
    overall: {
      check: string;
      verdict: string;
      value: number | null;
      limit: number | null;
      sampleSize: number;
    }[];
  } | null;
  decision: RunState['decision'];
  /** For an ABORTED execution: what on-execution-end does, worded as `abort` words it (one function). */
  onExecutionEnd: ReturnType<typeof whatOnEndDoes> | null;
  outcome: RunState['outcome'];
  /** Operator control from the registry entry (core/control.ts); read only for a migrationId handle. */
  control?: ControlState | null;
}

export function statusView(
  description: ExecutionDescription,
  state: RunState | null
): ExecutionStatusView {
  const input = description.input as { migrationId?: string; resume?: RunState } | null;
  return {
    executionArn: description.executionArn,
    name: description.name,
    status: description.status,
    startDate: description.startDate,
    stopDate: description.stopDate,
    error: description.error,
    cause: description.cause,
    migrationId:
      state?.input.migrationId ?? input?.migrationId ?? input?.resume?.input.migrationId ?? null,
    consoleUrl: consoleUrl(description.executionArn),
    progress:
      state === null
        ? null
        : {
            stepIndex: state.status.stepIndex,
            stepsDone: Math.max(
              0,
              state.status.stepIndex + (state.outcome?.result === 'completed' ? 1 : 0)
            ),
            steps: state.steps,
            greenPercent: state.status.greenPercent,
            evaluations: state.status.evaluations,
            failures: state.status.failures,
            inconclusiveStreak: state.status.inconclusiveStreak,
            lastVerdict: state.status.lastVerdict,
          },
    weights: state?.expected ?? null,
    lastEvaluation: state?.evaluation
      ? {
          verdict: state.evaluation.verdict,
          reason: state.evaluation.reason,
          window: state.evaluation.window,
          overall: state.evaluation.assessments
            .filter((assessment) => assessment.scope === 'overall')
            .map(({ check, verdict, value, limit, sampleSize }) => ({
              check,
              verdict,
              value,
              limit,
              sampleSize,
            })),
        }
      : null,
    decision: state?.decision ?? null,
    onExecutionEnd:
      description.status === 'ABORTED'
        ? whatOnEndDoes(description.error === KEEP_WEIGHTS_ERROR, state)
        : null,
    outcome: state?.outcome ?? null,
  };
}

const CHECK_TEXT: Record<string, (value: number) => string> = {
  errorRate: (value) => `error rate ${value.toFixed(2)}%`,
  baselineErrorRate: (value) => `error rate vs blue ${value.toFixed(2)}%`,
  latencyAvg: (value) => `latency avg ${trimNumber(value, 1)} ms`,
  baselineLatencyAvg: (value) => `latency avg vs blue ${trimNumber(value, 1)} ms`,
  latencyMax: (value) => `latency max ${trimNumber(value, 1)} ms`,
  latencyP99: (value) => `latency p99 ${trimNumber(value, 1)} ms`,
};

export function renderStatus(view: ExecutionStatusView, now: Date, color = false): string {
  const paint = (text: string, code: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const statusColor = view.status === 'RUNNING' ? '36' : view.status === 'SUCCEEDED' ? '32' : '31';
  const since = formatDuration(now.getTime() - Date.parse(view.startDate));
  const lines = [
    `${paint(view.status, `1;${statusColor}`)}  ${view.migrationId ?? view.name}  ${paint(`(started ${view.startDate}, ${since} ago)`, '2')}`,
    `  execution  ${view.executionArn}`,
  ];
  if (view.status !== 'RUNNING') {
    lines.push(
      `  ended      ${view.stopDate ?? '?'}${view.error ? `  ${view.error}${view.cause ? `: ${view.cause}` : ''}` : ''}`
    );
    if (view.onExecutionEnd !== null) lines.push(`  on-end     ${view.onExecutionEnd.text}`);
  }
  const progress = view.progress;
  if (progress === null) {
    lines.push('  progress   no task has reported yet (preflight pending or failed)');
  } else {
    const path = progress.steps
      .map((step, index) => {
        const text = `${step}%`;
        if (index < progress.stepIndex) return paint(`${text} ✓`, '32');
        if (index === progress.stepIndex) return paint(`[${text}]`, '1');
        return paint(text, '2');
      })
      .join(' → ');
    lines.push(
      `  progress   ${bar(progress.stepIndex + 1, progress.steps.length)} step ${progress.stepIndex + 1} of ${progress.steps.length} · ${progress.greenPercent}% green`,
      `             ${path}`,
      `  evaluated  ${progress.evaluations} time(s), ${progress.failures} Fail, inconclusive streak ${progress.inconclusiveStreak}`
    );
  }
  for (const [index, pair] of (view.weights ?? []).entries()) {
    lines.push(
      `  ${index === 0 ? 'weights   ' : '          '} ${pair.name} ${pair.type}  blue ${pair.blueWeight}  green ${pair.greenWeight}`
    );
  }
  const last = view.lastEvaluation;
  if (last !== null) {
    const numbers = last.overall
      .filter((assessment) => assessment.value !== null)
      .map((assessment) => {
        const text =
          CHECK_TEXT[assessment.check]?.(assessment.value as number) ??
          `${assessment.check} ${assessment.value}`;
        const limit =
          assessment.limit === null ? '' : ` (limit ${trimNumber(assessment.limit, 2)})`;
        return `${text}${limit} over ${assessment.sampleSize.toLocaleString('en-US')}`;
      });
    const verdictColor = last.verdict === 'Pass' ? '32' : last.verdict === 'Fail' ? '31' : '33';
    lines.push(
      `  last       ${paint(last.verdict, `1;${verdictColor}`)}${last.window ? paint(`  window ${last.window.start} – ${last.window.end}`, '2') : ''}`
    );
    for (const number of numbers) lines.push(`             ${number}`);
    lines.push(`             ${last.reason}`);
  }
  if (view.decision) lines.push(`  decision   ${view.decision.action}: ${view.decision.reason}`);
  if (view.outcome) lines.push(`  outcome    ${view.outcome.result}: ${view.outcome.reason}`);
  lines.push(...controlLines(view.control ?? null));
  lines.push(`  console    ${view.consoleUrl}`);
  return `${lines.join('\n')}\n`;
}

/** The stored operator requests and the latest lines of the audit trail. */
export function controlLines(control: ControlState | null): string[] {
  if (control === null) return [];
  const lines: string[] = [];
  const why = (reason?: string) => (reason === undefined ? '' : ` (${reason})`);
  if (control.pause !== null)
    lines.push(
      `  control    paused by ${control.pause.by}${why(control.pause.reason)} until ${control.pause.until}, then ${control.pause.onTimeout}`
    );
  if (control.promote !== null)
    lines.push(
      `  control    promote${control.promote.full ? ' --full' : ''} by ${control.promote.by}${why(control.promote.reason)}`
    );
  for (const line of control.audit.slice(-5))
    lines.push(`  audit      ${line.at} ${line.by} ${line.action}${why(line.reason)}`);
  return lines;
}

/** Exit code of a finished execution, as run-local would give it. */
export function exitCodeOf(view: ExecutionStatusView): number {
  if (view.status === 'SUCCEEDED') return ExitCode.Completed;
  if (view.status === 'ABORTED') return ExitCode.Aborted;
  if (view.error === 'RolledBack') return ExitCode.RolledBack;
  if (view.error === 'StoppedOnDrift') return ExitCode.StoppedOnDrift;
  return ExitCode.Error;
}

export async function status(options: StatusOptions): Promise<number> {
  const handle = options.executionArn;
  const region =
    options.region ??
    (isArnHandle(handle) ? regionOfArn(handle) : undefined) ??
    (options.control === undefined ? await regionOf(sfnClient()) : 'us-east-1');
  const control = options.control ?? new StepFunctionsControl(sfnClient(region));
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const table = () =>
    registryTable({
      region,
      ...(options.registryTable === undefined ? {} : { registryTable: options.registryTable }),
    });
  let generation = await resolveExecution(handle, {
    control,
    registry: () => table().registry,
    where: `the registry table ${options.registryTable ?? 'traffic-shift-migrations'}`,
  });
  const color = !options.json && options.write === undefined && useColor(process.stdout);
  let shown = generation.executionArn;
  // A migrationId names the registry entry: show its operator control too (an ARN alone does not need the table).
  const controlOf = async () =>
    isArnHandle(handle) ? undefined : ((await table().registry.get(handle))?.control ?? null);
  for (;;) {
    const operator = await controlOf();
    const view = {
      ...statusView(generation.description, generation.state),
      ...(operator === undefined ? {} : { control: operator }),
    };
    if (options.json) {
      // With --watch, one JSON document per line per poll.
      write(`${JSON.stringify(view, null, options.watch === undefined ? 2 : undefined)}\n`);
    } else {
      if (options.watch !== undefined && color) write('\u001b[2J\u001b[H');
      else if (options.watch !== undefined) write(`--- ${new Date().toISOString()}\n`);
      if (generation.executionArn !== shown || generation.followed.length > 0)
        write(`  followed   continuation(s) to ${generation.executionArn}\n`);
      write(renderStatus(view, new Date(), color));
    }
    shown = generation.executionArn;
    if (options.watch === undefined) return 0;
    // A continuation is no end: the run goes on in the successor (visible shortly, if not yet).
    if (view.status !== 'RUNNING' && generation.successorPending === null) return exitCodeOf(view);
    await sleep(options.watch * 1_000);
    generation = await currentGeneration(control, generation.executionArn);
  }
}
