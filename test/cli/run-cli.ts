/**
 * Runs the real command line (`node bin/traffic-shift.mjs ...`, which starts `cli/main.ts` on the
 * project's Node 24) as a child process, the way a person or a script does; or any other command (npm,
 * npx) the same way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = resolve(ROOT, 'bin/traffic-shift.mjs');
/** The CLI itself, without the wrapper (a test that kills "the run-local process" kills this one). */
export const MAIN = resolve(ROOT, 'cli/main.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves once stderr or stdout contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<CliResult>;
  /** What it has printed so far. */
  output(): { stdout: string; stderr: string };
}

/** Environment without the caller's AWS settings (tests name every endpoint they use). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('AWS_') || key.startsWith('POWERTOOLS_')) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv()): RunningCli {
  return startCommand(process.execPath, [BIN, ...args], env);
}

/** Starts `command args` in the project directory, capturing its output. */
export function startCommand(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = cleanEnv()
): RunningCli {
  const child = spawn(command, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string | RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const all = stdout + stderr;
      if (typeof waiter.text === 'string' ? all.includes(waiter.text) : waiter.text.test(all)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    check();
  });
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    output: () => ({ stdout, stderr }),
    waitFor(text, timeoutMs = 30_000) {
      return new Promise<void>((resolvePromise, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `timed out waiting for ${String(text)}\nstdout:\n${stdout}\nstderr:\n${stderr}`
              )
            ),
          timeoutMs
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolvePromise();
          },
        });
        check();
        void done.then(() => {
          clearTimeout(timer);
          reject(
            new Error(
              `the command ended before ${String(text)} appeared\nstdout:\n${stdout}\nstderr:\n${stderr}`
            )
          );
        });
      });
    },
  };
}

export function runCli(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).done;
}
