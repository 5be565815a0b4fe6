/**
 * Test helpers that read a process tree from Linux /proc (proc(5): `/proc/<pid>/stat` fields 4 `ppid`, 3 `state`,
 * 22 `starttime`; `/proc/<pid>/cmdline`). A process is identified by pid and start time, so a reused pid is not
 * mistaken for a survivor; a zombie (exited, not yet reaped) counts as gone.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One process as seen in /proc. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  startTime: string;
  cmdline: string;
}

/** Reads one process; undefined when it is gone. */
export function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: fields are counted after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, state: fields[0]!, ppid: Number(fields[1]), startTime: fields[19]!, cmdline };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, their children, …), read now. */
export function descendants(root: number): ProcessInfo[] {
  const byParent = new Map<number, ProcessInfo[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcess(Number(entry));
    if (info === undefined) continue;
    const siblings = byParent.get(info.ppid) ?? [];
    siblings.push(info);
    byParent.set(info.ppid, siblings);
  }
  const found: ProcessInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** Whether this very process (same pid, same start time) still runs. */
export function stillRunning(process: ProcessInfo): boolean {
  const now = readProcess(process.pid);
  return now !== undefined && now.startTime === process.startTime && now.state !== 'Z' && now.state !== 'X';
}

/** Polls until none of `processes` runs or `timeoutMs` passes; returns the survivors and when the last one went. */
export async function waitUntilGone(
  processes: ProcessInfo[],
  timeoutMs: number,
): Promise<{ survivors: ProcessInfo[]; elapsedMs: number }> {
  const started = performance.now();
  for (;;) {
    const survivors = processes.filter(stillRunning);
    if (survivors.length === 0 || performance.now() - started > timeoutMs) {
      return { survivors, elapsedMs: Math.round(performance.now() - started) };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
