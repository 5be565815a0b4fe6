/**
 * The machine a run happened on, for the report: CPU model and count, memory, OS, Node version, date.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';

/** Facts about the machine and the run. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  date: string;
  /** 1-minute load average when the run started: above ~1 on two cores, other work competed with it. */
  loadAverageAtStart: number;
}

/** Reads the machine facts. */
export function machineInfo(): MachineInfo {
  let os = `${type()} ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty?.[1] !== undefined) os = `${pretty[1]} (${type()} ${release()})`;
  } catch {
    // Not Linux, or no os-release: the kernel name and release will do.
  }
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os,
    node: process.version,
    date: new Date().toISOString(),
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
