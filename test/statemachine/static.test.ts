/**
 * Static checks of the state machine definition and the SAM template: no AWS, no servers.
 * Behaviour (execution paths) is tested elsewhere with aws-local-stepfunctions and the real handlers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { ERROR_NAMES } from '../../functions/core/errors.ts';
import { MAX_PLAN_SECONDS } from '../../functions/core/input.ts';
import { parseTemplate } from '../support/cfn-template.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ASL_PATH = 'statemachine/traffic-shift.asl.json';
const TEMPLATE_PATH = 'template.yaml';
const HANDLERS_DIR = 'functions/handlers';

/** Handler files named by the template that may not exist yet (written in parallel). Empty when all exist. */
const HANDLERS_IN_PROGRESS: readonly string[] = [];

/** design.md section 2: fixed names (tests and the rehearsal bind handlers by them). */
const DESIGN_STATE_NAMES = [
  'Preflight',
  'ShiftTraffic',
  'WaitForDnsSync',
  'CheckDnsSync',
  'IsDnsSynced',
  'Bake',
  'EvaluateMetrics',
  'Decide',
  'Complete',
  'ContinueAsNew',
  'Continued',
  'Rollback',
  'RolledBack',
  'OnDrift',
  'StoppedOnDrift',
  'PreflightFailed',
  'WaitForApproval',
];
/** Task state -> handler file (design.md section 3). */
const TASK_HANDLERS: Record<string, string> = {
  Preflight: 'preflight',
  ShiftTraffic: 'shift-traffic',
  CheckDnsSync: 'check-dns-sync',
  EvaluateMetrics: 'evaluate-metrics',
  Complete: 'complete',
  ContinueAsNew: 'continue-as-new',
  Rollback: 'rollback',
  WaitForApproval: 'wait-for-approval',
};
const ALL_HANDLERS = [...Object.values(TASK_HANDLERS), 'on-execution-end', 'reconcile'];
/** Tasks after the first write: any failure there must restore the snapshot. */
const TASKS_AFTER_FIRST_WRITE = [
  'ShiftTraffic',
  'CheckDnsSync',
  'EvaluateMetrics',
  'Complete',
  'ContinueAsNew',
];
const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface Catcher {
  ErrorEquals: string[];
  ResultPath?: string;
  Next: string;
}
interface ChoiceRule {
  Variable?: string;
  IsPresent?: boolean;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  Next?: string;
  [operator: string]: unknown;
}
interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  OutputPath?: string;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Choices?: ChoiceRule[];
  Default?: string;
  Next?: string;
  SecondsPath?: string;
  Error?: string;
  ErrorPath?: string;
  CausePath?: string;
}
interface Asl {
  Comment?: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, AslState>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface SamFunction {
  Type: 'AWS::Serverless::Function';
  Metadata?: { BuildMethod?: string; BuildProperties?: Record<string, Json> };
  Properties: { Handler?: string; Runtime?: string };
}
interface Template {
  Globals?: { Function?: { Runtime?: string } };
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, Json> } & Record<string, unknown>
  >;
}

function readText(path: string): string {
  return readFileSync(`${ROOT}${path}`, 'utf8');
}
function loadAsl(): Asl {
  return JSON.parse(readText(ASL_PATH)) as Asl;
}
function loadTemplate(): Template {
  return parseTemplate(`${ROOT}${TEMPLATE_PATH}`) as Template;
}
function stateMachineProperties(template: Template): Record<string, Json> {
  const machines = Object.values(template.Resources).filter(
    (resource) => resource.Type === 'AWS::Serverless::StateMachine'
  );
  expect(machines, 'exactly one AWS::Serverless::StateMachine').toHaveLength(1);
  return machines[0]!.Properties ?? {};
}
function serverlessFunctions(template: Template): [string, SamFunction][] {
  return Object.entries(template.Resources).filter(
    (entry): entry is [string, SamFunction & (typeof entry)[1]] =>
      entry[1].Type === 'AWS::Serverless::Function'
  );
}
function placeholders(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]!));
}
/** Tasks that invoke the operator's functions (step hooks), not a handler of ours: checked on their own. */
const OPERATOR_TASKS = ['InvokeStepHook'];
/** The Tasks that run our handlers. */
function tasks(asl: Asl): [string, AslState][] {
  return Object.entries(asl.States).filter(
    ([name, state]) => state.Type === 'Task' && !OPERATOR_TASKS.includes(name)
  );
}
/** Every key anywhere in a JSON value, with the path to it. */
function* walk(value: unknown, path = '$'): Generator<[string, unknown]> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* walk(item, `${path}[${index}]`);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      yield [`${path}.${key}`, item];
      yield* walk(item, `${path}.${key}`);
    }
  }
}
/** The variables a Choice rule compares, and whether each comparison follows an IsPresent guard. */
function unguardedComparisons(rule: ChoiceRule, guarded: ReadonlySet<string>): string[] {
  if (rule.And) {
    const inScope = new Set(guarded);
    return rule.And.flatMap((part) => {
      if (part.Variable !== undefined && part.IsPresent === true) {
        inScope.add(part.Variable);
        return [];
      }
      return unguardedComparisons(part, inScope);
    });
  }
  if (rule.Or) return rule.Or.flatMap((part) => unguardedComparisons(part, guarded));
  if (rule.Not) return unguardedComparisons(rule.Not, guarded);
  if (rule.Variable === undefined || rule.IsPresent !== undefined) return [];
  return guarded.has(rule.Variable) ? [] : [rule.Variable];
}

