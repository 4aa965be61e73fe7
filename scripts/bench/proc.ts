import { readdir, readFile } from 'node:fs/promises';

/** Linux reports CPU time in clock ticks of USER_HZ, which is 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** The process and its descendants (cluster workers, database backends), from /proc/<pid>/task/<tid>/children. */
export async function processTree(pid: number): Promise<number[]> {
  const pids = [pid];
  for (let i = 0; i < pids.length; i += 1) {
    const tasks = await readdir(`/proc/${pids[i]}/task`).catch(() => [] as string[]);
    for (const task of tasks) {
      const children = await readFile(`/proc/${pids[i]}/task/${task}/children`, 'utf8').catch(() => '');
      for (const child of children.split(' ').filter(Boolean)) pids.push(Number(child));
    }
  }
  return pids;
}

export async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`No VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/**
 * utime + stime of one process, in seconds (fields 14 and 15 of /proc/<pid>/stat, after the
 * command name); with `reaped`, also the time of the children it has waited for (16 and 17).
 */
export async function readCpuSeconds(pid: number, { reaped = false } = {}): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  return (reaped ? own + Number(fields[13]) + Number(fields[14]) : own) / TICKS_PER_SECOND;
}

/** A per-process figure summed over the processes, those gone meanwhile counting 0. */
export async function sumOver(pids: number[], read: (pid: number) => Promise<number>): Promise<number> {
  const values = await Promise.all(pids.map((p) => read(p).catch(() => 0)));
  return values.reduce((sum, value) => sum + value, 0);
}
