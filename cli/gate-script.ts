/**
 * The rehearsal's operator at an approval gate: a scripted answer is given at the first gate check at least
 * `afterSeconds` (virtual) after the gate opened, through the same path as `traffic-shift approve` (registry
 * first, then the waiting token). A gate without a scripted answer is left to its timeout.
 */
import type { MigrationRegistry } from '../functions/core/registry.ts';
import type { Clock } from '../functions/core/state.ts';
import { answerGate } from './gate-answer.ts';
import type { GateWaitContext, LocalEngine } from './local-engine.ts';
import type { ScriptedGateAnswer } from './scenarios.ts';

export interface GateScriptOptions {
  answers: readonly ScriptedGateAnswer[];
  engine: () => Pick<LocalEngine, 'taskTokens'> & { migrations: MigrationRegistry };
  clock: Clock;
  /** Progress lines (gate opened, answered). */
  say?: (message: string, at: string) => void;
}

export function scriptedGateAnswers(options: GateScriptOptions) {
  const announced = new Set<number>();
  return async (context: GateWaitContext): Promise<void> => {
    const engine = options.engine();
    const entry = await engine.migrations.get(context.migrationId);
    const gate = entry?.gate;
    if (gate === undefined || gate.closedAt !== null || gate.answer !== null) return;
    const now = options.clock.now();
    if (!announced.has(gate.step)) {
      announced.add(gate.step);
      options.say?.(
        `approval gate before ${gate.step}%: waiting until ${gate.timeoutAt} (then ${gate.defaultAction}); judging goes on`,
        now.toISOString()
      );
    }
    const scripted = options.answers.find((answer) => answer.step === context.step);
    if (scripted === undefined) return;
    if (now.getTime() - Date.parse(gate.openedAt) < scripted.afterSeconds * 1_000) return;
    const outcome = await answerGate({
      registry: engine.migrations,
      tokens: engine.taskTokens,
      migrationId: context.migrationId,
      action: scripted.action,
      by: scripted.by,
      reason: scripted.reason,
      now,
    });
    options.say?.(outcome.message, now.toISOString());
  };
}
