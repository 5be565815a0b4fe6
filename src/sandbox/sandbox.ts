/**
 * The sandbox of `finmcp serve`: the Prism mock of each spec and, when asked, the local OAuth authorization
 * server, all started at once and in the background. Prism takes seconds to start (more on a loaded machine);
 * the MCP server answers `initialize` and `tools/list` meanwhile (MCP 2025-11-25, Basic / Lifecycle: nothing in
 * initialization needs the backend) and holds tool calls until the part they need is ready.
 */
import type { Logger } from '../log.js';
import type { SandboxAuthorizationServer, SandboxAuthorizationServerOptions } from './authorization-server.js';
import { cancelled, startPrism, type PrismServer } from './prism.js';

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** Specs to mock, by backend name. */
  mocks: Array<{ name: string; specFile: string }>;
  /** Starts the authorization server with these options; none is started without them. */
  authorization?: Omit<SandboxAuthorizationServerOptions, 'logger'>;
  /**
   * Parts start once this settles (stdio: once the server reads its input, so that loading the sandbox does not
   * delay the answer to `initialize` on a single event loop). Default: at once.
   */
  begin?: Promise<unknown>;
  /** How long each Prism mock may take to answer (a 450-operation spec takes Prism well over 30 s). */
  mockStartTimeoutMs?: number;
  logger: Logger;
}

/** A sandbox being started; each part settles on its own. */
export interface Sandbox {
  /** The authorization server, once it listens; undefined when none was asked for. */
  authorization: Promise<SandboxAuthorizationServer> | undefined;
  /** The mock of a backend, once it answers HTTP. */
  mock(name: string): Promise<PrismServer>;
  /** Stops every part, those still starting included. */
  stop(): Promise<void>;
}

/** Starts every part of the sandbox now, without waiting for any. */
export function startSandbox(options: SandboxOptions): Sandbox {
  const { logger } = options;
  const cancel = new AbortController();
  const stopped = new Promise<void>((resolve) =>
    cancel.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  const go = Promise.race([options.begin, stopped]).then(() => {
    if (cancel.signal.aborted) throw cancelled('the sandbox was stopped before it started');
  });
  const parts: Array<Promise<{ stop(): Promise<void> }>> = [];
  const started = <T extends { stop(): Promise<void> }>(part: Promise<T>): Promise<T> => {
    parts.push(part);
    // Whoever needs a part sees its failure; nobody may be waiting yet, so it is not an unhandled rejection.
    part.catch(() => undefined);
    return part;
  };

  const authorization =
    options.authorization === undefined
      ? undefined
      : started(
          go
            .then(() => import('./authorization-server.js'))
            .then(({ startSandboxAuthorizationServer }) =>
              startSandboxAuthorizationServer({ ...options.authorization!, logger }),
            ),
        );
  const mocks = new Map<string, Promise<PrismServer>>();
  for (const { name, specFile } of options.mocks) {
    const mock = started(
      go.then(async () => {
        const server = await startPrism({
          specFile,
          logger,
          signal: cancel.signal,
          ...(options.mockStartTimeoutMs === undefined ? {} : { startTimeoutMs: options.mockStartTimeoutMs }),
        });
        logger.info(
          { backend: name, mock: server.url },
          'no backend URL configured: serving the Prism mock of the spec',
        );
        return server;
      }),
    );
    mocks.set(name, mock);
  }

  let stopping: Promise<void> | undefined;
  return {
    authorization,
    mock(name: string): Promise<PrismServer> {
      const mock = mocks.get(name);
      if (mock === undefined) throw new Error(`the sandbox has no mock of ${name}`);
      return mock;
    },
    stop: () =>
      (stopping ??= (async () => {
        cancel.abort();
        const settled = await Promise.allSettled(parts);
        await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
      })()),
  };
}
