/**
 * A sandbox worker thread: runs code-mode programs one at a time in QuickJS (engine.ts) on behalf of the server's
 * thread (sandbox.ts), so that engine work — a tight loop, a huge `JSON.stringify`, a catastrophic regular
 * expression — never holds up the server's event loop, and a run stuck inside one built-in operation can be ended
 * by terminating this thread. `api` calls cross to the server's thread as messages and their answers come back.
 */
import { parentPort } from 'node:worker_threads';
import { quickJs, runInEngine } from './engine.js';
import { type FromWorker, StopProgram, type ToWorker } from './sandbox-protocol.js';

const port = parentPort;
if (port === null) throw new Error('sandbox-worker.js runs only as a worker thread');

const post = (message: FromWorker): void => port.postMessage(message);
/** The current run's calls waiting for their answers, and its cancellation. */
const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
let abort: AbortController | undefined;
let nextId = 0;
/** Answers received during the current run: a `wait` names them, so the owner knows whether one is still on its way. */
let received = 0;

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') void run(message);
  else if (message.type === 'cancel') abort?.abort();
  else {
    received++;
    const waiting = pending.get(message.id);
    if (waiting === undefined) return;
    pending.delete(message.id);
    if (message.text !== undefined) waiting.resolve(message.text);
    else if (message.stop !== undefined) waiting.reject(new StopProgram(message.stop));
    else waiting.reject(new Error(message.error ?? 'the call failed'));
  }
});

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  abort = new AbortController();
  received = 0;
  const call = (name: string, argsJson: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      post({ type: 'call', id, name, argsJson });
    });
  const outcome = await runInEngine(message.js, message.names, call, message.limits, abort.signal, () =>
    post({ type: 'wait', received }),
  );
  pending.clear();
  abort = undefined;
  post({ type: 'done', outcome });
}

// Loaded before the first run, so that a run never waits for the WebAssembly module.
void quickJs().then(() => post({ type: 'ready' }));
