/**
 * Resource subscriptions of MCP 2025-11-25 (Server / Resources, "Subscriptions"): `resources/subscribe` and
 * `resources/unsubscribe` name a resource; while subscribed, a change of it is sent as
 * `notifications/resources/updated`. Only resources that can change while the server runs (a catalogue entry with
 * `watch`) ever send one; subscribing to one that cannot is accepted and stays silent.
 *
 * An update is not the answer to any request, so it needs a channel that outlives one: the stdio process has it
 * ({@link Caller.notifySession}); Streamable HTTP in finmcp opens no standalone stream (GET is 405), so an HTTP
 * client's subscription is accepted (the resource must exist) but nothing is kept: there is nowhere to send an
 * update. The subscriptions of a scope end with it ({@link Subscriptions.drop}) or at shutdown.
 * (2026-07-28 replaced these requests with `subscriptions/listen`, which finmcp does not serve.)
 */
import type { Catalogue, ServedResource } from '../core/catalogue-types.js';
import type { Caller } from './caller.js';
import { ErrorCode, RpcFailure } from './errors.js';
import { truncate, type JsonObject } from './messages.js';

/** Whether any resource of `catalogue` can change while the server runs (then `resources.subscribe` is declared). */
export function hasWatchableResources(catalogue: Catalogue | undefined): boolean {
  return catalogue?.resources.some((resource) => resource.watch !== undefined) ?? false;
}

/** The live subscriptions of one backend, by scope (a stdio process, a legacy session) and URI. */
export class Subscriptions {
  readonly #catalogue: Catalogue;
  readonly #byScope = new Map<string, Map<string, () => void>>();

  constructor(catalogue: Catalogue) {
    this.#catalogue = catalogue;
  }

  /** `resources/subscribe` / `resources/unsubscribe`: `{}`, or -32602 naming the field and the rule. */
  answer(method: string, params: JsonObject | undefined, caller: Caller): JsonObject {
    const uri = params?.uri;
    if (typeof uri !== 'string')
      throw new RpcFailure(ErrorCode.InvalidParams, 'Invalid params: params.uri must be a string');
    if (caller.scope === undefined)
      throw new RpcFailure(
        ErrorCode.InvalidRequest,
        `${method} needs a session: initialize first (and send its Mcp-Session-Id over HTTP)`,
      );
    if (method === 'resources/unsubscribe') {
      this.#unsubscribe(caller.scope, uri);
      return {};
    }
    const resource = this.#catalogue.resources.find((r) => r.uri === uri);
    if (resource === undefined)
      throw new RpcFailure(ErrorCode.InvalidParams, `Resource not found: ${truncate(uri)}`, { uri });
    this.#subscribe(caller.scope, resource, caller);
    return {};
  }

  /** Ends every subscription of `scope` (its session ended). */
  drop(scope: string): void {
    for (const unwatch of this.#byScope.get(scope)?.values() ?? []) unwatch();
    this.#byScope.delete(scope);
  }

  /** Ends every subscription (shutdown). */
  close(): void {
    for (const scope of [...this.#byScope.keys()]) this.drop(scope);
  }

  #subscribe(scope: string, resource: ServedResource, caller: Caller): void {
    const notify = caller.notifySession;
    // Nothing can change, or nowhere to tell: nothing to keep.
    if (resource.watch === undefined || notify === undefined) return;
    let uris = this.#byScope.get(scope);
    if (uris?.has(resource.uri)) return;
    if (uris === undefined) this.#byScope.set(scope, (uris = new Map()));
    const params = { uri: resource.uri };
    uris.set(
      resource.uri,
      resource.watch(() => notify({ jsonrpc: '2.0', method: 'notifications/resources/updated', params })),
    );
  }

  #unsubscribe(scope: string, uri: string): void {
    const uris = this.#byScope.get(scope);
    uris?.get(uri)?.();
    uris?.delete(uri);
    if (uris?.size === 0) this.#byScope.delete(scope);
  }
}
