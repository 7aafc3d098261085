/**
 * run-local at an approval gate: asks once per gate on the terminal (only when stdin is a TTY) and answers
 * through the same path as `traffic-shift approve/reject` (registry first, then the waiting token). The
 * question stays open while the run keeps judging; `approve`/`reject` from another terminal works too.
 */
import { createInterface, type Interface } from 'node:readline/promises';
import type { MigrationRegistry } from '../functions/core/registry.ts';
import type { Clock } from '../functions/core/state.ts';
import { localIdentity } from './caller-identity.ts';
import { answerGate } from './gate-answer.ts';
import type { GateWaitContext, LocalEngine } from './local-engine.ts';

export interface GatePromptOptions {
  engine: () => Pick<LocalEngine, 'taskTokens'> & { migrations: MigrationRegistry };
  clock: Clock;
  say: (text: string) => void;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream;
}

/** Parses an answer typed at the prompt. */
export function parseAnswer(text: string): 'approve' | 'reject' | null {
  const word = text.trim().toLowerCase();
  if (word === 'a' || word === 'approve') return 'approve';
  if (word === 'r' || word === 'reject') return 'reject';
  return null;
}

export function gatePrompt(options: GatePromptOptions) {
  const input = options.input ?? process.stdin;
  const asked = new Set<string>();
  const open = new Set<Interface>();
  const onGateWaiting = (context: GateWaitContext): void => {
    if (input.isTTY !== true) return;
    const key = `${context.migrationId}:${context.step}`;
    if (asked.has(key)) return;
    asked.add(key);
    const prompt = createInterface({ input, output: options.output ?? process.stderr });
    open.add(prompt);
    void (async () => {
      try {
        const action = parseAnswer(
          await prompt.question(
            `approval gate before ${context.step}% of ${context.migrationId}: approve or reject? [a/r] `
          )
        );
        if (action === null) {
          options.say(
            `not answered here: use traffic-shift approve/reject ${context.migrationId} (judging goes on)`
          );
          return;
        }
        const reason = (await prompt.question('reason (optional): ')).trim();
        const outcome = await answerGate({
          registry: options.engine().migrations,
          tokens: options.engine().taskTokens,
          migrationId: context.migrationId,
          action,
          by: localIdentity(),
          ...(reason ? { reason } : {}),
          now: options.clock.now(),
        });
        options.say(outcome.message);
      } catch (error) {
        // Closed at the end of the run, or the gate closed meanwhile (timeout, rollback).
        if ((error as Error).name !== 'AbortError') options.say((error as Error).message);
      } finally {
        prompt.close();
        open.delete(prompt);
      }
    })();
  };
  return {
    onGateWaiting,
    dispose: () => {
      for (const prompt of open) prompt.close();
    },
  };
}
