import { describe, expect, it } from 'vitest';
import { GateTokenClosedError } from '../../../functions/adapters/step-functions-task-tokens.ts';
import { RegistryConflictError } from '../../../functions/core/errors.ts';
import type { GateResult, TaskTokens } from '../../../functions/core/gates.ts';
import { MigrationPhase } from '../../../functions/core/registry.ts';
import { newRunState } from '../../../functions/core/run.ts';
import { Action } from '../../../functions/core/types.ts';
import {
  type WaitForApprovalEvent,
  waitForApproval,
} from '../../../functions/handlers/wait-for-approval.ts';
import { FakeClock, FakeNotifier, FakeRegistry } from '../../support/fake-ports.ts';
import { registryEntry } from '../../support/registry-entry.ts';
import { inputWith, pairWith } from '../core/fixtures.ts';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:traffic-shift:orders';

class RecordedTokens implements TaskTokens {
  answers: { token: string; ok: boolean; detail: unknown }[] = [];
  closed = false;
  async succeed(taskToken: string, output: GateResult): Promise<void> {
    if (this.closed) throw new GateTokenClosedError('TaskTimedOut');
    this.answers.push({ token: taskToken, ok: true, detail: output });
  }
  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    if (this.closed) throw new GateTokenClosedError('TaskTimedOut');
    this.answers.push({ token: taskToken, ok: false, detail: { error, cause } });
  }
}

function world(onTimeout: 'rollback' | 'continue' = 'rollback') {
  const clock = new FakeClock('2026-01-01T10:00:00.000Z');
  const registry = new FakeRegistry();
  registry.entries.set(
    'orders',
    registryEntry('orders', ARN, 'Z1', { phase: MigrationPhase.Running, version: 3 })
  );
  const tokens = new RecordedTokens();
  const notifier = new FakeNotifier();
  const input = inputWith({
    plan: { steps: [10, 50, 100], gates: { beforeSteps: [50], timeoutSeconds: 3_600, onTimeout } },
  });
  const state = newRunState(
    input,
    {
      executionArn: ARN,
      executionName: 'orders',
      stateMachineArn: 'arn:sm',
      startedAt: '2026-01-01T00:00:00.000Z',
      generation: 1,
      continuedFrom: null,
    },
    [pairWith({ blue: 100, green: 0 })]
  );
  const event = (taskToken: string): WaitForApprovalEvent => ({
    input: state.input,
    run: state.run,
    status: { ...state.status, greenPercent: 10 },
    decision: { action: Action.Gate, nextGreenPercent: 50, reason: 'gate' },
    taskToken,
  });
  const deps = { registry, clock, tokens, notifier };
  return { clock, registry, tokens, notifier, event, deps };
}

