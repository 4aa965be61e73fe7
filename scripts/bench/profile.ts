import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The parts of V8's .cpuprofile (what `node --cpu-prof` writes) that self time needs. */
interface CpuProfile {
  /** Microseconds on the monotonic clock (CLOCK_MONOTONIC on Linux, as process.hrtime). */
  startTime: number;
  endTime: number;
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  /** file:line, or package for dependencies. */
  where: string;
  ms: number;
  /** Share of the profile's busy time (idle excluded). */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Whether only the measured window was counted (else the whole process life, start-up included). */
  windowed: boolean;
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  /** Self time grouped by package (src, a node_modules package, node internals, V8). */
  packages: SelfTime[];
}

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const IDLE = '(idle)';

/** Where code lives, coarsely: `src/yoga.ts`, a package name, `node:internal`, or V8's own. */
function locate(url: string): { file: string; owner: string } {
  if (!url) return { file: '', owner: '(v8)' };
  if (url.startsWith('node:')) return { file: url, owner: 'node:internal' };
  const file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first = '', second = ''] = file.slice(modules + '/node_modules/'.length).split('/');
    const owner = first.startsWith('@') ? `${first}/${second}` : first;
    return { file: `${owner}/…/${path.basename(file)}`, owner };
  }
  const relative = path.relative(REPO_ROOT, file);
  // The server runs the compiled sources (dist/, as npm start does); the unbatched baseline runs src/ through tsx.
  const ours = relative.startsWith('src/') || relative.startsWith('dist/');
  return { file: relative, owner: ours ? 'src (this API)' : (relative.split('/')[0] ?? relative) };
}

/** A span of the monotonic clock, in microseconds (process.hrtime.bigint() / 1000n). */
export interface ClockWindow {
  fromUs: number;
  toUs: number;
}

/**
 * Self time per function: each sample's time goes to the frame on top of the stack. With a
 * window, only samples taken inside it count (the server's start-up and warm-up are left out);
 * the profile and the window share the monotonic clock, so the server's samples line up with the
 * times the bench took in its own process.
 */
export function summarizeProfile(profile: CpuProfile, file: string, top = 10, window?: ClockWindow): ProfileSummary {
  const windowed = window !== undefined && window.fromUs >= profile.startTime && window.toUs <= profile.endTime;
  let at = profile.startTime;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, SelfTime>();
  const packages = new Map<string, SelfTime>();
  let busyUs = 0;
  let idleUs = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (windowed && (at < window.fromUs || at > window.toUs)) return;
    const us = profile.timeDeltas[i + 1] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    if (frame.functionName === IDLE) {
      idleUs += us;
      return;
    }
    busyUs += us;
    const { file: where, owner } = locate(frame.url);
    const name = frame.functionName || '(anonymous)';
    const key = `${name}\0${where}:${frame.lineNumber}`;
    // TypeScript run through tsx has positions that say nothing about the source.
    const position = where && !where.endsWith('.ts') ? `:${frame.lineNumber + 1}` : '';
    const fn = functions.get(key) ?? { name, where: `${where}${position}`, ms: 0, percent: 0 };
    fn.ms += us / 1000;
    functions.set(key, fn);
    const pkg = packages.get(owner) ?? { name: owner, where: '', ms: 0, percent: 0 };
    pkg.ms += us / 1000;
    packages.set(owner, pkg);
  });
  const rank = (items: Iterable<SelfTime>, n: number) =>
    [...items]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, n)
      .map((item) => ({ ...item, ms: Math.round(item.ms), percent: busyUs === 0 ? 0 : Math.round((item.ms * 1000 * 1000) / busyUs) / 10 }));
  return {
    file,
    windowed,
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    functions: rank(functions.values(), top),
    packages: rank(packages.values(), 25),
  };
}

/**
 * The main thread's profile among those in `dir`: with `--import tsx` the module loader runs on
 * a thread of its own, which writes a profile too (mostly idle).
 */
export async function readServerProfile(dir: string, window?: ClockWindow, top = 10): Promise<ProfileSummary> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`No .cpuprofile in ${dir}: did the server exit cleanly?`);
  const profiles = await Promise.all(
    files.map(async (name) => ({
      file: path.join(dir, name),
      profile: JSON.parse(await readFile(path.join(dir, name), 'utf8')) as CpuProfile,
    })),
  );
  const busySamples = ({ profile }: { profile: CpuProfile }) => {
    const idle = new Set(profile.nodes.filter((node) => node.callFrame.functionName === IDLE).map((node) => node.id));
    return profile.samples.filter((id) => !idle.has(id)).length;
  };
  const main = profiles.sort((a, b) => busySamples(b) - busySamples(a))[0]!;
  return summarizeProfile(main.profile, main.file, top, window);
}

export function formatProfile(summary: ProfileSummary): string {
  const line = (item: SelfTime) =>
    `${String(item.ms).padStart(7)} ms ${item.percent.toFixed(1).padStart(5)}%  ${item.name}${item.where ? `  ${item.where}` : ''}`;
  return [
    `Profile: ${summary.file}`,
    `${summary.windowed ? 'Measured window only' : 'Whole process life, start-up included (the window did not line up)'}: busy ${summary.busyMs} ms, idle ${summary.idleMs} ms (percentages are of busy time)`,
    '',
    `Top ${summary.functions.length} functions by self time:`,
    ...summary.functions.map(line),
    '',
    'Self time by package:',
    ...summary.packages.map(line),
  ].join('\n');
}
