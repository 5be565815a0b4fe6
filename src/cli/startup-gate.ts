/**
 * Serving before the backends can be reached (the sandbox is still starting): `tools/list` needs nothing but the
 * specs, so a gated {@link ToolService} answers it (and the service's local tools: searching and describing the
 * API) at once and holds each other tool call until start-up has finished;
 * a {@link deferredBackendHttp} stands for the backend client whose address is known only then. A start-up that
 * failed becomes every call's tool error (MCP 2025-11-25, Server / Tools, "Error Handling": execution errors are
 * results with `isError`), never a hang or a crash.
 */
import type { CallContext } from '../core/call-context.js';
import type { Principal } from '../auth/inbound-auth.js';
import type { ToolResult, ToolService } from '../core/tool-service-api.js';
import type { BackendHttp } from '../backend/backend-types.js';
import type { Logger } from '../log.js';

/** Longest part of the start-up error shown to the client; the log has all of it. */
const MAX_REASON_CHARS = 200;

/**
 * `service` with its tool calls held until `ready` settles. `ready` may resolve with the principal tool calls act
 * for when only start-up can establish it (stdio's local user, whose token is verified, or comes from the sandbox).
 * A function is start-up work that has not begun: it begins once the first `tools/list` has been answered, or at
 * the first tool call, so that its imports and round trips never delay the client's first answers.
 */
export function gateToolService(
  service: ToolService,
  ready: Promise<Principal | undefined> | (() => Promise<Principal | undefined>),
  logger: Logger,
): ToolService {
  let open = false;
  let principal: Principal | undefined;
  let failure: ToolResult | undefined;
  let settled: Promise<void> | undefined;
  const settle = (started: Promise<Principal | undefined>): Promise<void> =>
    started.then(
      (established) => {
        principal = established;
        open = true;
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        // Stopping the server before start-up finished is no failure worth reporting.
        if (!(error instanceof Error && error.name === 'AbortError'))
          logger.error({ backend: service.backend, err: { message } }, 'start-up failed: tool calls will fail');
        const reason = message.split('\n', 1)[0]!.slice(0, MAX_REASON_CHARS);
        failure = {
          content: [
            {
              type: 'text',
              text: `${service.backend} is unavailable: the server could not start it (${reason}). The server log has the details; restart the server to try again.`,
            },
          ],
          isError: true,
        };
      },
    );
  // A promise is watched at once, so that its rejection is never unhandled; a function waits to be started.
  const start = (): Promise<void> =>
    (settled ??= settle(typeof ready === 'function' ? Promise.resolve().then(ready) : ready));
  if (typeof ready !== 'function') void start();
  const call = (name: string, args: Record<string, unknown> | undefined, ctx: CallContext): Promise<ToolResult> => {
    if (!open) return Promise.resolve(failure as ToolResult);
    // The context is built for this one call, so it may be completed in place.
    if (principal !== undefined) ctx.principal = principal;
    return service.callTool(name, args, ctx);
  };
  return {
    backend: service.backend,
    stateful: service.stateful,
    ...(service.pages === undefined ? {} : { pages: service.pages }),
    // Prompts and documents need nothing but the specs either.
    ...(service.catalogue === undefined ? {} : { catalogue: service.catalogue }),
    listTools: () => {
      // setImmediate: after this answer is written.
      if (settled === undefined) setImmediate(start);
      return service.listTools();
    },
    hasTool: (name) => service.hasTool(name),
    ...(service.localTools === undefined ? {} : { localTools: service.localTools }),
    callTool: (name, args, ctx) => {
      // Searching the specs needs no backend: answered at once, also when start-up failed.
      if (service.localTools?.has(name) === true) return service.callTool(name, args, ctx);
      return open || failure !== undefined ? call(name, args, ctx) : start().then(() => call(name, args, ctx));
    },
  };
}

/** A backend client for an address known later: requests wait for `target`; closing also closes a late one. */
export function deferredBackendHttp(target: Promise<BackendHttp>): BackendHttp {
  let http: BackendHttp | undefined;
  let closed = false;
  const bound = target.then((created) => {
    http = created;
    if (closed) void created.close();
    return created;
  });
  bound.catch(() => undefined);
  return {
    get baseUrl(): string {
      if (http === undefined) throw new Error('the backend address is not known yet');
      return http.baseUrl;
    },
    send: (req) => (http !== undefined ? http.send(req) : bound.then((created) => created.send(req))),
    async close(): Promise<void> {
      closed = true;
      await http?.close();
    },
  };
}
