/**
 * The publication lag learned within a run (core/publication.ts `lagAfterMiss`, `lagAfterJudged`,
 * `lookSettings`): the rule in tables, and the real core's look loop (evaluationWindow, awaitPublication,
 * afterEvaluation) in virtual time against CloudWatch publishing each minute L seconds after it ends,
 * compared with today's schedule (every minute first looked for `earliestPublicationSeconds` after it ends).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  awaitPublication,
  lagAfterJudged,
  lagAfterMiss,
  lookSettings,
  nextLookSeconds,
  PROBE_AFTER_HITS,
  type PublicationLag,
} from '../../../functions/core/publication.ts';
import {
  afterEvaluation,
  afterShift,
  afterSyncCheck,
  newRunState,
} from '../../../functions/core/run.ts';
import type { RunState } from '../../../functions/core/state.ts';
import { Verdict } from '../../../functions/core/types.ts';
import { evaluationWindow } from '../../../functions/core/window.ts';
import { inputWith, pairWith, sample } from './fixtures.ts';

const identity = {
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:run',
  executionName: 'run',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm',
  startedAt: '2026-01-01T09:00:00.000Z',
  generation: 1,
  continuedFrom: null,
};
const WINDOW = { start: '2026-01-01T10:00:00.000Z', end: '2026-01-01T10:01:00.000Z' };
const PASS = { verdict: Verdict.Pass, reason: 'ok', window: WINDOW };

/** A run polling 90, 120, 150 s after each minute (the defaults), one long bake so it stays at the step. */
function runState(overrides: Parameters<typeof inputWith>[0] = {}): RunState {
  const input = inputWith({
    plan: { steps: [10, 100], bakeSeconds: 86_400 },
    metrics: {
      publicationDelaySeconds: 150,
      earliestPublicationSeconds: 90,
      publicationPollSeconds: 30,
    },
    ...overrides,
  });
  return newRunState(input, identity, [pairWith({ blue: 100, green: 0 })]);
}

function withLag(state: RunState, publicationLag: PublicationLag | undefined): RunState {
  const { publicationLag: _lag, ...rest } = state;
  return publicationLag === undefined ? rest : { ...rest, publicationLag };
}

describe('Function: lagAfterMiss', () => {
  it.each([
    { lag: undefined, out: { seconds: 120, hits: 0 } },
    { lag: { seconds: 90, hits: 5 }, out: { seconds: 120, hits: 0 } },
    { lag: { seconds: 120, hits: 0 }, out: { seconds: 150, hits: 0 } },
    // never past the bound
    { lag: { seconds: 150, hits: 2 }, out: { seconds: 150, hits: 0 } },
  ])('$lag -> $out', ({ lag, out }) => {
    expect(lagAfterMiss(withLag(runState(), lag))).toEqual(out);
  });
});

describe('Function: lagAfterJudged', () => {
  const last = PROBE_AFTER_HITS - 1;
  it.each([
    { name: 'first hit', lag: undefined, evaluation: PASS, out: { seconds: 90, hits: 1 } },
    {
      name: 'the last hit before a probe moves one poll earlier',
      lag: { seconds: 150, hits: last },
      evaluation: PASS,
      out: { seconds: 120, hits: 0 },
    },
    {
      name: 'never before the first look',
      lag: { seconds: 90, hits: last },
      evaluation: PASS,
      out: { seconds: 90, hits: PROBE_AFTER_HITS },
    },
    {
      name: 'a failed read learns nothing',
      lag: { seconds: 120, hits: 3 },
      evaluation: { ...PASS, verdict: Verdict.Error },
      out: { seconds: 120, hits: 3 },
    },
    {
      name: 'no window judged learns nothing',
      lag: undefined,
      evaluation: { ...PASS, window: null },
      out: undefined,
    },
  ])('$name', ({ lag, evaluation, out }) => {
    expect(lagAfterJudged(withLag(runState(), lag), evaluation)).toEqual(out);
  });

  it('learns nothing with publicationPollSeconds 0 (the fixed delay)', () => {
    const fixed = runState({
      metrics: { publicationPollSeconds: 0, publicationDelaySeconds: 150 },
    });
    expect(lagAfterJudged(withLag(fixed, { seconds: 120, hits: last }), PASS)).toEqual({
      seconds: 120,
      hits: last,
    });
    expect(lookSettings(withLag(fixed, { seconds: 120, hits: 0 }))).toBe(fixed.input.metrics);
  });
});

