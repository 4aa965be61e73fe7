import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { expect } from 'vitest';

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * How an entry point of this project runs, as npm scripts run it: a module of src/ from its
 * compiled copy in dist/ (as `npm start` and `npm run admin` do; test/support/global-setup.ts
 * compiled it), a script through tsx.
 */
function nodeArgs(entry: string): string[] {
  if (entry.startsWith('src/') && entry.endsWith('.ts')) return [entry.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js')];
  if (entry.endsWith('.mjs')) return [entry];
  return ['--import', 'tsx', entry];
}

/** Runs an entry point of this project (src/… or scripts/….ts) in a child process, as npm scripts do. */
export function runTs(entry: string, args: string[], env: Record<string, string | undefined>): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs(entry), ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Starting the server migrates and seeds the embedded database: bounded work, but a loaded 2-core
 * machine has taken over a minute for it, so the wait is generous (a test's own timeout is longer).
 */
const START_TIMEOUT_MS = 150_000;

export interface Started {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `pattern` in stdout+stderr, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code when the process ends by itself. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Starts a long-running entry point (the server) in a child process. */
export function startTs(entry: string, env: Record<string, string | undefined>, args: string[] = []): Started {
  return started(spawn(process.execPath, [...nodeArgs(entry), ...args], { env: { ...process.env, ...env } }));
}

/** Starts `npm run <script>` (`npm start` for 'start'), as a newcomer or a process manager runs it. */
export function startNpmScript(script: string, env: Record<string, string | undefined>): Started {
  return started(spawn('npm', script === 'start' ? ['start'] : ['run', script], { env: { ...process.env, ...env } }));
}

function started(child: ChildProcessWithoutNullStreams): Started {
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs = START_TIMEOUT_MS) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`Timed out waiting for ${pattern}; output so far:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`Process exited before ${pattern}; output:\n${output}`));
          }
        });
        check();
      }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Runs `body` while the processes run, then stops them with SIGTERM. A failure of the body is
 * reported as it is (the processes are stopped without judging their exit); otherwise each must
 * exit with code 0, as a graceful stop does.
 */
export async function whileRunning<T>(started: Started | Started[], body: () => Promise<T>): Promise<T> {
  const all = Array.isArray(started) ? started : [started];
  let result: T;
  try {
    result = await body();
  } catch (error) {
    await Promise.all(all.map((one) => one.stop()));
    throw error;
  }
  for (const one of all) expect(await one.stop(), `exit code of a graceful stop; output:\n${one.output()}`).toBe(0);
  return result;
}
