/**
 * What Linux's /proc says about a process: its CPU times and its resident set size. Every
 * reader returns undefined off Linux, or when the process is gone.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** A process's CPU times, in ms (clock ticks of 10 ms on Linux), from /proc/<pid>/stat. */
export interface CpuTimes {
  /** utime + stime: every thread of the process itself. */
  readonly own: number;
  /** cutime + cstime: its child processes that have ended and been waited for. */
  readonly endedChildren: number;
}

export function cpuTimesMs(pid: number | undefined): CpuTimes | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields 14-17 (utime, stime, cutime, cstime), counted after the command name in parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { own: (Number(fields[11]) + Number(fields[12])) * 10, endedChildren: (Number(fields[13]) + Number(fields[14])) * 10 };
  } catch {
    return undefined;
  }
}

/** The live child processes of `pid` (/proc/<pid>/task/<tid>/children). */
export function childPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
}

/** Resident set size of a process, in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