describe('Function: lookSettings and the first look after a shift', () => {
  it('puts the learned lag where the window and the looks read it', () => {
    const state = withLag(runState(), { seconds: 120, hits: 0 });
    expect(lookSettings(state).earliestPublicationSeconds).toBe(120);
    const fresh = runState();
    expect(lookSettings(fresh)).toBe(fresh.input.metrics);
  });

  it('the sync check waits for the first look at the learned lag', () => {
    // Prepare
    const now = new Date('2026-01-01T10:00:00.000Z');
    const learned = withLag(runState(), { seconds: 150, hits: 0 });

    // Act
    const before = afterSyncCheck(afterShift(runState(), 10, [], [], now), true, now);
    const after = afterSyncCheck(afterShift(learned, 10, [], [], now), true, now);

    // Assess: 60 s later, and the lag carries over the shift
    expect(after.waitSeconds - before.waitSeconds).toBe(60);
    expect(after.publicationLag).toEqual({ seconds: 150, hits: 0 });
  });

  it('moves the next look by the change of lag after a probe', () => {
    const metrics = runState().input.metrics;
    // judged the minute ending 10:02 at 10:04:30 (lag 150); the next one is looked for at 10:05:00
    expect(
      nextLookSeconds(
        new Date('2026-01-01T10:04:30.000Z'),
        { ...metrics, earliestPublicationSeconds: 150 },
        60,
        120
      )
    ).toBe(30);
  });
});

/** One look of the loop: when, the window it looked at, whether it judged. */
interface Look {
  at: number;
  end: string | null;
  judged: boolean;
  lagBefore: number | undefined;
}

/**
 * Drives the real core's looks from a step's sync for `minutes` minutes: CloudWatch publishes the minute
 * ending at E at E + lagOf(E). `today` forgets the learned lag before each look (today's schedule).
 */
function loop(lagOf: (endMs: number) => number, minutes: number, today: boolean): Look[] {
  const syncAt = new Date('2026-01-01T10:00:00.000Z');
  let state = afterSyncCheck(afterShift(runState(), 10, [], [], syncAt), true, syncAt);
  let t = syncAt.getTime() + state.waitSeconds * 1_000;
  const stopAt = syncAt.getTime() + minutes * 60_000;
  const looks: Look[] = [];
  while (t < stopAt) {
    if (today) state = withLag(state, undefined);
    const now = new Date(t);
    const lagBefore = state.publicationLag?.seconds;
    const window = evaluationWindow(now, state.status, lookSettings(state));
    if (window === null) {
      looks.push({ at: t, end: null, judged: false, lagBefore });
      state = afterEvaluation(
        state,
        { verdict: Verdict.Inconclusive, reason: 'none', window: null, assessments: [] },
        now
      );
    } else {
      const starts: string[] = [];
      for (let start = Date.parse(window.start); start < Date.parse(window.end); start += 60_000)
        if (start + 60_000 + lagOf(start + 60_000) * 1_000 <= t)
          starts.push(new Date(start).toISOString());
      const green = {
        kind: 'ok' as const,
        services: [sample('orders', { http2xx: 100, periodStarts: starts })],
      };
      const polled = awaitPublication(state, window, green, now);
      looks.push({ at: t, end: window.end, judged: polled === null, lagBefore });
      state =
        polled ??
        afterEvaluation(
          state,
          { verdict: Verdict.Pass, reason: 'ok', window, assessments: [] },
          now
        );
    }
    t += state.waitSeconds * 1_000;
  }
  return looks;
}

