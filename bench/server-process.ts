/**
 * A long-running server process started for HTTP measurements: spawned with stdin closed to it, stdout and
 * stderr drained (a full pipe would stall the server) with a short tail kept for error messages, stopped with
 * SIGTERM then SIGKILL. Readiness is probed by the caller with a real MCP `initialize`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { LaunchSpec } from './clients/mcp-stdio.js';

/** A spawned server. */
export class ServerProcess {
  readonly child: ChildProcess;
  private tail = '';
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  constructor(launch: LaunchSpec) {
    this.child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-4000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        this.exitCode = code;
        resolve();
      });
      this.child.once('error', (error) => {
        this.tail += `\nspawn error: ${error.message}`;
        this.exitCode = -1;
        resolve();
      });
    });
  }

  /** Process id. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Whether the process has exited. */
  get hasExited(): boolean {
    return this.exitCode !== undefined;
  }

  /** Everything kept of what it printed (the last 4 KB). */
  allOutput(): string {
    return this.tail;
  }

  /** The last lines it printed. */
  output(): string {
    return this.tail.trim().split('\n').slice(-8).join('\n');
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGTERM');
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
    ]);
    if (timedOut) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}
