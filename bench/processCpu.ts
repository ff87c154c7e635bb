import fs from 'node:fs';

/**
 * CPU milliseconds a process has used (all its threads), from /proc on Linux; undefined elsewhere.
 * utime and stime are in USER_HZ ticks, 100 a second on Linux's x86 and Arm ABIs.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
