/**
 * Who answers a gate, for the audit trail: STS GetCallerIdentity's ARN for a deployed execution, `$USER@host`
 * for a local one. The project carries no STS client (package.json), so this is one SigV4-signed POST with
 * node:crypto and fetch; credentials and region come from the SDK's default chain through another client's
 * resolved config. Endpoint: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the regional STS endpoint.
 */
import { createHash, createHmac } from 'node:crypto';
import { hostname, userInfo } from 'node:os';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: Buffer | string, text: string) =>
  createHmac('sha256', key).update(text).digest();

/** The local operator: `$USER@host` (os user when USER is unset). */
export function localIdentity(env: NodeJS.ProcessEnv = process.env): string {
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

export function stsEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = env['AWS_ENDPOINT_URL_STS'] ?? env['AWS_ENDPOINT_URL'];
  if (given) return given;
  return region.startsWith('cn-')
    ? `https://sts.${region}.amazonaws.com.cn`
    : `https://sts.${region}.amazonaws.com`;
}

/**
 * STS GetCallerIdentity (Query API, SigV4). Returns the caller's ARN.
 *
 * @throws Error naming STS's error code when the call is refused.
 */
export async function callerArn(
  credentials: Credentials,
  region: string,
  endpoint: string = stsEndpoint(region),
  now: Date = new Date()
): Promise<string> {
  const url = new URL(endpoint);
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    host: url.host,
    'x-amz-date': amzDate,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonical = [
    'POST',
    url.pathname || '/',
    '',
    ...names.map((name) => `${name}:${headers[name]}`),
    '',
    names.join(';'),
    sha256(body),
  ].join('\n');
  const scope = `${day}/${region}/sts/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [region, 'sts', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  const { host: _host, ...sent } = headers;
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...sent, authorization },
    body,
  });
  const text = await response.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!response.ok || arn === undefined) {
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
    throw new Error(`STS GetCallerIdentity failed: ${code}`);
  }
  return arn;
}
