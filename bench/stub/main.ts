/**
 * Child-process entry of the stub backend: `node dist/bench/stub/main.js name=spec.yaml [name=spec.yaml ...]`
 * starts one stub per spec on a free loopback port and prints `{"ports":{name:port}}` on one line. It runs in
 * its own process so that its CPU is not charged to the load generator or to the server under test, and it
 * exits when its stdin closes, so it never outlives the benchmark.
 */
import { loadSpecFile } from '../spec.js';
import { startStub, type RunningStub } from './server.js';

async function main(argv: readonly string[]): Promise<void> {
  const stubs: RunningStub[] = [];
  const ports: Record<string, number> = {};
  for (const arg of argv) {
    const at = arg.indexOf('=');
    if (at <= 0) throw new Error(`expected name=spec-file, got ${arg}`);
    const stub = await startStub(loadSpecFile(arg.slice(at + 1)));
    stubs.push(stub);
    ports[arg.slice(0, at)] = stub.port;
  }
  process.stdout.write(`${JSON.stringify({ ports })}\n`);
  const stop = (): void => {
    void Promise.all(stubs.map((stub) => stub.close())).then(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench stub: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
