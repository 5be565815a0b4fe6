/**
 * What the kernel says about a server process: CPU time (utime + stime from /proc/<pid>/stat) and resident
 * memory (VmRSS from /proc/<pid>/status). Reading /proc costs microseconds and needs no cooperation from the
 * server, so every server is measured the same way from the outside.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Kernel clock ticks per second (`getconf CLK_TCK`, nearly always 100). */
function clockTicksPerSecond(): number {
  if (ticksPerSecond !== undefined) return ticksPerSecond;
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    ticksPerSecond = Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

/** A /proc file's text; null when it is gone (the process exited) or there is no /proc (not Linux). */
function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The fields of a /proc/<pid>/stat after the command name, so field 3 (state) is index 0. */
function statFields(stat: string): number[] {
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
}

/**
 * CPU time the process has used so far (user + system), in milliseconds; null when it is gone.
 * Resolution is one clock tick (10 ms), so callers divide large deltas, never single calls.
 */
export function readCpuMs(pid: number): number | null {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // utime (14) and stime (15) are indexes 11 and 12.
  const fields = statFields(stat);
  const utime = fields[11] ?? NaN;
  const stime = fields[12] ?? NaN;
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return ((utime + stime) * 1000) / clockTicksPerSecond();
}

/** Resident set size of the process in bytes (VmRSS); null when it is gone. */
export function readRssBytes(pid: number): number | null {
  const status = readProc(`/proc/${pid}/status`);
  const match = status === null ? null : /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match?.[1] === undefined ? null : Number(match[1]) * 1024;
}

/** Peak resident set size of the process so far in bytes (VmHWM, the kernel's high-water mark); null when it is gone. */
export function readPeakRssBytes(pid: number): number | null {
  const status = readProc(`/proc/${pid}/status`);
  const match = status === null ? null : /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match?.[1] === undefined ? null : Number(match[1]) * 1024;
}

/** CPU time the whole machine spent busy so far (all cores, from /proc/stat), in ms; null off Linux. */
export function readSystemBusyMs(): number | null {
  const stat = readProc('/proc/stat');
  if (stat === null) return null;
  const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
  const busy =
    (fields[0] ?? 0) + (fields[1] ?? 0) + (fields[2] ?? 0) + (fields[5] ?? 0) + (fields[6] ?? 0) + (fields[7] ?? 0);
  return (busy * 1000) / clockTicksPerSecond();
}

/**
 * CPU time of this process and of its children that have exited and been reaped (utime + stime + cutime +
 * cstime from /proc/self/stat), in ms: everything the benchmark itself burned once its servers are stopped.
 */
export function readSelfTreeCpuMs(): number | null {
  const stat = readProc('/proc/self/stat');
  if (stat === null) return null;
  const fields = statFields(stat);
  const total = (fields[11] ?? 0) + (fields[12] ?? 0) + (fields[13] ?? 0) + (fields[14] ?? 0);
  return (total * 1000) / clockTicksPerSecond();
}
