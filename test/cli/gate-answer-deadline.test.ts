/**
 * An approval that comes after the gate's deadline must not override its default action: the gate's handler
 * acts only at its next wait (up to one evaluation interval later), and until then the live token would still
 * take a late `approve` and shift to the gated step although plan.gates.onTimeout said rollback. A late
 * `reject` is still taken: rolling back is always allowed (as `traffic-shift rollback` is).
 */
import { describe, expect, it } from 'vitest';
import { answerGate } from '../../cli/gate-answer.ts';
import { ExitCode } from '../../cli/run-report.ts';
import { RecordedTokens, registryWithOpenGate } from '../support/gate-world.ts';

const TIMEOUT_AT = '2026-01-01T11:00:00.000Z';

function world() {
  return { registry: registryWithOpenGate(TIMEOUT_AT), tokens: new RecordedTokens() };
}

const answer = (w: ReturnType<typeof world>, action: 'approve' | 'reject', at: string) =>
  answerGate({
    registry: w.registry,
    tokens: w.tokens,
    migrationId: 'orders',
    action,
    by: 'ana',
    now: new Date(at),
  });

describe('answering a gate after its deadline', () => {
  it('refuses a late approve (exit 10): nothing stored, no token answered; the default action stands', async () => {
    const w = world();

    await expect(answer(w, 'approve', '2026-01-01T11:00:30.000Z')).rejects.toMatchObject({
      exitCode: ExitCode.NoOpenGate,
      message: expect.stringMatching(/timed out at 2026-01-01T11:00:00.000Z.*rollback/),
    });
    expect(w.tokens.sent).toEqual([]);
    expect(w.registry.entries.get('orders')?.gate?.answer).toBeNull();
  });

  it('takes an approve before the deadline and a reject after it', async () => {
    const early = world();
    await answer(early, 'approve', '2026-01-01T10:59:59.000Z');
    expect(early.tokens.sent).toEqual([{ token: 'live-token', ok: true }]);

    const late = world();
    await answer(late, 'reject', '2026-01-01T11:30:00.000Z');
    expect(late.tokens.sent).toEqual([{ token: 'live-token', ok: false }]);
  });

  it("does not judge a local run by another process's wall clock (nowIsRunClock false: its deadline is virtual time)", async () => {
    const w = world();
    await answerGate({
      registry: w.registry,
      tokens: w.tokens,
      migrationId: 'orders',
      action: 'approve',
      by: 'ana',
      now: new Date('2026-01-01T18:00:00.000Z'),
      nowIsRunClock: false,
    });
    expect(w.registry.entries.get('orders')?.gate?.answer).toMatchObject({ action: 'approve' });
  });
});
