/**
 * The commands for a deployed stack (start, status, abort) against moto's Step Functions API: the state
 * machine is created from the real ASL text; with moto's execution simulation off, executions stay RUNNING
 * until stopped, which is what a just-started migration looks like.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFINITION_PATH } from '../../cli/local-engine.ts';
import { parseMigrationInput } from '../../functions/core/input.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { cleanEnv, ROOT, runCli } from './run-cli.ts';

const EXAMPLE = join(ROOT, 'examples/minimal-steps.json');
let moto: Moto;
let sfn: SFNClient;
let stateMachineArn: string;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(join(tmpdir(), 'traffic-shift-deployed-'));

beforeAll(async () => {
  moto = await startMoto();
  sfn = new SFNClient(clientConfig(moto.endpoint));
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: 'demo-traffic-shift',
      definition: readFileSync(DEFINITION_PATH, 'utf8'),
      roleArn: 'arn:aws:iam::123456789012:role/x',
    })
  );
  stateMachineArn = created.stateMachineArn ?? '';
  env = cleanEnv({
    AWS_ENDPOINT_URL_SFN: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
});
afterAll(async () => {
  await moto.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Started {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  consoleUrl: string;
}

async function startExample(...extra: string[]): Promise<Started> {
  const result = await runCli(
    ['start', EXAMPLE, '--state-machine-arn', stateMachineArn, '--json', ...extra],
    env
  );
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Started;
}

describe('commands for a deployed stack, against moto Step Functions', () => {
  it('start: validates, starts an execution named after the migration id with the validated input', async () => {
    // Act
    const started = await startExample();

    // Assess
    expect(started.name).toMatch(/^orders-api-\d{8}T\d{6}Z$/);
    expect(started.executionArn).toBe(
      `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${started.name}`
    );
    expect(started.consoleUrl).toBe(
      `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${started.executionArn}`
    );
    const described = await sfn.send(
      new DescribeExecutionCommand({ executionArn: started.executionArn })
    );
    expect(described.status).toBe('RUNNING');
    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as unknown;
    expect(JSON.parse(described.input ?? 'null')).toEqual(parseMigrationInput(example));
  });

  it('start --stack --account derives the state machine from the template naming rule and prints ARN and console link', async () => {
    // Act
    const result = await runCli(
      [
        'start',
        EXAMPLE,
        '--stack',
        'demo',
        '--account',
        '123456789012',
        '--name',
        'orders-by-stack',
      ],
      env
    );

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const arn =
      'arn:aws:states:us-east-1:123456789012:execution:demo-traffic-shift:orders-by-stack';
    expect(result.stdout).toContain(`execution  ${arn}`);
    expect(result.stdout).toContain(
      `console    https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${arn}`
    );
  });

  it('start with an invalid input exits 4 and starts nothing', async () => {
    // Prepare
    const before = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));

    // Act
    const result = await runCli(
      ['start', join(ROOT, 'package.json'), '--state-machine-arn', stateMachineArn],
      env
    );

    // Assess
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('migrationId: is required');
    const after = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(after.executions?.length).toBe(before.executions?.length);
  });

  it('status --json shows a RUNNING execution with its migration id and no progress yet', async () => {
    // Prepare
    const started = await startExample('--name', 'status-check');

    // Act
    const result = await runCli(['status', started.executionArn, '--json'], env);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const view = JSON.parse(result.stdout) as {
      status: string;
      migrationId: string;
      executionArn: string;
      progress: unknown;
    };
    expect(view).toMatchObject({
      status: 'RUNNING',
      migrationId: 'orders-api',
      executionArn: started.executionArn,
    });
    expect(view.progress).toBeNull();
  });

  it('abort --keep-weights stops the execution (ABORTED); a second abort is refused', async () => {
    // Prepare
    const started = await startExample('--name', 'abort-check');

    // Act
    const result = await runCli(
      ['abort', started.executionArn, '--keep-weights', '--reason', 'test', '--json'],
      env
    );
    const again = await runCli(['abort', started.executionArn], env);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      executionArn: started.executionArn,
      stopped: true,
      error: 'KeepWeights',
      cause: 'test',
    });
    const described = await sfn.send(
      new DescribeExecutionCommand({ executionArn: started.executionArn })
    );
    expect(described.status).toBe('ABORTED');
    expect(again.code).toBe(9);
    expect(again.stderr).toContain('is ABORTED: nothing to stop');
  });

  it('status --watch ends with the exit code of an execution that has ended', async () => {
    // Prepare
    const started = await startExample('--name', 'watch-check');
    const aborted = await runCli(['abort', started.executionArn], env);
    const consequence = aborted.stdout.split('\n')[1]?.trim() ?? '?';

    // Act
    const result = await runCli(['status', started.executionArn, '--watch', '1'], env);

    // Assess
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('ABORTED');
    // One source of truth: status says what abort said on-execution-end does (moto's static history has
    // no preflight output, so here: nothing to restore).
    expect(result.stdout).toContain(`on-end     ${consequence}`);
    expect(consequence).toContain('nothing to restore');
  });

  it('report ARN pages the history and writes the HTML report (moto serves a static history)', async () => {
    // Prepare
    const started = await startExample('--name', 'report-check');
    const out = join(dir, 'report.html');

    // Act
    const result = await runCli(['report', started.executionArn, '--out', out, '--json'], env);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      command: 'report',
      executionArn: started.executionArn,
      report: out,
    });
    expect(readFileSync(out, 'utf8')).toContain('<svg id="chart"');
  });

  it('status of an execution that does not exist exits 8 naming the service error', async () => {
    // Act
    const result = await runCli(
      ['status', `${stateMachineArn.replace(':stateMachine:', ':execution:')}:missing`],
      env
    );

    // Assess
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('ExecutionDoesNotExist');
  });
});
