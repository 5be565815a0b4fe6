/**
 * Test helpers about local TCP ports and processes (POSIX `kill(pid, 0)` liveness probe).
 */
import { once } from 'node:events';
import { createServer } from 'node:net';

/** True when nothing listens on host:port, checked by binding it for a moment. */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const server = createServer();
  const free = await new Promise<boolean>((settle) => {
    server.once('listening', () => settle(true));
    server.once('error', () => settle(false));
    server.listen(port, host);
  });
  if (free) {
    server.close();
    await once(server, 'close');
  }
  return free;
}

/** True while a process with this pid exists (signal 0 only checks). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls `check` every 100 ms until it is true or `timeoutMs` passes (generous by default: machines are loaded). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
