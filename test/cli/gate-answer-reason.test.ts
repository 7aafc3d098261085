/**
 * A gate answer's reason travels into the execution: SendTaskSuccess's output lands at `$.gateResult` in the run
 * state, which Preflight sized to leave only 64 KiB of the 256 KiB payload limit for growth; past the limit the
 * run ends States.DataLimitExceeded, which no Catch sees (aws-facts §4.3), so a pasted log as `--reason` would
 * turn an approval into an unplanned rollback. It is also stored twice in the registry item (answer and audit,
 * 400 KB item limit). Refused before anything is written, naming the option and the rule.
 */
import { describe, expect, it } from 'vitest';
import { answerGate, MAX_GATE_REASON_CHARS } from '../../cli/gate-answer.ts';
import { ExitCode } from '../../cli/run-report.ts';
import { RecordedTokens, registryWithOpenGate } from '../support/gate-world.ts';

function world() {
  return { registry: registryWithOpenGate(), tokens: new RecordedTokens() };
}

const answer = (w: ReturnType<typeof world>, action: 'approve' | 'reject', reason: string) =>
  answerGate({
    registry: w.registry,
    tokens: w.tokens,
    migrationId: 'orders',
    action,
    by: 'ana',
    reason,
    now: new Date('2026-01-01T10:30:00.000Z'),
  });

describe('the reason of a gate answer', () => {
  it.each(['approve', 'reject'] as const)(
    '%s: refuses a reason over the limit (exit 4), before any write',
    async (action) => {
      const w = world();

      await expect(answer(w, action, 'x'.repeat(70_000))).rejects.toMatchObject({
        exitCode: ExitCode.InvalidInput,
        message: expect.stringMatching(
          new RegExp(`--reason: 70000 characters; must be at most ${MAX_GATE_REASON_CHARS}`)
        ),
      });
      expect(w.tokens.sent).toEqual([]);
      expect(w.registry.entries.get('orders')?.version).toBe(3);
    }
  );

  it('takes a reason at the limit', async () => {
    const w = world();

    await answer(w, 'approve', 'y'.repeat(MAX_GATE_REASON_CHARS));

    expect(w.tokens.sent.map((sent) => sent.token)).toEqual(['live-token']);
    expect(w.registry.entries.get('orders')?.gate?.answer?.reason).toHaveLength(
      MAX_GATE_REASON_CHARS
    );
  });
});
