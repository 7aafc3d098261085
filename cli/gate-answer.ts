/**
 * Answering an approval gate (approve/reject), shared by the CLI commands, the run-local prompt and the
 * rehearsal's script. The answer and who gave it are written to the migration's registry entry first
 * (`gate.answer`, and a line in `control.audit`), conditional on the entry's version; then the newest task
 * token is answered (SendTaskSuccess, or SendTaskFailure `GateRejectedError`). A token whose wait just ended is no
 * loss: WaitForApproval's next wait finds the stored answer and answers its own token.
 */
import { GateTokenClosedError } from '../functions/adapters/step-functions-task-tokens.ts';
import { emptyControl } from '../functions/core/control.ts';
import { RegistryConflictError } from '../functions/core/errors.ts';
import { type GateAnswer, resolveGate, type TaskTokens } from '../functions/core/gates.ts';
import {
  type MigrationEntry,
  type MigrationRegistry,
  UNFINISHED_PHASES,
} from '../functions/core/registry.ts';
import { CliError, ExitCode } from './commands/common.ts';

export interface GateAnswerRequest {
  registry: MigrationRegistry;
  /** Null when the run's tokens cannot be reached from here (a local run in another process). */
  tokens: TaskTokens | null;
  migrationId: string;
  action: 'approve' | 'reject';
  by: string;
  reason?: string;
  now: Date;
  /**
   * Whether `now` is on the run's clock (deployed: the wall clock; a local run in this process: its virtual
   * clock), so a late approve can be refused. Another process's wall clock says nothing about a local run's
   * virtual deadline (the rehearsal's starts hours in the past). Default true.
   */
  nowIsRunClock?: boolean;
}

export interface GateAnswerOutcome {
  migrationId: string;
  executionArn: string;
  step: number;
  action: 'approve' | 'reject';
  by: string;
  /** `sent`: the waiting task got it now; `stored`: the gate's next wait (within one interval) takes it. */
  delivery: 'sent' | 'stored';
  message: string;
}

const WRITE_ATTEMPTS = 5;
/**
 * The reason goes into the run state (SendTaskSuccess output at `$.gateResult`: Preflight leaves 64 KiB of the
 * 256 KiB payload for growth, and States.DataLimitExceeded escapes every Catch) and twice into the registry item
 * (answer and audit; 400 KB per item): a sentence, not a log.
 */
export const MAX_GATE_REASON_CHARS = 1_000;

/**
 * The entry's open gate, or a CliError with the exit code that says why there is none. With `answer`, an
 * approve given at or after the deadline is refused: the gate's handler takes the default action only at its
 * next wait, and a late approve on the still-open token would override onTimeout. A late reject is taken
 * (rolling back is always allowed).
 */
export function openGateOf(
  entry: MigrationEntry | null,
  migrationId: string,
  answer?: { action: 'approve' | 'reject'; now: Date }
) {
  if (entry === null)
    throw new CliError(
      `no migration ${migrationId} in the registry: check the id (the input's migrationId) and --registry-table`,
      ExitCode.UnknownMigration
    );
  if (!UNFINISHED_PHASES.includes(entry.phase))
    throw new CliError(
      `migration ${migrationId} is ${entry.phase}${entry.reason ? ` (${entry.reason})` : ''}: there is no gate to answer`,
      ExitCode.MigrationFinished
    );
  const gate = entry.gate;
  if (gate === undefined || gate.closedAt !== null)
    throw new CliError(
      `migration ${migrationId} is not waiting at an approval gate${gate ? ` (the gate before ${gate.step}% closed at ${gate.closedAt})` : ''}`,
      ExitCode.NoOpenGate
    );
  if (gate.answer !== null)
    throw new CliError(
      `the gate before ${gate.step}% of ${migrationId} is already answered: ${gate.answer.action} by ${gate.answer.by} at ${gate.answer.at}`,
      ExitCode.NoOpenGate
    );
  if (answer?.action === 'approve' && answer.now.getTime() >= Date.parse(gate.timeoutAt))
    throw new CliError(
      `the gate before ${gate.step}% of ${migrationId} timed out at ${gate.timeoutAt}: its default action ${gate.defaultAction} is taken at the gate's next check; an approve can no longer change it`,
      ExitCode.NoOpenGate
    );
  return gate;
}

