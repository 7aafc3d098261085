/**
 * Starts a private `moto_server` on a free loopback port, for the rehearsal and the tests (local-aws.md §3.2).
 * One server per test file: `beforeAll(startMoto)`, `afterAll(moto.stop)`. Every child is also killed
 * when the test process exits, so a crashed or interrupted run leaves no server behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface Moto {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The server's process id. */
  pid: number;
  /** Kills the server and waits until it has exited. Safe to call twice. */
  stop: () => Promise<void>;
}

/** SDK client configuration pointing at a moto endpoint with dummy credentials. */
export interface MotoClientConfig {
  endpoint: string;
  region: 'us-east-1';
  credentials: { accessKeyId: string; secretAccessKey: string };
}

const STARTUP_ATTEMPTS = 150;
const LAUNCHER = fileURLToPath(new URL('./moto-launcher.py', import.meta.url));
const STARTUP_POLL_MS = 100;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Kills every server this process started when the process exits (teardown skipped, crash, Ctrl-C).
 * With `handleSignals` false the caller owns SIGINT/SIGTERM (the rehearsal turns Ctrl-C into an abort).
 */
function installExitHook(handleSignals: boolean): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
  };
  process.once('exit', killAll);
  if (!handleSignals) return;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** Asks the OS for a free loopback port. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `moto_server -H 127.0.0.1 -p <free port>` (through `moto-launcher.py`) and resolves once
 * `POST /moto-api/reset` answers. `detached` puts the server in its own process group: Ctrl-C in a
 * terminal signals the whole foreground group, and the rehearsal needs moto alive after Ctrl-C so that
 * on-execution-end can restore the snapshot. Either way the server dies with this process, even when this
 * process is killed with SIGKILL (the launcher's PR_SET_PDEATHSIG on Linux, and its stdin closing).
 *
 * @throws Error when the server exits early or does not answer within about 15 s.
 * @example
 * let moto: Moto;
 * beforeAll(async () => { moto = await startMoto(); });
 * afterAll(() => moto.stop());
 */
export async function startMoto(
  options: {
    handleSignals?: boolean;
    detached?: boolean;
    /** The Python that runs the launcher (default python3 on the PATH; rehearse may pass .cache/moto-venv's). */
    python?: string;
  } = {}
): Promise<Moto> {
  installExitHook(options.handleSignals ?? true);
  const port = await freePort();
  // MOTO_PORT must equal -p: moto calls itself on that port (e.g. Lambda from Step Functions).
  // The launcher ties the server's life to this process (SIGKILL included); its stdin is the lifeline.
  const child = spawn(
    options.python ?? 'python3',
    [LAUNCHER, String(process.pid), '-H', '127.0.0.1', '-p', String(port)],
    {
      env: { ...process.env, MOTO_PORT: String(port) },
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: options.detached ?? false,
    }
  );
  running.add(child);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    running.delete(child);
    child.kill('SIGTERM');
    await waitForExit(child);
  };

  for (let attempt = 0; attempt < STARTUP_ATTEMPTS; attempt++) {
    if (spawnError) break;
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (response.ok) return { endpoint, pid: child.pid ?? 0, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, STARTUP_POLL_MS));
  }
  await stop();
  throw new Error(
    `moto_server did not answer on ${endpoint}` +
      (spawnError
        ? `: ${spawnError.message} (needs python3 with moto: pip install "moto[server]")`
        : child.exitCode !== null
          ? `: exited with ${child.exitCode}`
          : ''),
    spawnError ? { cause: spawnError } : undefined
  );
}

/**
 * Client configuration for any AWS SDK v3 client against moto.
 *
 * @example
 * const route53 = new Route53Client(clientConfig(moto.endpoint));
 */
export function clientConfig(endpoint: string): MotoClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
}

/** Drops all of moto's state (zones, metrics, state machines). */
export async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
}
