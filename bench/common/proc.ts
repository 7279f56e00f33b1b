import { readFileSync } from 'node:fs';

/**
 * What the benches read about a process from Linux's /proc: one place, so that every bench's memory and CPU figures
 * mean the same thing. A process that is gone reads as 0 (a bench samples until the very end).
 */

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM, RssAnon, RssFile …), in kB. */
export function statusKb(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The resident set (VmRSS) in MB; 0 for a process that never started. */
export function rssMb(pid: number | undefined): number {
  return pid === undefined ? 0 : statusKb(pid, 'VmRSS') / 1024;
}

/** utime + stime of a process (all its threads) from /proc/<pid>/stat, in seconds; 100 clock ticks a second. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