const judgedAt = (looks: readonly Look[]) =>
  looks.filter((look) => look.judged).map((look) => ({ at: look.at, end: look.end }));
const missed = (looks: readonly Look[]) => looks.filter((look) => !look.judged).length;

describe('Property: the learned lag against a publishing CloudWatch', () => {
  it('a constant lag (on or off the poll grid) judges every minute when today does, with O(1) misses per probe', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 20, max: 90 }),
        (lag, minutes) => {
          // Act
          const learned = loop(() => lag, minutes, false);
          const today = loop(() => lag, minutes, true);

          // Assess: the same minutes judged at the same instants (so the same decisions), and the misses:
          // one to learn the lag, one per probe (every PROBE_AFTER_HITS judged looks)
          expect(judgedAt(learned)).toEqual(judgedAt(today));
          const judged = judgedAt(learned).length;
          // The probe interval this cost is bought with (publication.ts PROBE_AFTER_HITS)
          expect(missed(learned)).toBeLessThanOrEqual(2 + Math.floor(judged / PROBE_AFTER_HITS));
        }
      ),
      { numRuns: 60 }
    );
  });

  it('a lag at or past the bound judges each minute at the bound, as it is (today never catches up)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 121, max: 400 }), (lag) => {
        const looks = loop(() => lag, 40, false);
        const judged = looks.filter((look) => look.judged && look.end !== null);
        expect(judged.length).toBeGreaterThan(20);
        for (const look of judged) expect(look.at - Date.parse(look.end as string)).toBe(150_000);
      }),
      { numRuns: 30 }
    );
  });

  it('a varying lag: each minute is judged at the later of its learned and its true lag on the grid, by the bound', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 60 }),
        (lags) => {
          const lagOf = (endMs: number) => lags[Math.floor(endMs / 60_000) % lags.length] as number;
          const looks = loop(lagOf, 60, false);
          // No minute skipped or judged twice: each judged look's window ends one period after the last's.
          const ends = judgedAt(looks).map((look) => Date.parse(look.end as string));
          for (const [index, end] of ends.entries())
            if (index > 0) expect(end - (ends[index - 1] as number)).toBe(60_000);
          for (const [index, look] of looks.entries()) {
            if (!look.judged || look.end === null) continue;
            const first = looks.findIndex((other) => other.end === look.end);
            const learned = Math.max(90, looks[first]?.lagBefore ?? 90);
            const endMs = Date.parse(look.end);
            const onGrid = 90 + Math.max(0, Math.ceil((lagOf(endMs) - 90) / 30)) * 30;
            const lateBy = (look.at - endMs) / 1_000;
            expect(lateBy).toBeLessThanOrEqual(150);
            expect(lateBy).toBe(Math.min(150, Math.max(learned, onGrid)));
            expect(index - first).toBeLessThanOrEqual(2);
          }
        }
      ),
      { numRuns: 60 }
    );
  });

  it('finds a faster publication again within two probes of PROBE_AFTER_HITS looks each', () => {
    // Prepare: 150 s late for the first 20 minutes, then 80 s
    const switchMs = Date.parse('2026-01-01T10:20:00.000Z');
    const looks = loop((endMs) => (endMs < switchMs ? 140 : 80), 60, false);

    // Assess: from the switch on, back at 90 s after at most 2 x (PROBE_AFTER_HITS + 1) looks
    const after = looks.filter((look) => look.at > switchMs + 150_000);
    const back = after.findIndex((look) => look.lagBefore === 90);
    expect(back).toBeGreaterThanOrEqual(0);
    expect(back).toBeLessThanOrEqual(2 * (PROBE_AFTER_HITS + 1));
  });
});
