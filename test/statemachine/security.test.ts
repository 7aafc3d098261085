/**
 * Security guard rails on template.yaml (IAM) and functions/ (no credential or full-input logging).
 * Every IAM statement anywhere in the template is found by walking it for `Statement` arrays, so inline
 * SAM policies, managed policies and raw roles are all covered.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../support/cfn-template.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATE_PATH = 'template.yaml';
const RECORD_CONDITION_KEYS = [
  'route53:ChangeResourceRecordSetsNormalizedRecordNames',
  'route53:ChangeResourceRecordSetsRecordTypes',
  'route53:ChangeResourceRecordSetsActions',
];
/** Only these functions may change records (design.md section 3). */
const RECORD_WRITERS = [
  'ShiftTrafficFunction',
  'RollbackFunction',
  'OnExecutionEndFunction',
  'ReconcileFunction',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: Json;
  NotResource?: Json;
  Condition?: Record<string, Record<string, Json>>;
}
interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
}
interface Template {
  Resources: Record<string, Resource>;
}
interface FoundStatement {
  where: string;
  statement: Statement;
}

function loadTemplate(): Template {
  return parseTemplate(`${ROOT}${TEMPLATE_PATH}`) as Template;
}

/** Every IAM statement under `value`, with a readable location. */
function statementsIn(value: unknown, where: string): FoundStatement[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => statementsIn(item, `${where}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const own = Array.isArray(record['Statement'])
    ? (record['Statement'] as Statement[]).map((statement, index) => ({
        where: `${where}.Statement[${index}]${statement.Sid ? ` (${statement.Sid})` : ''}`,
        statement,
      }))
    : [];
  const nested = Object.entries(record)
    .filter(([key]) => key !== 'Statement')
    .flatMap(([key, item]) => statementsIn(item, `${where}.${key}`));
  return [...own, ...nested];
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Whether an IAM action pattern (with * and ? wildcards, case-insensitive) covers `action`. */
function covers(pattern: string, action: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(action);
}
function allows(statement: Statement, action: string): boolean {
  return (
    statement.Effect === 'Allow' &&
    list(statement.Action).some((pattern) => covers(pattern, action))
  );
}

/** The statements that apply to a SAM function: its inline policies and the managed policies it !Refs. */
function functionStatements(template: Template, name: string): FoundStatement[] {
  const policies = (template.Resources[name]?.Properties?.['Policies'] ?? []) as Json[];
  return policies.flatMap((policy, index) => {
    const ref =
      policy !== null && typeof policy === 'object' && !Array.isArray(policy)
        ? policy['Ref']
        : undefined;
    if (typeof ref === 'string') {
      return statementsIn(template.Resources[ref]?.Properties?.['PolicyDocument'], ref);
    }
    return statementsIn(policy, `${name}.Policies[${index}]`);
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(`${ROOT}${dir}`, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => `${dir}/${file}`);
}

describe('IAM in template.yaml', () => {
  const template = loadTemplate();
  const statements = statementsIn(template.Resources, 'Resources');

  it('finds the IAM statements it checks', () => {
    // Assess
    expect(statements.length).toBeGreaterThan(10);
  });

  it('allows no Action "*" and no NotAction', () => {
    // Act
    const offending = statements
      .filter(
        ({ statement }) =>
          statement.Effect === 'Allow' &&
          (list(statement.Action).includes('*') || statement.NotAction !== undefined)
      )
      .map(({ where }) => where);

    // Assess
    expect(offending).toEqual([]);
  });

  it('allows ChangeResourceRecordSets only on named zones and under all three record-level conditions', () => {
    // Prepare
    const writes = statements.filter(({ statement }) =>
      allows(statement, 'route53:ChangeResourceRecordSets')
    );

    // Act
    const offending = writes.flatMap(({ where, statement }) => {
      const problems: string[] = [];
      if (statement.NotResource !== undefined) problems.push('NotResource');
      if (statement.Resource === undefined || JSON.stringify(statement.Resource).includes('*')) {
        problems.push(`Resource ${JSON.stringify(statement.Resource)} contains '*'`);
      }
      const condition = statement.Condition ?? {};
      const scoped = {
        ...(condition['ForAllValues:StringEquals'] ?? {}),
        ...(condition['ForAllValues:StringLike'] ?? {}),
      };
      for (const key of RECORD_CONDITION_KEYS) {
        if (!(key in scoped)) problems.push(`no ForAllValues condition on ${key}`);
      }
      return problems.map((problem) => `${where}: ${problem}`);
    });

    // Assess
    expect(writes.length).toBeGreaterThan(0);
    expect(offending).toEqual([]);
  });

  it('lets only shift-traffic, rollback, on-execution-end and reconcile change records', () => {
    // Prepare
    const functions = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
      .map(([name]) => name);

    // Act
    const writers = functions.filter((name) =>
      functionStatements(template, name).some(({ statement }) =>
        allows(statement, 'route53:ChangeResourceRecordSets')
      )
    );

    // Assess
    expect(writers.sort()).toEqual([...RECORD_WRITERS].sort());
  });

  it('never allows states:RedriveExecution', () => {
    // Act
    const offending = statements
      .filter(({ statement }) => allows(statement, 'states:RedriveExecution'))
      .map(({ where }) => where);

    // Assess
    expect(offending).toEqual([]);
  });

  it('explicitly denies states:RedriveExecution to every function that can call Step Functions', () => {
    // Prepare
    const functions = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
      .map(([name]) => name);

    // Act
    const withoutDeny = functions.filter((name) => {
      const own = functionStatements(template, name).map(({ statement }) => statement);
      const touchesStepFunctions = own.some(
        (statement) =>
          statement.Effect === 'Allow' &&
          list(statement.Action).some((action) => action.toLowerCase().startsWith('states:'))
      );
      const denies = own.some(
        (statement) =>
          statement.Effect === 'Deny' &&
          list(statement.Action).some((action) => covers(action, 'states:RedriveExecution'))
      );
      return touchesStepFunctions && !denies;
    });

    // Assess
    expect(withoutDeny).toEqual([]);
  });
});

describe('Migration registry in template.yaml', () => {
  const template = loadTemplate();
  const statements = statementsIn(template.Resources, 'Resources');
  const tableArn = { 'Fn::GetAtt': ['MigrationRegistryTable', 'Arn'] };
  /** The registry calls each function makes (functions/lib/ownership.ts, recover.ts, the adapter). */
  const REGISTRY_USERS = {
    PreflightFunction: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
    ShiftTrafficFunction: ['GetItem', 'UpdateItem', 'PutItem', 'DeleteItem'],
    CompleteFunction: ['GetItem', 'PutItem', 'DeleteItem'],
    ContinueAsNewFunction: ['GetItem', 'UpdateItem'],
    RollbackFunction: ['GetItem', 'UpdateItem', 'PutItem', 'DeleteItem'],
    OnExecutionEndFunction: ['Scan', 'GetItem', 'UpdateItem', 'PutItem', 'DeleteItem'],
    ReconcileFunction: ['Scan', 'GetItem', 'UpdateItem', 'PutItem', 'DeleteItem'],
  };

  it("creates the table on demand-billing with point-in-time recovery and the adapter's key schema", () => {
    // Act
    const table = template.Resources['MigrationRegistryTable'];

    // Assess
    expect(table?.Type).toBe('AWS::DynamoDB::Table');
    expect(table?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('allows DynamoDB actions only on the registry table, and only the ones each function uses', () => {
    // Act
    const dynamo = statements.filter(({ statement }) =>
      list(statement.Action).some((action) => action.startsWith('dynamodb:'))
    );
    const granted = Object.fromEntries(
      Object.keys(REGISTRY_USERS).map((name) => [
        name,
        functionStatements(template, name)
          .flatMap(({ statement }) => list(statement.Action))
          .filter((action) => action.startsWith('dynamodb:'))
          .map((action) => action.replace('dynamodb:', ''))
          .sort(),
      ])
    );

    // Assess
    for (const { where, statement } of dynamo) expect(statement.Resource, where).toEqual(tableArn);
    expect(granted).toEqual(
      Object.fromEntries(
        Object.entries(REGISTRY_USERS).map(([name, actions]) => [name, [...actions].sort()])
      )
    );
  });

  it('names the table in REGISTRY_TABLE for every function that uses it', () => {
    // Act
    const missing = Object.keys(REGISTRY_USERS).filter((name) => {
      const variables = (
        template.Resources[name]?.Properties?.['Environment'] as {
          Variables?: Record<string, Json>;
        }
      )?.Variables;
      return (
        JSON.stringify(variables?.['REGISTRY_TABLE']) !==
        JSON.stringify({ Ref: 'MigrationRegistryTable' })
      );
    });

    // Assess
    expect(missing).toEqual([]);
  });

  it('lets ContinueAsNew describe the successor name it refuses to reuse', () => {
    // Act
    const actions = functionStatements(template, 'ContinueAsNewFunction').flatMap(({ statement }) =>
      list(statement.Action)
    );

    // Assess
    expect(actions).toContain('states:DescribeExecution');
  });

  it('sends events on-execution-end gave up on to an alarmed queue', () => {
    // Act
    const config = template.Resources['OnExecutionEndFunction']?.Properties?.['EventInvokeConfig'];
    const alarm = template.Resources['OnExecutionEndFailedAlarm'];

    // Assess
    expect(config).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: {
          Type: 'SQS',
          Destination: { 'Fn::GetAtt': ['OnExecutionEndDeadLetterQueue', 'Arn'] },
        },
      },
    });
    expect(alarm?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': ['OnExecutionEndDeadLetterQueue', 'QueueName'] },
        },
      ],
    });
  });
});

describe('Logging in functions/', () => {
  const files = sourceFiles('functions');
  const sources = files.map((file) => ({
    file,
    text: readFileSync(`${ROOT}${file}`, 'utf8'),
  }));
  const findings = (pattern: RegExp) =>
    sources.flatMap(({ file, text }) =>
      [...text.matchAll(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))].map(
        (match) => `${file}:${text.slice(0, match.index).split('\n').length}: ${match[0].trim()}`
      )
    );

  it('scans every TypeScript file under functions/', () => {
    // Assess
    expect(files.length).toBeGreaterThan(0);
  });

  it('never logs process.env wholesale', () => {
    // Act
    const logged = [
      ...findings(/\b(?:logger|log|console)\.\w+\s*\([^;]*?process\.env(?!\s*(?:\.|\[|\?\.))/s),
      ...findings(/JSON\.stringify\s*\(\s*process\.env\s*[,)]/),
      ...findings(/\.\.\.\s*process\.env\b(?!\s*(?:\.|\[|\?\.))/),
    ];

    // Assess
    expect(logged).toEqual([]);
  });

  it('never touches AWS credentials (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, accessKeyId)', () => {
    // Act
    const mentions = findings(
      /AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|accessKeyId|secretAccessKey/
    );

    // Assess
    expect(mentions).toEqual([]);
  });

  it('never logs the full event (logEvent: true, POWERTOOLS_LOGGER_LOG_EVENT)', () => {
    // Prepare
    const template = readFileSync(`${ROOT}${TEMPLATE_PATH}`, 'utf8');

    // Act
    const inCode = findings(/logEvent\s*:\s*true|POWERTOOLS_LOGGER_LOG_EVENT/);
    const inTemplate = /POWERTOOLS_LOGGER_LOG_EVENT\s*:\s*['"]?true/i.test(template);

    // Assess
    expect(inCode).toEqual([]);
    expect(inTemplate).toBe(false);
  });
});
