/**
 * run-local's terminal prompt at a gate, with a stream that says it is a TTY: the typed answer goes the same way
 * as `traffic-shift approve` (registry first, then the waiting token of this process's engine).
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { gatePrompt, parseAnswer } from '../../cli/gate-prompt.ts';
import { LocalTaskTokens } from '../../cli/local-task-tokens.ts';
import { MigrationPhase } from '../../functions/core/registry.ts';
import { FakeClock, FakeRegistry } from '../support/fake-ports.ts';
import { registryEntry } from '../support/registry-entry.ts';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:traffic-shift:orders';

function setup(isTTY: boolean) {
  const registry = new FakeRegistry();
  const taskTokens = new LocalTaskTokens();
  const { token, answered } = taskTokens.issue();
  registry.entries.set(
    'orders',
    registryEntry('orders', ARN, 'Z1', {
      phase: MigrationPhase.Running,
      gate: {
        step: 50,
        openedAt: '2026-01-01T00:00:00.000Z',
        timeoutAt: '2026-01-02T00:00:00.000Z',
        defaultAction: 'rollback',
        taskToken: token,
        executionArn: ARN,
        answer: null,
        closedAt: null,
      },
    })
  );
  const input = Object.assign(new PassThrough(), { isTTY });
  const said: string[] = [];
  const prompt = gatePrompt({
    engine: () => ({ migrations: registry, taskTokens }),
    clock: new FakeClock('2026-01-01T00:05:00.000Z'),
    say: (text) => said.push(text),
    input,
    output: new PassThrough(),
  });
  const context = {
    executionArn: ARN,
    migrationId: 'orders',
    step: 50,
    taskToken: token,
    waitSeconds: 60,
  };
  return { registry, answered, input, said, prompt, context };
}

describe('run-local gate prompt', () => {
  it('answers the waiting token with what is typed, and records it in the registry', async () => {
    // Prepare
    const { registry, answered, input, said, prompt, context } = setup(true);

    // Act
    prompt.onGateWaiting(context);
    prompt.onGateWaiting(context); // asked once per gate
    input.write('a\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    input.write('smoke tests green\n');
    const answer = await answered;

    // Assess
    expect(answer).toEqual({
      ok: true,
      output: {
        step: 50,
        action: 'approve',
        by: expect.stringMatching(/@/),
        reason: expect.stringMatching(/^gate before 50% approved by .+: smoke tests green$/),
      },
    });
    expect(registry.entries.get('orders')?.gate?.answer).toMatchObject({
      action: 'approve',
      reason: 'smoke tests green',
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(said).toEqual([
      expect.stringMatching(/^gate before 50% approved by .+: the run shifts to 50%$/),
    ]);
    prompt.dispose();
  });

  it('asks nothing without a terminal', async () => {
    const { registry, input, prompt, context } = setup(false);
    prompt.onGateWaiting(context);
    input.write('a\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    input.write('typed into a pipe\n');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(registry.entries.get('orders')?.gate?.answer).toBeNull();
    prompt.dispose();
  });

  it.each([
    ['a', 'approve'],
    [' Approve ', 'approve'],
    ['r', 'reject'],
    ['reject', 'reject'],
    ['yes', null],
  ] as const)('reads %j as %s', (typed, expected) => {
    expect(parseAnswer(typed)).toBe(expected);
  });
});
