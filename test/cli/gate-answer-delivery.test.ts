/**
 * The answer is written to the registry before the waiting task is answered, so a SendTaskSuccess/Failure that
 * Step Functions refuses for another reason than a closed token (no states:SendTaskSuccess, throttled beyond the
 * SDK's retries) does not undo it: the gate's next wait takes it. The command must say so, not fail as if the
 * answer had not been given (a retry is then refused as "already answered").
 */
import { describe, expect, it } from 'vitest';
import { answerGate } from '../../cli/gate-answer.ts';
import { StepFunctionsRejectedError } from '../../functions/core/errors.ts';
import type { TaskTokens } from '../../functions/core/gates.ts';
import { registryWithOpenGate } from '../support/gate-world.ts';

const refused: TaskTokens = {
  succeed: async () => {
    throw new StepFunctionsRejectedError('SendTaskSuccess: AccessDeniedException: not authorized');
  },
  fail: async () => {
    throw new StepFunctionsRejectedError('SendTaskFailure: AccessDeniedException: not authorized');
  },
};

describe('answering a gate when Step Functions refuses the token call', () => {
  it.each(['approve', 'reject'] as const)(
    '%s: reports the answer as recorded (taken at the next check) and why the task was not answered now',
    async (action) => {
      const registry = registryWithOpenGate();

      const outcome = await answerGate({
        registry,
        tokens: refused,
        migrationId: 'orders',
        action,
        by: 'ana',
        now: new Date('2026-01-01T10:30:00.000Z'),
      });

      expect(outcome.delivery).toBe('stored');
      expect(outcome.message).toMatch(
        /recorded in the registry; .*AccessDeniedException.*next check/
      );
      expect(registry.entries.get('orders')?.gate?.answer).toMatchObject({ action, by: 'ana' });
    }
  );
});
