/**
 * The step hooks part of the input: Lambda functions the state machine invokes (native `lambda:invoke`, so
 * Step Functions owns the retries) before each shift and after each bake. The request and answer are in
 * `core/step-hooks.ts`; the ASL states in design.md "Step hooks".
 */
import * as z from 'zod/mini';
import { boundedInt, described } from './input-zod.ts';

/** A Lambda function ARN, optionally qualified by a version or an alias. */
const LAMBDA_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;

const LambdaArn = z
  .string('must be a string')
  .check(
    z.regex(
      LAMBDA_ARN,
      'must be a Lambda function ARN: arn:<partition>:lambda:<region>:<account>:function:<name>[:<version or alias>]'
    )
  );

export const HooksSchema = z
  .strictObject({
    /** Invoked before every shift (smoke test of the next step, warm-up load for a quiet service). */
    beforeShift: described(
      z.optional(LambdaArn),
      'Invoked before every shift (smoke test of the next step, warm-up load for a quiet service).'
    ),
    /** Invoked when a step's bake is over, before the next shift or the completion. */
    afterBake: described(
      z.optional(LambdaArn),
      "Invoked when a step's bake is over, before the next shift or the completion."
    ),
    /** The wait before asking again after a RetryLater answer. */
    retryLaterSeconds: described(
      boundedInt({ min: 10, max: 3_600, default: 60 }),
      'The wait before asking again after a RetryLater answer.'
    ),
    /** Answers per hook round; RetryLater on the last one rolls back. */
    maxAttempts: described(
      boundedInt({ min: 1, max: 100, default: 10 }),
      'Answers per hook round; RetryLater on the last one rolls back.'
    ),
  })
  .check(
    z.superRefine((hooks, ctx) => {
      if (hooks.beforeShift === undefined && hooks.afterBake === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'names no hook: give beforeShift, afterBake or both (or leave hooks out)',
          path: [],
        });
      }
    })
  );
export type Hooks = z.infer<typeof HooksSchema>;