describe('State machine definition (statemachine/traffic-shift.asl.json)', () => {
  it('is accepted by asl-validator', () => {
    // Prepare
    const bin = `${ROOT}node_modules/asl-validator/dist/bin/asl-validator.js`;

    // Act
    const run = spawnSync(process.execPath, [bin, '--json-path', ASL_PATH], {
      cwd: ROOT,
      encoding: 'utf8',
    });

    // Assess
    expect(run.status, `asl-validator output:\n${run.stdout}${run.stderr}`).toBe(0);
  });

  it('is accepted by the aws-local-stepfunctions constructor once placeholders are substituted', () => {
    // Prepare
    const text = readText(ASL_PATH).replace(
      /\$\{(\w+)\}/g,
      (_whole, name: string) =>
        `arn:aws:lambda:us-east-1:123456789012:function:${name.replace(/FunctionArn$/, '')}`
    );
    const definition = JSON.parse(text) as StateMachineDefinition;

    // Act
    const construct = () => new StateMachine(definition);

    // Assess
    expect(text).not.toContain('${');
    expect(construct).not.toThrow();
  });

  it('uses the state names fixed by the design', () => {
    // Prepare
    const asl = loadAsl();

    // Act
    const names = Object.keys(asl.States);

    // Assess
    expect(asl.StartAt).toBe('Preflight');
    expect(names).toEqual(expect.arrayContaining(DESIGN_STATE_NAMES));
  });

  it('times out only after the longest plan (MAX_PLAN_SECONDS) has had time to finish', () => {
    // Prepare
    const asl = loadAsl();

    // Act
    const timeout = asl.TimeoutSeconds ?? 0;

    // Assess: a timeout inside a legal plan would end a healthy migration TIMED_OUT, and on-execution-end
    // would then roll it back. (The local engine drops this real-time timer: it runs on a virtual clock.)
    expect(asl.Comment, 'top-level Comment').toBeTruthy();
    expect(timeout).toBeGreaterThan(MAX_PLAN_SECONDS);
    expect(timeout).toBeLessThanOrEqual(365 * 24 * 3_600);
  });

  it('uses JSONPath only: no QueryLanguage, Assign, Arguments, Output or {% %} expressions', () => {
    // Prepare
    const asl = loadAsl();
    const forbidden = new Set(['QueryLanguage', 'Assign', 'Arguments', 'Output', 'Condition']);

    // Act
    const offending = [...walk(asl)]
      .filter(
        ([path, value]) =>
          forbidden.has(path.split('.').at(-1)!) ||
          (typeof value === 'string' && value.includes('{%'))
      )
      .map(([path]) => path);

    // Assess
    expect(offending).toEqual([]);
  });

  it('invokes every Task through lambda:invoke with the whole state as payload and unwraps the result', () => {
    // Prepare
    const asl = loadAsl();

    // Act
    // WaitForApproval is the one callback task (`.waitForTaskToken`, plan.gates): checked on its own below.
    const callback = asl.States['WaitForApproval'];
    const shapes = tasks(asl)
      .filter(([name]) => name !== 'WaitForApproval')
      .map(([name, state]) => ({
        name,
        resource: state.Resource,
        functionName: state.Parameters?.['FunctionName'],
        payload:
          name === 'Preflight' ? state.Parameters?.['Payload'] : state.Parameters?.['Payload.$'],
        outputPath: state.OutputPath,
      }));

    // Assess
    expect([...shapes.map((shape) => shape.name), 'WaitForApproval'].sort()).toEqual(
      Object.keys(TASK_HANDLERS).sort()
    );
    expect(callback).toMatchObject({
      Resource: `\${LambdaInvokeWaitForTaskTokenResource}`,
      Parameters: {
        FunctionName: `\${WaitForApprovalFunctionArn}`,
        Payload: {
          'input.$': '$.input',
          'run.$': '$.run',
          'status.$': '$.status',
          'decision.$': '$.decision',
          'taskToken.$': '$$.Task.Token',
        },
      },
      // The wait lasts one evaluation interval; the answer lands beside the run state, which passes on whole.
      TimeoutSecondsPath: '$.waitSeconds',
      ResultPath: '$.gateResult',
    });
    expect(callback?.OutputPath).toBeUndefined();
    expect(callback?.Catch?.map((catcher) => [catcher.ErrorEquals, catcher.Next])).toEqual([
      [['States.Timeout'], 'EvaluateMetrics'],
      [['GateRejectedError', 'GateTimedOutError'], 'Rollback'],
      [['States.ALL'], 'Rollback'],
    ]);
    for (const shape of shapes) {
      expect(shape).toEqual({
        name: shape.name,
        // Filled with the stack's partition (arn:aws-cn:..., arn:aws-us-gov:...) by DefinitionSubstitutions.
        resource: `\${LambdaInvokeResource}`,
        functionName: `\${${shape.name}FunctionArn}`,
        payload:
          shape.name === 'Preflight'
            ? {
                'input.$': '$',
                'executionArn.$': '$$.Execution.Id',
                'executionName.$': '$$.Execution.Name',
                'stateMachineArn.$': '$$.StateMachine.Id',
                'startTime.$': '$$.Execution.StartTime',
              }
            : '$',
        outputPath: '$.Payload',
      });
    }
  });

  it('retries every Task on transient Lambda errors and on Route 53 / Step Functions busy errors', () => {
    // Prepare
    const asl = loadAsl();

    // Act
    const retries = tasks(asl).map(([name, state]) => ({ name, retry: state.Retry ?? [] }));

    // Assess
    for (const { name, retry } of retries) {
      const lambda = retry.find((retrier) =>
        retrier.ErrorEquals.includes('Lambda.ServiceException')
      );
      const busy = retry.find((retrier) => retrier.ErrorEquals.includes('Route53BusyError'));
      expect(lambda?.ErrorEquals, `${name}: Lambda.* retrier`).toEqual(
        expect.arrayContaining(LAMBDA_TRANSIENT_ERRORS)
      );
      expect(lambda, `${name}: Lambda.* retrier`).toMatchObject({
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
      });
      expect(busy?.ErrorEquals, `${name}: busy retrier`).toContain('StepFunctionsBusyError');
      expect(busy?.JitterStrategy, `${name}: busy retrier`).toBe('FULL');
    }
  });

  it('matches only error names from errors.ts or the States.* / Lambda.* families', () => {
    // Prepare
    const asl = loadAsl();
    const known = new Set<string>(ERROR_NAMES);

    // Act
    const names = tasks(asl).flatMap(([, state]) =>
      [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((entry) => entry.ErrorEquals)
    );
    const unknown = names.filter(
      (name) => !known.has(name) && !name.startsWith('States.') && !name.startsWith('Lambda.')
    );

    // Assess
    expect(names.length).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });

  it('keeps States.ALL alone and last in every Retry and Catch list', () => {
    // Prepare
    const asl = loadAsl();

    // Act
    const misplaced = tasks(asl).flatMap(([name, state]) =>
      [state.Retry ?? [], state.Catch ?? []].flatMap((list) =>
        list.flatMap((entry, index) =>
          entry.ErrorEquals.includes('States.ALL') &&
          (entry.ErrorEquals.length !== 1 || index !== list.length - 1)
            ? [`${name}[${index}]`]
            : []
        )
      )
    );

    // Assess
    expect(misplaced).toEqual([]);
  });

  it('routes every failure after the first write to Rollback (ShiftTraffic: drift to OnDrift first)', () => {
    // Prepare
    const asl = loadAsl();

    // Act
    const catches = Object.fromEntries(
      TASKS_AFTER_FIRST_WRITE.map((name) => [name, asl.States[name]?.Catch ?? []])
    );

    // Assess
    for (const [name, catchers] of Object.entries(catches)) {
      expect(catchers.at(-1), `${name}: last catcher`).toEqual({
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.error',
        Next: 'Rollback',
      });
    }
    expect(catches['ShiftTraffic']?.[0]).toEqual({
      ErrorEquals: ['DriftDetectedError'],
      ResultPath: '$.error',
      Next: 'OnDrift',
    });
    expect(asl.States['Preflight']?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'PreflightFailed' },
    ]);
  });

  it('checks drift at Complete and Rollback: drift goes to OnDrift / StoppedOnDrift, and errors that cannot succeed are never retried', () => {
    // Prepare
    const asl = loadAsl();

    // Act
    const complete = asl.States['Complete'];
    const rollback = asl.States['Rollback'];
    const never = rollback?.Retry?.find((retrier) => retrier.MaxAttempts === 0);

    // Assess
    expect(complete?.Catch?.[0]).toEqual({
      ErrorEquals: ['DriftDetectedError'],
      ResultPath: '$.error',
      Next: 'OnDrift',
    });
    expect(rollback?.Catch?.[0]).toEqual({
      ErrorEquals: ['DriftDetectedError'],
      ResultPath: '$.error',
      Next: 'StoppedOnDrift',
    });
    expect(never?.ErrorEquals).toEqual(
      expect.arrayContaining([
        'DriftDetectedError',
        'RegistryConflictError',
        'Route53ChangeRejectedError',
        'Route53NotFoundError',
      ])
    );
    // Before the States.ALL retrier, which would otherwise retry them.
    expect(rollback?.Retry?.indexOf(never!)).toBe((rollback?.Retry?.length ?? 0) - 2);
    for (const [name, state] of tasks(asl)) {
      const busy = state.Retry?.find((retrier) => retrier.ErrorEquals.includes('Route53BusyError'));
      expect(busy?.ErrorEquals, name).toEqual(
        expect.arrayContaining(['RegistryBusyError', 'HandlerTimeoutError'])
      );
    }
  });

  it('retries Rollback long and ends in RolledBack, or RollbackFailed when it gives up', () => {
    // Prepare
    const asl = loadAsl();

    // Act
    const rollback = asl.States['Rollback'];
    const longRetry = rollback?.Retry?.find((retrier) =>
      retrier.ErrorEquals.includes('RollbackFailedError')
    );

    // Assess
    expect(longRetry?.ErrorEquals).toContain('Route53BusyError');
    expect(longRetry?.MaxAttempts).toBeGreaterThanOrEqual(10);
    expect(rollback?.Retry?.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
    expect(rollback?.Next).toBe('RolledBack');
    expect(rollback?.Catch?.at(-1)).toMatchObject({
      ErrorEquals: ['States.ALL'],
      Next: 'RollbackFailed',
    });
    expect(asl.States['RolledBack']).toMatchObject({
      Type: 'Fail',
      Error: 'RolledBack',
      CausePath: '$.outcome.reason',
    });
    expect(asl.States['RollbackFailed']).toMatchObject({ Type: 'Fail', Error: 'RollbackFailed' });
    expect(asl.States['StoppedOnDrift']).toMatchObject({ Type: 'Fail', Error: 'StoppedOnDrift' });
    expect(asl.States['PreflightFailed']).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });

  it('decides in the design order and fails safe: an unknown decision goes to Rollback', () => {
    // Prepare
    const decide = loadAsl().States['Decide'];

    // Act
    const targets = decide?.Choices?.map((rule) => rule.Next);

    // Assess
    expect(decide?.Type).toBe('Choice');
    expect(decide?.Default).toBe('Rollback');
    // advance and complete go straight on without step hooks, else pass the hooks first (AfterBakeHook, then
    // BeforeShiftHook for an advance).
    expect(targets).toEqual([
      'Rollback',
      'ShiftTraffic',
      'AfterBakeHook',
      'Complete',
      'AfterBakeHook',
      // A gate continues first when the budget says so (the registry carries the gate over), else waits.
      'ContinueAsNew',
      'WaitForApproval',
      'ContinueAsNew',
      'Bake',
    ]);
  });

  it('guards every Choice comparison with IsPresent so a missing field cannot raise States.Runtime', () => {
    // Prepare
    const asl = loadAsl();
    const choices = Object.entries(asl.States).filter(([, state]) => state.Type === 'Choice');

    // Act
    const unguarded = choices.flatMap(([name, state]) =>
      (state.Choices ?? []).flatMap((rule) =>
        unguardedComparisons(rule, new Set()).map((variable) => `${name}: ${variable}`)
      )
    );

    // Assess
    expect(choices.length).toBeGreaterThanOrEqual(3);
    for (const [name, state] of choices) expect(state.Default, `${name}: Default`).toBeTruthy();
    expect(unguarded).toEqual([]);
  });

  it('tests absence as Not + IsPresent: true, never IsPresent: false (aws-local-stepfunctions reads it as never true)', () => {
    // Prepare
    const asl = loadAsl();

    // Act
    const presentFalse = [...walk(asl.States)]
      .filter(([path, value]) => path.endsWith('.IsPresent') && value === false)
      .map(([path]) => path);

    // Assess
    expect(presentFalse).toEqual([]);
  });

  it('skips the hook Choices only when neither step hook is configured', () => {
    // Prepare
    const asl = loadAsl();
    const noHooks = [
      { Not: { Variable: '$.input.hooks.afterBake', IsPresent: true } },
      { Not: { Variable: '$.input.hooks.beforeShift', IsPresent: true } },
    ];

    // Act
    const skips = (['IsContinuation', 'Decide'] as const).flatMap((name) =>
      (asl.States[name]?.Choices ?? [])
        .filter((rule) => rule.Next === 'ShiftTraffic' || rule.Next === 'Complete')
        .map((rule) => ({ name, rule }))
    );

    // Assess
    expect(skips.map(({ name, rule }) => `${name} -> ${rule.Next}`)).toEqual([
      'IsContinuation -> ShiftTraffic',
      'Decide -> ShiftTraffic',
      'Decide -> Complete',
    ]);
    for (const { rule } of skips) expect(rule.And).toEqual(expect.arrayContaining(noHooks));
  });

  it('takes every Wait duration from $.waitSeconds (a step hook retry from input.hooks.retryLaterSeconds)', () => {
    // Prepare
    const asl = loadAsl();

    // Act
    const waits = Object.entries(asl.States).filter(([, state]) => state.Type === 'Wait');

    // Assess
    expect(waits.map(([name]) => name).sort()).toEqual([
      'Bake',
      'WaitForDnsSync',
      'WaitForStepHook',
    ]);
    for (const [name, state] of waits)
      expect(state.SecondsPath).toBe(
        name === 'WaitForStepHook' ? '$.input.hooks.retryLaterSeconds' : '$.waitSeconds'
      );
  });

  it('invokes step hooks natively (FunctionName.$), bounded, retried only on transient Lambda errors, any error caught to Rollback', () => {
    // Prepare
    const hook = loadAsl().States['InvokeStepHook'] as AslState & Record<string, unknown>;

    // Assess
    expect(hook).toMatchObject({
      Type: 'Task',
      Resource: `\${LambdaInvokeResource}`,
      Parameters: { 'FunctionName.$': '$.hook.functionName' },
      TimeoutSeconds: 900,
      ResultSelector: { 'answer.$': '$.Payload' },
      ResultPath: '$.hookCall',
      Next: 'CheckStepHookAnswer',
    });
    expect(hook.Retry?.map((retrier) => retrier.ErrorEquals)).toEqual([
      [...LAMBDA_TRANSIENT_ERRORS, 'Lambda.TooManyRequestsException'],
    ]);
    expect(hook.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Rollback' },
    ]);
  });
});

