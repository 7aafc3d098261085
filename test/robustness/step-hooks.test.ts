/**
 * Issue 12, step hooks end to end: the real ASL (InvokeStepHook is a native lambda:invoke Task the local engine
 * answers with in-process functions bound by ARN) and the real handlers against moto's Route 53 and DynamoDB.
 * A hook is asked before each shift (beforeShift) and when a bake is over (afterBake); only a well-formed Pass
 * lets the run go on; Fail, a malformed answer, an error or RetryLater past maxAttempts roll back.
 *
 * Metrics: the in-memory SyntheticMetricSource (healthy): hooks are what is tested.
 */
import { describe, expect, it } from 'vitest';
import type { StepHookRequest } from '../../functions/core/step-hooks.ts';
import { isAtSnapshot } from '../../functions/core/weights.ts';
import {
  makeEngine,
  motoPerFile,
  SyntheticMetricSource,
  seedWorld,
  shortPlanInput,
} from '../support/robustness-kit.ts';

const moto = motoPerFile();
const SMOKE = 'arn:aws:lambda:us-east-1:123456789012:function:traffic-shift-hook-smoke';
const LOAD = 'arn:aws:lambda:us-east-1:123456789012:function:traffic-shift-hook-load';

type Hook = (request: StepHookRequest) => unknown;

async function runWithHooks(
  hooks: { beforeShift?: string; afterBake?: string; maxAttempts?: number } | undefined,
  bound: Record<string, Hook>
) {
  const world = await seedWorld(moto.endpoint);
  const calls: StepHookRequest[] = [];
  const stepHooks = Object.fromEntries(
    Object.entries(bound).map(([arn, hook]) => [
      arn,
      (request: StepHookRequest) => {
        calls.push(request);
        return hook(request);
      },
    ])
  );
  const shifts: number[] = [];
  const states: string[] = [];
  const { engine } = makeEngine({
    endpoint: moto.endpoint,
    metrics: new SyntheticMetricSource(),
    stepHooks,
    onEvent: (event) => {
      if (event.type === 'state-entered' && event.state) states.push(event.state);
      if (event.type === 'task-succeeded' && event.state === 'ShiftTraffic' && event.output)
        shifts.push(event.output.status.greenPercent);
    },
  });
  const input = shortPlanInput(world.zone.records, {
    migrationId: 'hooks',
    ...(hooks ? { hooks } : {}),
  });
  const { executionArn } = engine.start(input, 'hooks');
  const [end] = await engine.endOfChain(executionArn);
  const pairs = await world.router.readPairs(world.zone.records);
  return { end: end!, calls, shifts, states, atSnapshot: isAtSnapshot(pairs, world.snapshot) };
}

/** The states that lead from a decision to a shift or the completion: the look loop and the DNS sync loop left out. */
const LOOPS = new Set(['Bake', 'EvaluateMetrics', 'WaitForDnsSync', 'CheckDnsSync', 'IsDnsSynced']);
function pathBetweenLoops(states: readonly string[]): string[] {
  return states
    .filter((state) => !LOOPS.has(state))
    .filter((state, index, kept) => state !== 'Decide' || kept[index - 1] !== 'Decide');
}

const pass: Hook = () => ({ status: 'Pass', reason: 'smoke tests green' });

