/**
 * WaitForApproval (`lambda:invoke.waitForTaskToken`): stores the newest task token and the gate in the
 * migration's registry entry, announces a newly opened gate (GateWaiting), and answers its own token at once
 * when the gate is already decided: an answer stored while no token was open, or the deadline passed (the
 * default action, audited as `gate-timeout`). Otherwise the task waits one evaluation interval for
 * `traffic-shift approve/reject` (SendTaskSuccess/SendTaskFailure), then times out into EvaluateMetrics.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import {
  GateTokenClosedError,
  StepFunctionsTaskTokens,
} from '../adapters/step-functions-task-tokens.ts';
import { emptyControl } from '../core/control.ts';
import { RegistryConflictError, TrafficShiftError } from '../core/errors.ts';
import {
  answerCommands,
  type GateResolution,
  type GateState,
  openGate,
  resolveGate,
  type TaskTokens,
} from '../core/gates.ts';
import type { MigrationInput } from '../core/input.ts';
import type { MigrationEntry, MigrationRegistry } from '../core/registry.ts';
import type { Clock, Notifier, RunIdentity } from '../core/state.ts';
import type { Decision, ShiftStatus } from '../core/types.ts';
import { systemClock } from '../lib/clock.ts';
import { lambda } from '../lib/middy.ts';
import { notifySafely } from '../lib/notify.ts';
import { ownedEntry, ownerOf } from '../lib/ownership.ts';
import { logger } from '../lib/powertools.ts';
import { registryFromEnv } from '../lib/registry-from-env.ts';

export interface WaitForApprovalDeps {
  registry: MigrationRegistry;
  clock: Clock;
  tokens: TaskTokens;
  notifier?: Notifier;
}

/** The task's Payload (the ASL passes only these pieces of the RunState, plus `$$.Task.Token`). */
export interface WaitForApprovalEvent {
  input: MigrationInput;
  run: RunIdentity;
  status: ShiftStatus;
  decision: Decision | null;
  taskToken: string;
}

/** Registry writes that lost a race with an answer are re-read and tried again this often. */
const WRITE_ATTEMPTS = 5;

function withAudit(entry: MigrationEntry, gate: GateState, resolution: GateResolution, now: Date) {
  // Only the deadline is audited here: an answer was audited by the command that stored it.
  if (resolution.kind === 'wait' || gate.answer !== null || gate.closedAt !== null) return {};
  const reason = resolution.kind === 'continue' ? resolution.result.reason : resolution.cause;
  const control = entry.control ?? emptyControl();
  const line = {
    at: now.toISOString(),
    by: 'traffic-shift',
    action: 'gate-timeout',
    step: gate.step,
    reason,
  };
  // A new revision: the registry compares it, so a pause or promote stored meanwhile is never overwritten.
  return {
    control: { ...control, revision: control.revision + 1, audit: [...control.audit, line] },
  };
}

export async function waitForApproval(
  event: WaitForApprovalEvent,
  deps: WaitForApprovalDeps
): Promise<{ step: number; resolution: GateResolution['kind'] }> {
  const { input, run, decision, taskToken } = event;
  const gates = input.plan.gates;
  const step = decision?.nextGreenPercent;
  if (gates === undefined || step === undefined)
    throw new TrafficShiftError(
      `WaitForApproval without a gate: plan.gates ${gates === undefined ? 'absent' : 'set'}, next step ${step ?? 'unknown'}`
    );
  const now = deps.clock.now();
  for (let attempt = 1; ; attempt++) {
    const entry = await ownedEntry(deps.registry, { input, run });
    const { gate, opened } = openGate(entry.gate, {
      step,
      now,
      gates,
      executionArn: run.executionArn,
      taskToken,
    });
    const decided = resolveGate(gate, now);
    // A pause stored since the evaluation that opened this wait holds the weights: an approval (or a continue
    // timeout) waits for the resume; a rollback never waits.
    const pause = entry.control?.pause ?? null;
    const held =
      decided.kind === 'continue' && pause !== null && now.getTime() < Date.parse(pause.until);
    const resolution: GateResolution = held ? { kind: 'wait' } : decided;
    const stored: GateState =
      resolution.kind === 'wait' || gate.closedAt !== null
        ? gate
        : { ...gate, taskToken: null, closedAt: now.toISOString() };
    try {
      await deps.registry.update(input.migrationId, ownerOf(entry), {
        gate: stored,
        ...withAudit(entry, gate, resolution, now),
      });
    } catch (error) {
      // An answer was stored between the read and this write: read it and decide again.
      if (error instanceof RegistryConflictError && attempt < WRITE_ATTEMPTS) continue;
      throw error;
    }
    logger.info('approval gate', { step, opened, resolution, timeoutAt: gate.timeoutAt });
    if (opened) {
      await notifySafely(deps.notifier, {
        type: 'GateWaiting',
        migrationId: input.migrationId,
        executionArn: run.executionArn,
        greenPercent: event.status.greenPercent,
        reason: `waiting for approval before ${step}% (until ${gate.timeoutAt}, then ${gate.defaultAction})`,
        at: now.toISOString(),
        gate: {
          step,
          timeoutAt: gate.timeoutAt,
          defaultAction: gate.defaultAction,
          ...answerCommands(input.migrationId),
        },
      });
    }
    await answerOwnToken(deps.tokens, taskToken, resolution);
    return { step, resolution: resolution.kind };
  }
}

/** A decided gate answers its own token; a token whose wait already ended is fine (the next wait decides). */
async function answerOwnToken(tokens: TaskTokens, taskToken: string, resolution: GateResolution) {
  try {
    if (resolution.kind === 'continue') await tokens.succeed(taskToken, resolution.result);
    if (resolution.kind === 'rollback')
      await tokens.fail(taskToken, resolution.error, resolution.cause);
  } catch (error) {
    if (!(error instanceof GateTokenClosedError)) throw error;
    logger.warn('gate decided but its token is closed; the next wait decides again', { error });
  }
}

export function createWaitForApprovalHandler(deps: WaitForApprovalDeps) {
  return lambda((event: WaitForApprovalEvent) => waitForApproval(event, deps));
}

export const handler = createWaitForApprovalHandler({
  registry: registryFromEnv(),
  clock: systemClock,
  tokens: new StepFunctionsTaskTokens(new SFNClient({ maxAttempts: 5 })),
  notifier: new EventBridgeNotifier(new EventBridgeClient({}), {}),
});