describe('SAM template (template.yaml)', () => {
  it('passes cfn-lint', () => {
    // Act
    const run = spawnSync('cfn-lint', [TEMPLATE_PATH], { cwd: ROOT, encoding: 'utf8' });

    // Assess
    expect(
      run.error,
      'cfn-lint must be on PATH (pip install cfn-lint); CI has it, so this is a failure, not a skip'
    ).toBeUndefined();
    expect(run.status, `cfn-lint output:\n${run.stdout}${run.stderr}`).toBe(0);
  }, 120_000);

  it('substitutes every placeholder of the definition, and nothing else', () => {
    // Prepare
    const template = loadTemplate();
    const used = placeholders(readText(ASL_PATH));

    // Act
    const properties = stateMachineProperties(template);
    const substitutions = (properties['DefinitionSubstitutions'] ?? {}) as Record<string, Json>;

    // Assess
    expect(properties['DefinitionUri']).toBe(ASL_PATH);
    expect(properties['Definition'], 'the ASL file is the only definition').toBeUndefined();
    expect(new Set(Object.keys(substitutions))).toEqual(used);
  });

  it('points each Task placeholder at the function built from that Task handler', () => {
    // Prepare
    const template = loadTemplate();
    const substitutions = stateMachineProperties(template)['DefinitionSubstitutions'] as Record<
      string,
      { 'Fn::GetAtt'?: string[] }
    >;

    // Act
    const entryPoints = Object.entries(TASK_HANDLERS).map(([state, file]) => {
      const target = substitutions[`${state}FunctionArn`]?.['Fn::GetAtt'];
      const resource = template.Resources[target?.[0] ?? ''] as SamFunction | undefined;
      return {
        state,
        attribute: target?.[1],
        entryPoints: resource?.Metadata?.BuildProperties?.['EntryPoints'],
        expected: [`${HANDLERS_DIR}/${file}.ts`],
      };
    });

    // Assess
    for (const entry of entryPoints) {
      expect(entry.attribute, entry.state).toBe('Arn');
      expect(entry.entryPoints, entry.state).toEqual(entry.expected);
    }
  });

  it('builds one esbuild ESM function per handler file, with Handler matching EntryPoints', () => {
    // Prepare
    const template = loadTemplate();
    const runtime = template.Globals?.Function?.Runtime ?? '';
    const target = runtime.replace(/^nodejs(\d+)\.x$/, 'node$1');
    const handlerFiles = readdirSync(`${ROOT}${HANDLERS_DIR}`)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.replace(/\.ts$/, ''));

    // Act
    const functions = serverlessFunctions(template).map(([name, resource]) => {
      const build = resource.Metadata?.BuildProperties ?? {};
      const entry = (build['EntryPoints'] as string[] | undefined)?.[0] ?? '';
      return {
        name,
        file: entry.replace(`${HANDLERS_DIR}/`, '').replace(/\.ts$/, ''),
        entry,
        handler: resource.Properties.Handler,
        buildMethod: resource.Metadata?.BuildMethod,
        build,
      };
    });
    const missing = functions
      .filter(({ entry }) => !existsSync(`${ROOT}${entry}`))
      .map(({ file }) => file);

    // Assess
    expect(runtime).toMatch(/^nodejs\d+\.x$/);
    expect(functions.map(({ file }) => file).sort()).toEqual([...ALL_HANDLERS].sort());
    for (const fn of functions) {
      expect(fn.entry, fn.name).toBe(`${HANDLERS_DIR}/${fn.file}.ts`);
      expect(fn.handler, fn.name).toBe(`${HANDLERS_DIR}/${fn.file}.handler`);
      expect(fn.buildMethod, fn.name).toBe('esbuild');
      expect(fn.build, fn.name).toMatchObject({
        Format: 'esm',
        Target: target,
        OutExtension: ['.js=.mjs'],
        Sourcemap: true,
      });
    }
    expect(missing.filter((file) => !HANDLERS_IN_PROGRESS.includes(file))).toEqual([]);
    expect(
      handlerFiles.filter((file) => !ALL_HANDLERS.includes(file)),
      'handler files without a function in the template'
    ).toEqual([]);
  });

  it('exports a handler named `handler` from every handler file that exists', () => {
    // Prepare
    const present = ALL_HANDLERS.filter((file) => existsSync(`${ROOT}${HANDLERS_DIR}/${file}.ts`));

    // Act
    const withoutExport = present.filter(
      (file) =>
        !/export\s+(const|async function|function)\s+handler\b/.test(
          readText(`${HANDLERS_DIR}/${file}.ts`)
        )
    );

    // Assess
    expect(withoutExport).toEqual([]);
  });
});