describe('Step hooks in the local engine (real ASL, native lambda:invoke bound in process)', () => {
  it('beforeShift before every shift (the first included), afterBake after every bake; Pass lets the run complete', async () => {
    // Act
    const run = await runWithHooks(
      { beforeShift: SMOKE, afterBake: LOAD },
      { [SMOKE]: pass, [LOAD]: pass }
    );

    // Assess
    expect(run.end.status).toBe('SUCCEEDED');
    expect(run.shifts).toEqual([10, 50, 100]);
    expect(run.calls.map((call) => `${call.kind}@${call.greenPercent}`)).toEqual([
      'beforeShift@0',
      'afterBake@10',
      'beforeShift@10',
      'afterBake@50',
      'beforeShift@50',
      'afterBake@100',
    ]);
    expect(run.calls[2]).toMatchObject({
      attempt: 1,
      migrationId: 'hooks',
      steps: [10, 50, 100],
      decision: { action: 'advance', nextGreenPercent: 50 },
    });
    expect(run.calls[5]?.decision?.action).toBe('complete');
  });

  it('Fail before the second shift rolls back to the snapshot, naming the hook and its answer', async () => {
    // Act
    const run = await runWithHooks(
      { beforeShift: SMOKE },
      {
        [SMOKE]: (request) =>
          request.greenPercent === 10 ? { status: 'Fail', reason: 'checkout 500s' } : pass(request),
      }
    );

    // Assess
    expect(run.shifts).toEqual([10]);
    expect(run.end.error).toBe('RolledBack');
    expect(run.end.cause).toBe(
      `StepHookFailed: beforeShift hook ${SMOKE} (attempt 1) answered {"status":"Fail","reason":"checkout 500s"}`
    );
    expect(run.atSnapshot).toBe(true);
  });

  it('RetryLater asks again: Pass at the third attempt goes on', async () => {
    // Act
    const run = await runWithHooks(
      { afterBake: LOAD, maxAttempts: 3 },
      {
        [LOAD]: (request) =>
          request.greenPercent === 10 && request.attempt < 3
            ? { status: 'RetryLater', reason: 'load test still running' }
            : pass(request),
      }
    );

    // Assess
    expect(run.end.status).toBe('SUCCEEDED');
    expect(
      run.calls.filter((call) => call.greenPercent === 10).map((call) => call.attempt)
    ).toEqual([1, 2, 3]);
  });

  it.each([
    {
      what: 'RetryLater on the last of maxAttempts answers',
      hook: (() => ({ status: 'RetryLater', reason: 'busy' })) as Hook,
      cause: /^StepHookFailed: afterBake hook .* \(attempt 3\) answered \{"status":"RetryLater"/,
    },
    {
      what: 'a Pass without a reason (malformed)',
      hook: (() => ({ status: 'Pass' })) as Hook,
      cause: /^StepHookFailed: afterBake hook .* answered \{"status":"Pass"\}$/,
    },
    {
      what: 'an answer that is not an object',
      hook: (() => 'Pass') as Hook,
      cause: /^StepHookFailed: afterBake hook .* answered "Pass"$/,
    },
    {
      what: 'a function error',
      hook: (() => {
        throw new Error('smoke runner crashed');
      }) as Hook,
      cause: /smoke runner crashed/,
    },
  ])('$what rolls back (never a pass)', async ({ hook, cause }) => {
    // Act
    const run = await runWithHooks({ afterBake: LOAD, maxAttempts: 3 }, { [LOAD]: hook });

    // Assess
    expect(run.shifts).toEqual([10]);
    expect(run.end.error).toBe('RolledBack');
    expect(run.end.cause).toMatch(cause);
    expect(run.atSnapshot).toBe(true);
  });

  it('a hook ARN with no function behind it rolls back before the first shift (nothing written)', async () => {
    // Act
    const run = await runWithHooks({ beforeShift: SMOKE }, {});

    // Assess
    expect(run.shifts).toEqual([]);
    expect(run.end.error).toBe('RolledBack');
    expect(run.end.cause).toContain('Function not found');
    expect(run.atSnapshot).toBe(true);
  });
});

describe('State path around the step hooks (issue 13: fewer state transitions)', () => {
  // Per hook round: the Choice that asks for it, the Pass that starts it, the invoke, the answer check, the routing.
  const BEFORE_SHIFT_ROUND = [
    'BeforeShiftHook',
    'StartBeforeShiftHook',
    'InvokeStepHook',
    'CheckStepHookAnswer',
    'StepHookPassed',
  ];
  const AFTER_BAKE_ROUND = [
    'AfterBakeHook',
    'StartAfterBakeHook',
    'InvokeStepHook',
    'CheckStepHookAnswer',
    'StepHookPassed',
  ];

  it('without hooks: IsContinuation and Decide go straight to ShiftTraffic / Complete, never through the hook Choices', async () => {
    // Act
    const run = await runWithHooks(undefined, {});

    // Assess
    expect(run.end.status).toBe('SUCCEEDED');
    expect(run.shifts).toEqual([10, 50, 100]);
    expect(pathBetweenLoops(run.states)).toEqual([
      'Preflight',
      'IsContinuation',
      'ShiftTraffic',
      'Decide',
      'ShiftTraffic',
      'Decide',
      'ShiftTraffic',
      'Decide',
      'Complete',
    ]);
    expect(run.states).not.toContain('AfterBakeHook');
    expect(run.states).not.toContain('BeforeShiftHook');
    expect(run.states.at(-1)).toBe('Complete');
  });

  // The paths before the change (recorded on the previous definition), less the Succeed state after Complete.
  it.each([
    {
      name: 'afterBake only',
      hooks: { afterBake: LOAD },
      path: [
        'Preflight',
        'IsContinuation',
        'BeforeShiftHook',
        'ShiftTraffic',
        'Decide',
        ...AFTER_BAKE_ROUND,
        'BeforeShiftHook',
        'ShiftTraffic',
        'Decide',
        ...AFTER_BAKE_ROUND,
        'BeforeShiftHook',
        'ShiftTraffic',
        'Decide',
        ...AFTER_BAKE_ROUND,
        'Complete',
      ],
    },
    {
      name: 'beforeShift only',
      hooks: { beforeShift: SMOKE },
      path: [
        'Preflight',
        'IsContinuation',
        ...BEFORE_SHIFT_ROUND,
        'ShiftTraffic',
        'Decide',
        'AfterBakeHook',
        ...BEFORE_SHIFT_ROUND,
        'ShiftTraffic',
        'Decide',
        'AfterBakeHook',
        ...BEFORE_SHIFT_ROUND,
        'ShiftTraffic',
        'Decide',
        'AfterBakeHook',
        'Complete',
      ],
    },
    {
      name: 'both',
      hooks: { beforeShift: SMOKE, afterBake: LOAD },
      path: [
        'Preflight',
        'IsContinuation',
        ...BEFORE_SHIFT_ROUND,
        'ShiftTraffic',
        'Decide',
        ...AFTER_BAKE_ROUND,
        ...BEFORE_SHIFT_ROUND,
        'ShiftTraffic',
        'Decide',
        ...AFTER_BAKE_ROUND,
        ...BEFORE_SHIFT_ROUND,
        'ShiftTraffic',
        'Decide',
        ...AFTER_BAKE_ROUND,
        'Complete',
      ],
    },
  ])(
    'with hooks ($name): the same path through the hook Choices as before',
    async ({ hooks, path }) => {
      // Act
      const run = await runWithHooks(hooks, { [SMOKE]: pass, [LOAD]: pass });

      // Assess
      expect(run.end.status).toBe('SUCCEEDED');
      expect(pathBetweenLoops(run.states)).toEqual(path);
    }
  );
});
