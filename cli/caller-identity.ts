/**
 * Who asks, for the audit trail: STS GetCallerIdentity's ARN when the migration runs as a deployed execution
 * (the IAM principal that answered, not a name anyone can type), `TRAFFIC_SHIFT_OPERATOR` or `$USER@host` for a
 * local run. GetCallerIdentity needs no IAM permission; the SDK takes its endpoint from AWS_ENDPOINT_URL_STS or
 * AWS_ENDPOINT_URL when set.
 */
import { hostname, userInfo } from 'node:os';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/**
 * The local operator: `TRAFFIC_SHIFT_OPERATOR` when set (a CI job names itself), else `$USER@host`.
 *
 * @example
 * localIdentity({ USER: 'ana' }); // => 'ana@<this host>'
 */
export function localIdentity(env: NodeJS.ProcessEnv = process.env): string {
  const named = env['TRAFFIC_SHIFT_OPERATOR']?.trim();
  if (named) return named;
  let user = env['USER'] ?? env['USERNAME'];
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}

/**
 * The caller's ARN (STS GetCallerIdentity).
 *
 * @throws Error naming STS's error when the call is refused or answers without an ARN.
 */
export async function callerArn(sts: Pick<STSClient, 'send'>): Promise<string> {
  let arn: string | undefined;
  try {
    arn = (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } catch (error) {
    const name = (error as Error).name ?? 'Error';
    throw new Error(`STS GetCallerIdentity failed: ${name}: ${(error as Error).message}`);
  }
  if (arn === undefined) throw new Error('STS GetCallerIdentity answered without an Arn');
  return arn;
}

/**
 * Who asks about a migration: the STS caller ARN when it runs as a deployed execution, else the local operator.
 *
 * @throws Error when STS cannot name a deployed run's caller (the audit line would be unsigned).
 */
export async function operatorIdentity(options: {
  deployed: boolean;
  region: string;
  sts?: Pick<STSClient, 'send'>;
}): Promise<string> {
  if (!options.deployed) return localIdentity();
  return callerArn(options.sts ?? new STSClient({ region: options.region }));
}