export async function answerGate(request: GateAnswerRequest): Promise<GateAnswerOutcome> {
  const { registry, migrationId, action, by, now } = request;
  const reasonChars = request.reason?.length ?? 0;
  if (reasonChars > MAX_GATE_REASON_CHARS)
    throw new CliError(
      `--reason: ${reasonChars} characters; must be at most ${MAX_GATE_REASON_CHARS} (it travels in the run state and the registry item): link to longer notes instead`,
      ExitCode.InvalidInput
    );
  for (let attempt = 1; ; attempt++) {
    const entry = await registry.get(migrationId);
    const gate = openGateOf(
      entry,
      migrationId,
      request.nowIsRunClock === false ? undefined : { action, now }
    );
    const current = entry as MigrationEntry;
    const answer: GateAnswer = {
      action,
      by,
      at: now.toISOString(),
      ...(request.reason ? { reason: request.reason } : {}),
    };
    const control = current.control ?? emptyControl();
    const line = {
      at: answer.at,
      by,
      action,
      step: gate.step,
      ...(request.reason ? { reason: request.reason } : {}),
    };
    try {
      await registry.update(
        migrationId,
        { version: current.version, executionArn: current.executionArn },
        {
          gate: { ...gate, answer },
          // A new revision: the registry compares it, so a pause or promote stored meanwhile is kept.
          control: { ...control, revision: control.revision + 1, audit: [...control.audit, line] },
        }
      );
    } catch (error) {
      // The gate's wait stored a newer token (or closed the gate) meanwhile: read again.
      if (error instanceof RegistryConflictError && attempt < WRITE_ATTEMPTS) continue;
      throw error;
    }
    const resolution = resolveGate({ ...gate, answer }, now);
    // A pause holds the weights (core/control.ts): an approval waits for the resume, stored for the gate's next
    // check (a rejection rolls back at once, as ever).
    const paused =
      action === 'approve' &&
      control.pause !== null &&
      Date.parse(control.pause.until) > now.getTime();
    const { delivery, notSent }: { delivery: 'sent' | 'stored'; notSent?: string } = paused
      ? { delivery: 'stored' }
      : await deliver(request.tokens, gate.taskToken, resolution);
    const verb = action === 'approve' ? 'approved' : 'rejected';
    const effect = action === 'approve' ? `the run shifts to ${gate.step}%` : 'the run rolls back';
    return {
      migrationId,
      executionArn: current.executionArn,
      step: gate.step,
      action,
      by,
      delivery,
      message:
        delivery === 'sent'
          ? `gate before ${gate.step}% ${verb} by ${by}: ${effect}`
          : paused
            ? `gate before ${gate.step}% ${verb} by ${by} (recorded in the registry): the run is paused by ${control.pause?.by} until ${control.pause?.until}; ${effect} at the gate's first check after the resume`
            : `gate before ${gate.step}% ${verb} by ${by} (recorded in the registry${notSent ? `; the waiting task could not be answered now: ${notSent}` : ''}): ${effect} at the gate's next check, within one evaluation interval`,
    };
  }
}

async function deliver(
  tokens: TaskTokens | null,
  taskToken: string | null,
  resolution: ReturnType<typeof resolveGate>
): Promise<{ delivery: 'sent' | 'stored'; notSent?: string }> {
  if (tokens === null || taskToken === null) return { delivery: 'stored' };
  try {
    if (resolution.kind === 'continue') await tokens.succeed(taskToken, resolution.result);
    if (resolution.kind === 'rollback')
      await tokens.fail(taskToken, resolution.error, resolution.cause);
    return { delivery: 'sent' };
  } catch (error) {
    if (error instanceof GateTokenClosedError) return { delivery: 'stored' };
    // The answer is already in the registry and the gate's next wait takes it: failing here (e.g. no
    // states:SendTaskSuccess, Step Functions busy) would tell the operator it was not given.
    return { delivery: 'stored', notSent: (error as Error).message };
  }
}
