import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const READY_LINE = /GraphQL API and GraphiQL at (http:\/\/\S+)/;
const OUTPUT_TAIL_CHARS = 20_000;
const STOP_GRACE_MS = 20_000;

/** The Node flags `npm start` gives the server (package.json's `config.serverNodeFlags`). */
export function serverNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { config: { serverNodeFlags: string } };
  return manifest.config.serverNodeFlags.split(/\s+/).filter(Boolean);
}

/**
 * The environment of a server process that a script measures (bench, load): as `npm start` runs
 * it (NODE_ENV=production unless set), on loopback and a free port, quiet, with no rate limit (it
 * would limit the script, not measure the server) and no version gate or Redis from the caller's
 * environment.
 */
function measuredServerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '0',
    REDIS_URL: '',
    MIN_CLIENT_VERSION: '',
  };
}

export interface ServerOptions {
  /** Added to measuredServerEnv(): the database and the switches of this run. */
  env: Record<string, string>;
  /** The Node.js executable that runs the API: the one running this script unless set. */
  node?: string;
  /** Node flags before the entry point (e.g. --cpu-prof), after those `npm start` gives. */
  nodeArgs?: string[];
  /**
   * A TypeScript entry point from the repository's root, run through tsx; unless set, the server
   * runs as `npm start` runs it (scripts/run.mjs: the compiled sources, compiled first if stale).
   */
  entry?: string;
  startupTimeoutMs: number;
  /** Called with every complete line the server writes to stdout or stderr. */
  onLine?: (line: string) => void;
  /**
   * Another program instead of the API (the bench's peers): its executable and arguments, and the
   * line it prints when it listens, with the URL as the first group.
   */
  program?: { executable: string; args: string[]; readyLine: RegExp };
}

export interface ServerProcess {
  /** The GraphQL endpoint, http://127.0.0.1:<port>/graphql. */
  url: string;
  pid: number;
  /** The last part of its stdout and stderr, for diagnostics. */
  outputTail(): string;
  /** SIGTERM (the server drains and exits 0), SIGKILL after a grace; resolves with how it ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
  /** Immediate SIGKILL, for error paths and hard stops. */
  kill(): void;
}

/**
 * The server as `npm start` runs it, in a process of its own (so the measuring script's CPU and
 * event loop are not the server's), for the bench and the load test. Resolves when it says it
 * listens; rejects if it exits first or does not start in time.
 */
export async function startServerProcess(options: ServerOptions): Promise<ServerProcess> {
  const executable = options.program?.executable ?? options.node ?? process.execPath;
  const entry = options.entry ? ['--import', 'tsx', options.entry] : ['scripts/run.mjs', 'main.js'];
  const args = options.program?.args ?? [...serverNodeFlags(), ...(options.nodeArgs ?? []), ...entry];
  const readyLine = options.program?.readyLine ?? READY_LINE;
  const child = spawn(executable, args, {
    cwd: REPO_ROOT,
    env: { ...measuredServerEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-OUTPUT_TAIL_CHARS);
    if (!options.onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) options.onLine(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`The server did not start within ${options.startupTimeoutMs / 1000} s. Output:\n${tail}`));
    }, options.startupTimeoutMs);
    const check = () => {
      const match = readyLine.exec(tail);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve(match[1]!);
    };
    child.stdout.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`The server exited before it was ready (code ${code}, signal ${signal}). Output:\n${tail}`));
    });
  });

  return {
    url,
    pid: child.pid ?? -1,
    outputTail: () => tail,
    kill,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        kill();
      }, STOP_GRACE_MS);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, killed };
    },
  };
}
