/**
 * Task tokens for the local engine. aws-local-stepfunctions 3.0.0 has no callback pattern: it ignores a
 * Task's Resource when a local handler is bound (so `.waitForTaskToken` is just a name to it), arms a
 * real-time timer for TimeoutSeconds(Path) and rejects with `States.Timeout`, and resolves `$$.Task.Token`
 * from the fixed context object. So the engine plays Step Functions' part itself: it gives every wait a
 * fresh token, runs the real WaitForApproval handler with it, and waits for `succeed`/`fail` (the
 * SendTaskSuccess/SendTaskFailure of this process: the rehearsal's script, the terminal prompt) or the wait's
 * timeout on the virtual clock. An answer from another process (`traffic-shift approve` against the same
 * registry) lands in the registry, and the next wait takes it.
 */
import { randomUUID } from 'node:crypto';
import { GateTokenClosedError } from '../functions/adapters/step-functions-task-tokens.ts';
import type { GateResult, TaskTokens } from '../functions/core/gates.ts';

type Answer = { ok: true; output: GateResult } | { ok: false; error: string; cause: string };

/** What the interpreter's own timeout raises; the ASL's Catch matches the name. */
export function statesTimeout(): Error {
  const error = new Error('the task timed out waiting for its token');
  error.name = 'States.Timeout';
  return error;
}

/** The error SendTaskFailure's `error`/`cause` become in the execution (Catch matches the name). */
export function taskFailure(error: string, cause: string): Error {
  const failure = new Error(cause);
  failure.name = error;
  return failure;
}

export class LocalTaskTokens implements TaskTokens {
  readonly #open = new Map<string, (answer: Answer) => void>();

  /** A fresh token and the promise its answer resolves. */
  issue(): { token: string; answered: Promise<Answer>; close: () => void } {
    const token = `local-task-token-${randomUUID()}`;
    let resolve: (answer: Answer) => void = () => {};
    const answered = new Promise<Answer>((done) => {
      resolve = done;
    });
    this.#open.set(token, resolve);
    return { token, answered, close: () => this.#open.delete(token) };
  }

  /** Whether a wait holds this token now. */
  isOpen(token: string): boolean {
    return this.#open.has(token);
  }

  async succeed(taskToken: string, output: GateResult): Promise<void> {
    this.#take(taskToken)({ ok: true, output });
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    this.#take(taskToken)({ ok: false, error, cause });
  }

  #take(token: string): (answer: Answer) => void {
    const resolve = this.#open.get(token);
    // Step Functions answers TaskTimedOut / TaskDoesNotExist / InvalidToken here.
    if (resolve === undefined)
      throw new GateTokenClosedError(`task token ${token}: the wait for this token is over`);
    this.#open.delete(token);
    return resolve;
  }
}

/** Turns an answer into the task's result or its failure. */
export function settle(answer: Answer): GateResult {
  if (answer.ok) return answer.output;
  throw taskFailure(answer.error, answer.cause);
}

export type { Answer as TaskAnswer };