describe('Handler: WaitForApproval', () => {
  it('opens the gate with its deadline and token, announces it once, and leaves the token to the operator', async () => {
    // Prepare
    const { registry, tokens, notifier, event, deps, clock } = world();

    // Act
    await waitForApproval(event('t1'), deps);
    clock.advance(60);
    await waitForApproval(event('t2'), deps);

    // Assess
    expect(registry.entries.get('orders')?.gate).toEqual({
      step: 50,
      openedAt: '2026-01-01T10:00:00.000Z',
      timeoutAt: '2026-01-01T11:00:00.000Z',
      defaultAction: 'rollback',
      taskToken: 't2',
      executionArn: ARN,
      answer: null,
      closedAt: null,
    });
    expect(tokens.answers).toEqual([]);
    expect(notifier.events).toHaveLength(1);
    expect(notifier.events[0]).toMatchObject({
      type: 'GateWaiting',
      migrationId: 'orders',
      greenPercent: 10,
      gate: {
        step: 50,
        timeoutAt: '2026-01-01T11:00:00.000Z',
        defaultAction: 'rollback',
        approve: 'traffic-shift approve orders --reason "…"',
        reject: 'traffic-shift reject orders --reason "…"',
      },
    });
  });

  it('answers its own token with an answer stored between two waits, and closes the gate', async () => {
    // Prepare
    const { registry, tokens, event, deps, clock } = world();
    await waitForApproval(event('t1'), deps);
    const entry = registry.entries.get('orders')!;
    const answer = { action: 'approve' as const, by: 'ana', at: '2026-01-01T10:00:30.000Z' };
    registry.entries.set('orders', { ...entry, gate: { ...entry.gate!, answer } });
    clock.advance(60);

    // Act
    const result = await waitForApproval(event('t2'), deps);

    // Assess
    expect(result).toEqual({ step: 50, resolution: 'continue' });
    expect(tokens.answers).toEqual([
      {
        token: 't2',
        ok: true,
        detail: {
          step: 50,
          action: 'approve',
          by: 'ana',
          reason: 'gate before 50% approved by ana',
        },
      },
    ]);
    expect(registry.entries.get('orders')?.gate).toMatchObject({
      taskToken: null,
      closedAt: '2026-01-01T10:01:00.000Z',
    });
  });

  it('a pause stored since the evaluation holds a stored approval: the token is left to time out, the gate stays open', async () => {
    // Prepare
    const { registry, tokens, event, deps, clock } = world();
    await waitForApproval(event('t1'), deps);
    const entry = registry.entries.get('orders')!;
    const answer = { action: 'approve' as const, by: 'ana', at: '2026-01-01T10:00:30.000Z' };
    const pause = {
      at: '2026-01-01T10:00:40.000Z',
      by: 'bob',
      until: '2026-01-01T12:00:00.000Z',
      onTimeout: 'rollback' as const,
    };
    registry.entries.set('orders', {
      ...entry,
      gate: { ...entry.gate!, answer },
      control: { revision: 1, pause, promote: null, audit: [] },
    });
    clock.advance(60);

    // Act
    const result = await waitForApproval(event('t2'), deps);

    // Assess
    expect(result).toEqual({ step: 50, resolution: 'wait' });
    expect(tokens.answers).toEqual([]);
    expect(registry.entries.get('orders')?.gate).toMatchObject({ answer, closedAt: null });
  });

  it.each([
    ['rollback', false, { error: 'GateTimedOutError' }],
    ['continue', true, { action: 'continue', by: 'gate-timeout' }],
  ] as const)(
    'takes the default action %s at the deadline, audited once as gate-timeout (a retried invocation answers the same)',
    async (onTimeout, ok, detail) => {
      // Prepare
      const { registry, tokens, event, deps, clock } = world(onTimeout);
      await waitForApproval(event('t1'), deps);
      clock.advance(3_600);

      // Act
      await waitForApproval(event('t2'), deps);
      await waitForApproval(event('t3'), deps);

      // Assess
      expect(tokens.answers.map((answer) => [answer.token, answer.ok])).toEqual([
        ['t2', ok],
        ['t3', ok],
      ]);
      expect(tokens.answers[0]?.detail).toMatchObject(detail);
      expect(registry.entries.get('orders')?.control?.audit).toEqual([
        {
          at: '2026-01-01T11:00:00.000Z',
          by: 'traffic-shift',
          action: 'gate-timeout',
          step: 50,
          reason: `gate before 50% unanswered since 2026-01-01T10:00:00.000Z (timeout 2026-01-01T11:00:00.000Z): default action ${onTimeout}`,
        },
      ]);
    }
  );

  it('ignores a token whose wait already ended (the next wait decides again)', async () => {
    // Prepare
    const { tokens, event, deps, clock } = world();
    await waitForApproval(event('t1'), deps);
    clock.advance(3_600);
    tokens.closed = true;

    // Act + Assess
    await expect(waitForApproval(event('t2'), deps)).resolves.toEqual({
      step: 50,
      resolution: 'rollback',
    });
  });

  it('retries a write that lost the race with an answer, and refuses an entry it does not own', async () => {
    // Prepare
    const { registry, event, deps } = world();
    const update = registry.update.bind(registry);
    let conflicts = 0;
    registry.update = async (...args) => {
      if (conflicts++ === 0) throw new RegistryConflictError('version moved on');
      return update(...args);
    };

    // Act
    await waitForApproval(event('t1'), deps);
    const entry = registry.entries.get('orders')!;
    registry.entries.set('orders', { ...entry, executionArn: `${ARN}-other` });

    // Assess
    expect(conflicts).toBe(2);
    expect(registry.entries.get('orders')?.gate?.taskToken).toBe('t1');
    await expect(waitForApproval(event('t2'), deps)).rejects.toBeInstanceOf(RegistryConflictError);
  });
});
