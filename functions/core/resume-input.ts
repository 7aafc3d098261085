/**
 * The continuation's input schema: a RunState a ContinueAsNew handed over, checked as strictly as a new
 * migration before Preflight makes any AWS call (handlers/preflight.ts).
 */

import * as z from 'zod/mini';
import { InvalidInputError } from './errors.ts';
import { checkStepOrder, describeIssues, StartedMigrationInputSchema } from './input.ts';
import { recordSetKey } from './names.ts';
import { ODDS_RATIOS } from './sequential.ts';
import type { RunState } from './state.ts';

export const isResume = (input: unknown): input is { resume: RunState } =>
  typeof input === 'object' && input !== null && 'resume' in input;

const Weight = z
  .int('must be an integer')
  .check(z.gte(0, 'must be >= 0'), z.lte(255, 'must be <= 255'));
const PairKey = {
  hostedZoneId: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  type: z.string().check(z.minLength(1)),
};
const ResumedRecord = z.looseObject({
  Name: z.string(),
  Type: z.string(),
  SetIdentifier: z.string().check(z.minLength(1)),
  Weight,
});
const Count = z.int('must be an integer').check(z.gte(0, 'must be >= 0'));
const IsoTime = z
  .string()
  .check(z.refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO-8601 time'));
const pairKeyOf = recordSetKey;
/**
 * A sequential test's memory (core/sequential.ts SequentialState): the cadence bounds the test by its
 * evidence and by the minutes after its `consumedUntil` (core/cadence.ts, cadence-reach.ts), and the test
 * folds only minutes from there on, so one whose cursor is not a time would never fold a minute again.
 */
const SequentialMemory = z.looseObject({
  statistics: z
    .array(z.number().check(z.gte(0, 'must be >= 0')))
    .check(z.length(ODDS_RATIOS.length, `must hold ${ODDS_RATIOS.length} statistics`)),
  evidence: z.number().check(z.gte(0, 'must be >= 0')),
  minutes: z.number().check(z.gte(0, 'must be >= 0')),
  requests: z.number().check(z.gte(0, 'must be >= 0')),
  errors: z.number().check(z.gte(0, 'must be >= 0')),
  consumedUntil: z.nullable(IsoTime),
});

/**
 * A continuation's input is a RunState a ContinueAsNew handed over, but anyone allowed to start the state
 * machine can send one: it is checked as strictly as a new migration (the migration input against the same
 * schema, and every part the run reads) before any AWS call, so a damaged or hand-made `resume` is refused
 * naming the field instead of steering the run.
 */
const ResumeSchema = z.strictObject({
  resume: z
    .looseObject({
      input: StartedMigrationInputSchema,
      steps: z
        .array(z.number().check(z.gt(0, 'must be > 0'), z.lte(100, 'must be <= 100')))
        .check(z.minLength(1, 'must not be empty')),
      run: z.looseObject({
        executionArn: z.string().check(z.minLength(1)),
        executionName: z.string().check(z.minLength(1)),
        stateMachineArn: z.string().check(z.minLength(1)),
        startedAt: z
          .string()
          .check(z.refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO-8601 time')),
        generation: z.int('must be an integer').check(z.gte(1, 'must be >= 1')),
        continuedFrom: z.nullable(z.string().check(z.minLength(1))),
      }),
      snapshot: z
        .array(z.looseObject({ ...PairKey, blue: ResumedRecord, green: ResumedRecord }))
        .check(z.minLength(1, 'must not be empty')),
      expected: z.array(z.looseObject({ ...PairKey, blueWeight: Weight, greenWeight: Weight })),
      status: z.looseObject({
        stepIndex: z.int('must be an integer').check(z.gte(-1, 'must be >= -1')),
        greenPercent: z.number().check(z.gte(0, 'must be >= 0'), z.lte(100, 'must be <= 100')),
        syncedAt: z.nullable(z.string()),
        judgingFrom: z.nullable(z.string()),
        // Absent in a state written before the window cursor and the blue latency memory existed.
        windowFrom: z._default(z.nullable(IsoTime), null),
        // Absent in a state written before the bake counted periods with data: nothing baked yet.
        bakedSeconds: z._default(Count, 0),
        blueLatency: z._default(
          z.nullable(
            z.looseObject({
              avgMs: z.number().check(z.gte(0, 'must be >= 0')),
              samples: Count,
              windowEnd: IsoTime,
            })
          ),
          null
        ),
        stepEvaluations: Count,
        evaluations: Count,
        failures: Count,
        consecutiveFailures: Count,
        inconclusiveStreak: Count,
        consecutiveErrors: Count,
        // Service Connect's tests by check name, the edge's as `edge:<check>`.
        sequential: z.optional(z.record(z.string(), SequentialMemory)),
        // Blue found drained at 100 % (core/blue-drained.ts); absent in a state written before it: not drained.
        blueDrainedFrom: z.optional(z.nullable(IsoTime)),
      }),
      change: z.looseObject({
        ids: z.array(z.string()),
        submittedAt: z.nullable(z.string()),
        synced: z.boolean(),
      }),
      // The cadence of the last look (core/cadence.ts): its `through` is where a quiet look starts folding
      // minutes (core/cadence-fold.ts foldEnds, which also caps how many); '' after a look that judged none.
      cadence: z.optional(
        z.strictObject({
          minutes: z
            .int('must be an integer')
            .check(z.gte(1, 'must be >= 1'), z.lte(60, 'must be <= 60')),
          through: z.union([IsoTime, z.literal('')]),
          reason: z.string(),
          refold: z.optional(z.boolean()),
        })
      ),
      // The publication lag learned within the run (core/publication.ts): where its looks fall.
      publicationLag: z.optional(
        z.strictObject({
          seconds: z
            .int('must be an integer')
            .check(z.gte(0, 'must be >= 0'), z.lte(3_600, 'must be <= 3600')),
          hits: z.int('must be an integer').check(z.gte(0, 'must be >= 0')),
        })
      ),
      // The edge Preflight found; a continuation judges the same load balancers.
      edge: z.optional(
        z.array(
          z.strictObject({
            side: z.enum(['green', 'blue']),
            kind: z.enum(['application', 'network']),
            name: z.string().check(z.minLength(1)),
            dimension: z
              .string()
              .check(
                z.regex(/^(app|net)\/[^/]+\/[^/]+$/, 'must be app/<name>/<id> or net/<name>/<id>')
              ),
            dnsName: z.string().check(z.minLength(1)),
          })
        )
      ),
    })
    .check(
      z.superRefine((state, ctx) => {
        // The snapshot and the expected weights must be of exactly the input's records, in order.
        const wanted = state.input.records.map(pairKeyOf);
        const same = (keys: string[]) =>
          keys.length === wanted.length && keys.every((key, i) => key === wanted[i]);
        if (!same(state.snapshot.map(pairKeyOf))) {
          ctx.addIssue({
            code: 'custom',
            message: 'must hold exactly the pairs of input.records',
            path: ['snapshot'],
          });
        }
        state.snapshot.forEach((pair, i) => {
          const ref = state.input.records[i];
          if (
            ref &&
            (pair.blue.SetIdentifier !== ref.blueSetIdentifier ||
              pair.green.SetIdentifier !== ref.greenSetIdentifier)
          ) {
            ctx.addIssue({
              code: 'custom',
              message: 'SetIdentifiers differ from input.records',
              path: ['snapshot', i],
            });
          }
        });
        if (!same(state.expected.map(pairKeyOf))) {
          ctx.addIssue({
            code: 'custom',
            message: 'must hold exactly the pairs of input.records',
            path: ['expected'],
          });
        }
        checkStepOrder(state.steps, ctx);
        // A learned lag lies between the first look and the bound (publication.ts): one outside would put the
        // looks where the design forbids them (before the first look) for the rest of the run.
        const { metrics } = state.input;
        const lag = state.publicationLag;
        const first = Math.min(metrics.earliestPublicationSeconds, metrics.publicationDelaySeconds);
        if (
          lag !== undefined &&
          metrics.publicationPollSeconds > 0 &&
          (lag.seconds < first || lag.seconds > metrics.publicationDelaySeconds)
        ) {
          ctx.addIssue({
            code: 'custom',
            message: `must be between ${first} (input.metrics.earliestPublicationSeconds) and ${metrics.publicationDelaySeconds} (input.metrics.publicationDelaySeconds)`,
            path: ['publicationLag', 'seconds'],
          });
        }
      })
    ),
});

/** @throws InvalidInputError naming every offending field of the continuation (`resume.…`). */
export function parseResume(raw: unknown): RunState {
  // reportInput: describeIssues tells "missing" from "wrong type" by the issue's input (as parseMigrationInput).
  const result = ResumeSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new InvalidInputError(describeIssues(result.error));
  return result.data.resume as unknown as RunState;
}
