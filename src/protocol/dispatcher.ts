/**
 * The dispatch core: one parsed JSON-RPC message of one backend plus its {@link Caller} in, the answer out, for
 * every transport (stdio, node:http, fetch) and both protocol eras (MCP 2026-07-28, Basic / Versioning,
 * "Backward Compatibility": a dual-era server serves a request with a `_meta` envelope per request, and one
 * without it by the legacy revision its `initialize` negotiated).
 *
 * - `initialize` and `ping` (legacy only), `server/discover`, `tools/list` (paged: {@link DispatcherOptions.listPageSize}
 *   tools per page in the service's stable order, `nextCursor` to the next; each page pre-serialized once per era) and
 *   `tools/call` (straight to the tool handlers) are answered here, resources, prompts and completion by the
 *   service's catalogue (catalogue.ts) when it has them; everything else is -32601. No per-message
 *   schema parsing on the way: params are checked by hand, and only a request that fails those checks is
 *   explained with the SDK's schema (loaded on first use).
 * - 2026-07-28 results carry `resultType`, list results `ttlMs`/`cacheScope`, and every one names the server in
 *   `_meta` (the SDK server's wire shape). Errors that the spec gives an HTTP status carry it in {@link Reply}.
 * - Cancellation: `notifications/cancelled` names a request in the caller's `scope`; `caller.exchange` lets the
 *   transport abort it too (HTTP: the client went away).
 * - A stateful backend's 2026-07-28 calls get the caller's state (src/state/caller-state.ts) when the transport
 *   has no session for them.
 * - Exactly once (once.ts): a 2026-07-28 retry whose `requestState` opens claims the state's nonce before the tool
 *   runs — whatever capabilities the retry declares — and a replay of a claimed state gets the recorded answer.
 *   Every call has a nonce (the state's, else a fresh one); the tool service sends it as the operation's
 *   idempotency key where the contract declares one.
 */
import type { SessionHandle, SessionStore } from '../state/session.js';
import type { ToolResult, ToolService } from '../core/tool-service-api.js';
import { resultJson } from '../core/result-json.js';
import { SETTINGS } from '../config.js';
import type { Logger } from '../log.js';
import { callerHandle } from '../state/caller-state.js';
import { withMetaTraceContext, type Caller } from './caller.js';
import { answerCatalogue, catalogueCapabilities, isCatalogueMethod } from './catalogue.js';
import type { Catalogue } from '../core/catalogue-types.js';
import type { CallReporter, LogLevel } from '../core/call-context.js';
import { readEnvelope, isEnvelopeRefusal, type Envelope } from './envelope.js';
import {
  LiveElicitor,
  RoundTripElicitor,
  callBinding,
  clientModes,
  type CallElicitor,
  type CallPages,
  type OpenedRetry,
} from './elicitation.js';
import { InteractionPages } from '../state/interaction-pages.js';
import { OnceGuard, STILL_RUNNING, tooLargeToReplay, type RecordedAnswer } from './once.js';
import { RequestStateSeal } from './request-state.js';
import { MemoryInteractionStore, type InteractionStore } from '../state/interaction-store.js';
import { ErrorCode, RpcFailure, errorSummary, toRpcError, type RpcError } from './errors.js';
import {
  isObject,
  isRequestId,
  type InboundNotification,
  type InboundRequest,
  type JsonObject,
  type RequestId,
} from './messages.js';
import { explainInvalidParams } from './params.js';
import { createReporter, LOG_LEVEL_STATE_KEY, readLogLevel, requestedLogLevel } from './notifications.js';
import { hasWatchableResources, Subscriptions } from './subscriptions.js';
import { CallAbort } from './call-abort.js';
import { createToolHandlers, type ToolHandlers } from './tool-handlers.js';
import { LATEST_LEGACY_VERSION, LEGACY_VERSIONS, MODERN_VERSIONS, SERVER_INFO_META_KEY } from './versions.js';

/** `serverInfo` and instructions returned by `initialize` / `server/discover`. */
export interface ServerInfo {
  name: string;
  version: string;
  /** Shown to the model by clients that support it. */
  instructions?: string;
}

/** Options of {@link Dispatcher}. */
export interface DispatcherOptions {
  service: ToolService;
  info: ServerInfo;
  logger: Logger;
  /** Where a stateful backend keeps per-caller state of 2026-07-28 requests. */
  store?: SessionStore;
  /** How long clients may cache `tools/list` and `server/discover` (2026-07-28); 60 s by default. */
  listTtlMs?: number;
  /** Where confirmation nonces are claimed (shared by every instance with Redis); this process's memory by default. */
  interactions?: InteractionStore;
  /** The `requestState` key (from FINMCP_STATE_KEY); a random one of this process by default. */
  seal?: RequestStateSeal;
  /** Tools per `tools/list` page (MCP 2025-11-25, Utilities / Pagination); the settings table's default. */
  listPageSize?: number;
}

/** One answer: the JSON-RPC response text and the HTTP status the spec gives it. */
export interface Reply {
  status: number;
  body: string;
  /** A result (not an error): e.g. a successful `initialize` opens a session. */
  ok: boolean;
}

/** What {@link Dispatcher.classify} makes of a request: its era, or the refusal to send. */
export type Era = { modern: false } | { modern: true; envelope: Envelope } | { refused: Reply };

const LEGACY: Era = { modern: false };
/** Session-state key of a legacy client's `initialize` capabilities (kept only when they declare elicitation). */
export const CLIENT_CAPABILITIES_STATE_KEY = 'mcp.clientCapabilities';
/** A client that declared nothing a call could send it: its elicitor refuses (flags false, -32021 for requests). */
const NO_CLIENT_MODES = Object.freeze({ form: false, url: false, sampling: false, roots: false });
/**
 * The elicitor of a call whose client declared nothing it can be asked and which serves no pages, in either era:
 * every question is cancelled, every client request refused (-32021), nothing ever deferred. It keeps no state, so
 * one serves every such call.
 */
const REFUSING_ELICITOR: CallElicitor = new LiveElicitor(NO_CLIENT_MODES, undefined, undefined, undefined);
/** Results of these methods carry caching hints in 2026-07-28 (the lists, and resource contents). */
const CACHED_CATALOGUE_METHODS: ReadonlySet<string> = new Set([
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
]);

/** The opaque `nextCursor` of the page starting at tool `offset`. */
function listCursor(offset: number): string {
  return Buffer.from(`tools:${offset}`).toString('base64url');
}

/** The offset a cursor of {@link listCursor} names; undefined for anything else or past the end. */
function readListCursor(cursor: string, count: number): number | undefined {
  const match = /^tools:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  const offset = match === null ? Number.NaN : Number(match[1]);
  return offset > 0 && offset < count ? offset : undefined;
}

/** The dispatch core of one backend. */
export class Dispatcher {
  readonly backend: string;
  readonly stateful: boolean;
  readonly #handlers: ToolHandlers;
  readonly #info: ServerInfo;
  readonly #logger: Logger;
  readonly #store: SessionStore | undefined;
  readonly #once: OnceGuard;
  readonly #pages: InteractionPages;
  readonly #seal: RequestStateSeal;
  readonly #listTtlMs: number;
  /** `"resultType":"complete","_meta":{…serverInfo…}`: the members stamped first on 2026-07-28 results. */
  readonly #modernHead: string;
  readonly #discoverJson: string;
  readonly #initializeJson = new Map<string, string>();
  readonly #listPageSize: number;
  /** Pre-serialized `tools/list` pages by era and offset, rebuilt if the service ever returns a different array. */
  #lists: { tools: unknown; pages: Map<string, string> } | undefined;
  readonly #catalogue: Catalogue | undefined;
  /** Capabilities of a server whose lists never change: tools, and what the catalogue adds. */
  readonly #legacyCapabilities: JsonObject;
  /** Running `tools/call`s that `notifications/cancelled` can reach, by scope, then id (`1` and `"1"` are two). */
  readonly #cancellable = new Map<string, Map<RequestId, CallAbort>>();
  /** Resource subscriptions (2025-11-25), when a resource can change and legacy clients have sessions. */
  readonly #subscriptions: Subscriptions | undefined;

  constructor(options: DispatcherOptions) {
    const { service, info } = options;
    this.backend = service.backend;
    this.stateful = service.stateful;
    this.#handlers = createToolHandlers(service, options.logger);
    this.#info = info;
    this.#logger = options.logger;
    this.#store = options.store;
    const interactions = options.interactions ?? new MemoryInteractionStore();
    this.#once = new OnceGuard(interactions);
    this.#pages = new InteractionPages(interactions);
    this.#seal = options.seal ?? new RequestStateSeal();
    this.#listTtlMs = options.listTtlMs ?? 60_000;
    this.#listPageSize = options.listPageSize ?? SETTINGS.listPageSize.default;
    this.#modernHead = `"resultType":"complete","_meta":${JSON.stringify({ [SERVER_INFO_META_KEY]: { name: info.name, version: info.version } })}`;
    this.#catalogue = service.catalogue;
    // Legacy clients' log level and subscriptions live in their session: only a stateful backend has one.
    if (this.stateful && hasWatchableResources(this.#catalogue))
      this.#subscriptions = new Subscriptions(this.#catalogue as Catalogue);
    this.#legacyCapabilities = legacyCapabilities(this.#catalogue, this.stateful, this.#subscriptions !== undefined);
    this.#discoverJson = this.#modernJson({
      supportedVersions: MODERN_VERSIONS,
      // 2026-07-28: a request opts in to log messages itself (`_meta` logLevel), on any backend.
      capabilities: { tools: {}, logging: {}, ...catalogueCapabilities(this.#catalogue, false) },
      ...(info.instructions === undefined ? {} : { instructions: info.instructions }),
      ...this.#cacheFields(),
    });
    if (this.stateful && this.#store === undefined)
      throw new Error(`${service.backend}: a stateful backend needs a state store`);
  }

  /** The request's era from its `_meta` envelope (2026-07-28), or the refusal of a malformed/unsupported one. */
  classify(request: InboundRequest): Era {
    const envelope = readEnvelope(request.params);
    if (envelope === undefined) return LEGACY;
    if (isEnvelopeRefusal(envelope)) return { refused: this.errorReply(request.id, envelope.error, 400) };
    return { modern: true, envelope };
  }

  /** Answers one request; undefined when it was cancelled first (nothing may be sent for it then). */
  request(request: InboundRequest, era: Era, caller: Caller): Reply | Promise<Reply | undefined> {
    if ('refused' in era) return era.refused;
    const { id, method, params } = request;
    const modern = era.modern;
    switch (method) {
      case 'tools/call':
        return this.#callTool(request, era, caller);
      case 'tools/list':
        if (
          params === undefined ||
          ((params.cursor === undefined || typeof params.cursor === 'string') &&
            (params._meta === undefined || isObject(params._meta)))
        ) {
          const page = this.#listJson(modern, params?.cursor as string | undefined);
          if (page !== undefined) return this.#result(id, page);
          // MCP 2025-11-25, Utilities / Pagination: an invalid cursor is -32602.
          const message = `Invalid params: cursor: ${JSON.stringify(params?.cursor)} is not a cursor this server issued (list again without one)`;
          return this.errorReply(id, { code: ErrorCode.InvalidParams, message }, modern ? 400 : 200);
        }
        return this.#invalidParams(request, modern);
      case 'server/discover':
        return this.#result(id, this.#discoverJson);
      case 'initialize':
        if (modern) break;
        return this.#initialize(request, caller);
      case 'ping':
        if (modern) break;
        return this.#result(id, '{}');
      case 'logging/setLevel':
        if (modern || !this.stateful) break;
        return this.#setLogLevel(request, caller);
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        if (modern || this.#subscriptions === undefined) break;
        return this.#subscription(request, caller);
    }
    if (isCatalogueMethod(method, this.#catalogue)) return this.#catalogueRequest(request, era, caller);
    return this.errorReply(id, { code: ErrorCode.MethodNotFound, message: 'Method not found' }, modern ? 404 : 200);
  }

  /** Handles a client notification: `notifications/cancelled` aborts the request it names in the caller's scope. */
  notify(notification: InboundNotification, caller: Caller): void {
    if (notification.method !== 'notifications/cancelled' || caller.scope === undefined) return;
    const target = notification.params?.requestId;
    if (isRequestId(target)) this.#cancellable.get(caller.scope)?.get(target)?.abort();
  }

  /** Aborts every running call and ends every subscription (shutdown). */
  cancelAll(): void {
    for (const scope of this.#cancellable.values()) for (const controller of scope.values()) controller.abort();
    this.#cancellable.clear();
    this.#subscriptions?.close();
  }

  /** A JSON-RPC error answer; `data` JSON cannot carry is dropped. */
  errorReply(id: RequestId | null, error: RpcError, status = 200): Reply {
    let body: string;
    try {
      body = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":${JSON.stringify(error)}}`;
    } catch {
      body = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":${JSON.stringify({ code: error.code, message: error.message })}}`;
    }
    return { status, body, ok: false };
  }

  #result(id: RequestId, json: string): Reply {
    return { status: 200, body: `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${json}}`, ok: true };
  }

  /** A result object's JSON with the 2026-07-28 members: `resultType` and the server's identity in `_meta`. */
  #modernJson(result: JsonObject): string {
    if (result._meta !== undefined) {
      const meta = isObject(result._meta) ? result._meta : {};
      return resultJson({
        ...result,
        resultType: 'complete',
        _meta: { ...meta, [SERVER_INFO_META_KEY]: this.#serverIdentity() },
      });
    }
    // Spliced rather than copied: the result object is the service's, and may be large.
    return resultJson(result, this.#modernHead);
  }

  #serverIdentity(): { name: string; version: string } {
    return { name: this.#info.name, version: this.#info.version };
  }

  #cacheFields(): { ttlMs: number; cacheScope: 'public' } {
    // The list is the same for every caller and fixed for the life of the process.
    return { ttlMs: this.#listTtlMs, cacheScope: 'public' };
  }

  /** One page of `tools/list` from `cursor` (none: the first); undefined for a cursor this server never issued. */
  #listJson(modern: boolean, cursor?: string): string | undefined {
    const tools = this.#handlers.listTools();
    if (this.#lists === undefined || this.#lists.tools !== tools) this.#lists = { tools, pages: new Map() };
    const offset = cursor === undefined ? 0 : readListCursor(cursor, tools.length);
    if (offset === undefined) return undefined;
    const key = `${modern ? 'm' : 'l'}${offset}`;
    let json = this.#lists.pages.get(key);
    if (json === undefined) {
      const end = offset + this.#listPageSize;
      const page = { tools: tools.slice(offset, end), ...(end < tools.length ? { nextCursor: listCursor(end) } : {}) };
      json = modern ? this.#modernJson({ ...page, ...this.#cacheFields() }) : JSON.stringify(page);
      this.#lists.pages.set(key, json);
    }
    return json;
  }

  #initialize(request: InboundRequest, caller: Caller): Reply | Promise<Reply> {
    const params = request.params;
    if (
      params === undefined ||
      typeof params.protocolVersion !== 'string' ||
      !isObject(params.capabilities) ||
      !isObject(params.clientInfo)
    ) {
      return this.#invalidParams(request, false);
    }
    // The client's version when we speak it, else our latest (MCP 2025-11-25, Lifecycle, "Version Negotiation").
    const version = LEGACY_VERSIONS.includes(params.protocolVersion) ? params.protocolVersion : LATEST_LEGACY_VERSION;
    let json = this.#initializeJson.get(version);
    if (json === undefined) {
      json = JSON.stringify({
        protocolVersion: version,
        capabilities: this.#legacyCapabilities,
        serverInfo: this.#serverIdentity(),
        ...(this.#info.instructions === undefined ? {} : { instructions: this.#info.instructions }),
      });
      this.#initializeJson.set(version, json);
    }
    const result = this.#result(request.id, json);
    // What the client can be asked (elicitation) is known only from here on: kept with the session's state.
    if (caller.session === undefined || clientModes(params.capabilities) === undefined) return result;
    return caller.session.set(CLIENT_CAPABILITIES_STATE_KEY, params.capabilities).then(() => result);
  }

  /** `logging/setLevel` (2025-11-25): kept with the session; the calls of the session send what is at or above it. */
  async #setLogLevel(request: InboundRequest, caller: Caller): Promise<Reply> {
    let level: LogLevel;
    try {
      level = readLogLevel(request.params?.level, 'params.level');
    } catch (error) {
      return this.errorReply(request.id, toRpcError(error));
    }
    if (caller.session === undefined)
      return this.errorReply(request.id, {
        code: ErrorCode.InvalidRequest,
        message: 'logging/setLevel needs a session',
      });
    await caller.session.set(LOG_LEVEL_STATE_KEY, level);
    return this.#result(request.id, '{}');
  }

  /** `resources/subscribe` / `resources/unsubscribe` (2025-11-25). */
  #subscription(request: InboundRequest, caller: Caller): Reply {
    try {
      return this.#result(
        request.id,
        JSON.stringify((this.#subscriptions as Subscriptions).answer(request.method, request.params, caller)),
      );
    } catch (error) {
      return this.errorReply(request.id, toRpcError(error));
    }
  }

  /** A resources, prompts or completion request, answered by the catalogue; `prompts/get` may ask the user first. */
  async #catalogueRequest(request: InboundRequest, era: Era & { modern: boolean }, caller: Caller): Promise<Reply> {
    const modern = era.modern;
    let result: JsonObject;
    let elicitor: CallElicitor | undefined;
    try {
      if (request.method === 'prompts/get') elicitor = this.#promptElicitor(request, era, caller);
      result = await answerCatalogue(this.#catalogue as Catalogue, request.method, request.params, elicitor);
    } catch (error) {
      if (!(error instanceof RpcFailure))
        this.#logger.error(
          { backend: this.backend, method: request.method, err: errorSummary(error) },
          'catalogue request failed',
        );
      return this.errorReply(request.id, toRpcError(error));
    }
    const deferral = elicitor?.deferral();
    if (deferral !== undefined) return this.#answerReply(request.id, this.#deferredAnswer(deferral), modern);
    if (!modern) return this.#result(request.id, JSON.stringify(result));
    return this.#result(
      request.id,
      this.#modernJson(CACHED_CATALOGUE_METHODS.has(request.method) ? { ...result, ...this.#cacheFields() } : result),
    );
  }

  /**
   * What `prompts/get` may ask the user: as a tool call may, its 2026-07-28 `requestState` bound to the caller, the
   * prompt (`prompt:<name>`, which no tool name can be) and its arguments. State failing verification is -32602.
   */
  #promptElicitor(request: InboundRequest, era: Era & { modern: boolean }, caller: Caller): CallElicitor {
    const params = request.params;
    const subject = `prompt:${String(params?.name)}`;
    const args = isObject(params?.arguments) ? params.arguments : undefined;
    let retry: OpenedRetry | undefined;
    if ('envelope' in era && params?.requestState !== undefined) {
      const state = this.#seal.open(params.requestState, callBinding(caller.principal, this.backend, subject, args));
      if (state === undefined) throw new RpcFailure(ErrorCode.InvalidParams, STATE_REFUSED);
      retry = { state, inputResponses: params.inputResponses };
    }
    return this.#elicitorFor(era, caller, caller.session, subject, args, retry, undefined);
  }

  /** -32602 naming the field and the rule, as the SDK's request schema words it. */
  async #invalidParams(request: InboundRequest, modern: boolean): Promise<Reply> {
    const message = await explainInvalidParams(request.method, request.params);
    return this.errorReply(request.id, { code: ErrorCode.InvalidParams, message }, modern ? 400 : 200);
  }

  #callTool(
    request: InboundRequest,
    era: Era & { modern: boolean },
    caller: Caller,
  ): Reply | Promise<Reply | undefined> {
    const params = request.params;
    const modern = era.modern;
    if (
      params === undefined ||
      typeof params.name !== 'string' ||
      (params.arguments !== undefined && !isObject(params.arguments)) ||
      (params._meta !== undefined && !isObject(params._meta))
    ) {
      return this.#invalidParams(request, modern);
    }
    const traced = params._meta === undefined ? caller : withMetaTraceContext(caller, params._meta as JsonObject);
    let level: LogLevel | undefined;
    try {
      level = requestedLogLevel(modern, params, caller.session);
    } catch (error) {
      return this.errorReply(request.id, toRpcError(error), modern ? 400 : 200);
    }
    const report = createReporter(caller.notifyClient, params, level, this.backend);
    const args = params.arguments as JsonObject | undefined;
    return this.#runTool(request.id, params.name, args, era, traced, params, report);
  }

  async #runTool(
    id: RequestId,
    name: string,
    args: JsonObject | undefined,
    era: Era & { modern: boolean },
    caller: Caller,
    params: JsonObject,
    report: CallReporter | undefined,
  ): Promise<Reply | undefined> {
    const modern = era.modern;
    // A 2026-07-28 retry under state sealed for exactly this call: its nonce is claimed before anything runs. State
    // that fails verification is refused (MRTR: the server MUST reject it), nothing done on the strength of it.
    const state =
      modern && params.requestState !== undefined
        ? this.#seal.open(params.requestState, callBinding(caller.principal, this.backend, name, args))
        : undefined;
    if (modern && params.requestState !== undefined && state === undefined)
      return this.errorReply(id, { code: ErrorCode.InvalidParams, message: STATE_REFUSED });
    const stateNonce = state?.nonce;
    if (stateNonce !== undefined) {
      const claim = await this.#once.claim(stateNonce);
      if (!claim.first) return this.#replay(id, claim.answer);
    }
    const controller = new CallAbort();
    const scope = caller.scope === undefined ? undefined : this.#cancelScope(caller.scope);
    scope?.set(id, controller);
    caller.exchange?.attach(controller);
    let started = false;
    let answer: RecordedAnswer | undefined;
    try {
      const pending = this.#sessionFor(modern, caller);
      // The state store could not be read: the transport answers (HTTP: 503 naming the cause), the claim is given back.
      const session = pending instanceof Promise ? await pending : pending;
      started = true;
      const retry = state === undefined ? undefined : { state, inputResponses: params.inputResponses };
      const elicitor = this.#elicitorFor(era, caller, session, name, args, retry, controller);
      let result: ToolResult;
      try {
        // A fresh call's nonce (undefined here) is a UUID made when first read: most calls never send one.
        result = await this.#handlers.callTool(name, args, caller, session, controller, elicitor, stateNonce, report);
      } catch (error) {
        throw this.#handlers.failure(name, error);
      }
      const deferral = elicitor.deferral();
      // The tool asked the user something the client answers outside this call: the question is the answer.
      answer = deferral === undefined ? this.#toolResultJson(name, result, modern) : this.#deferredAnswer(deferral);
      if (controller.aborted) return undefined;
      return this.#answerReply(id, answer, modern);
    } catch (error) {
      if (!started) throw error;
      answer = { error: toRpcError(error) };
      return controller.aborted ? undefined : this.#answerReply(id, answer, modern);
    } finally {
      if (scope !== undefined && scope.get(id) === controller) {
        scope.delete(id);
        // A legacy session's scope goes when its last call ends: sessions come and go, this map must not grow.
        if (scope.size === 0) this.#cancellable.delete(caller.scope as string);
      }
      if (stateNonce !== undefined) await this.#settleClaim(stateNonce, started, answer);
    }
  }

  /** The answer of a request that asked the client something: `input_required` (2026-07-28), or the error to send. */
  #deferredAnswer(deferral: NonNullable<ReturnType<CallElicitor['deferral']>>): RecordedAnswer {
    if (deferral.kind === 'error') return { error: deferral.error };
    return {
      result: JSON.stringify({ ...deferral.result, _meta: { [SERVER_INFO_META_KEY]: this.#serverIdentity() } }),
    };
  }

  /** Records the first execution's answer for replays; a claim whose tool never started is given back. */
  async #settleClaim(nonce: string, started: boolean, answer: RecordedAnswer | undefined): Promise<void> {
    try {
      if (!started) await this.#once.release(nonce);
      else
        await this.#once.record(
          nonce,
          answer ?? { error: { code: ErrorCode.InternalError, message: 'Internal error' } },
        );
    } catch (error) {
      // A replay then waits, and answers "still in progress": never a second execution.
      this.#logger.warn({ backend: this.backend, err: errorSummary(error) }, 'confirmation answer not recorded');
    }
  }

  /** A replay of a claimed state: the first execution's answer, or "still in progress". */
  #replay(id: RequestId, answer: RecordedAnswer | undefined): Reply {
    if (answer === undefined)
      return this.#answerReply(
        id,
        { result: this.#modernJson({ content: [{ type: 'text', text: STILL_RUNNING }], isError: true }) },
        true,
      );
    if ('tooLarge' in answer)
      return this.#answerReply(
        id,
        { result: this.#modernJson({ content: [{ type: 'text', text: tooLargeToReplay(answer.tooLarge) }] }) },
        true,
      );
    return this.#answerReply(id, answer, true);
  }

  #answerReply(id: RequestId, answer: RecordedAnswer, modern: boolean): Reply {
    // 2026-07-28, Streamable HTTP: MissingRequiredClientCapabilityError is answered 400 Bad Request.
    if ('error' in answer)
      return this.errorReply(
        id,
        answer.error,
        modern && answer.error.code === ErrorCode.MissingRequiredClientCapability ? 400 : 200,
      );
    if ('result' in answer) return this.#result(id, answer.result);
    return this.#replay(id, answer);
  }

  /**
   * What this call may ask the user, from the client's declared capabilities (the request's envelope; a legacy
   * client's `initialize`, kept in its session); a client that declared nothing gets one that refuses everything.
   */
  #elicitorFor(
    era: Era & { modern: boolean },
    caller: Caller,
    session: SessionHandle | undefined,
    name: string,
    args: JsonObject | undefined,
    retry: OpenedRetry | undefined,
    cancel: CallAbort | undefined,
  ): CallElicitor {
    const pages = this.#callPages(caller);
    if ('envelope' in era) {
      const modes = clientModes(era.envelope.clientCapabilities);
      if (modes === undefined && pages === undefined) return REFUSING_ELICITOR;
      const binding = callBinding(caller.principal, this.backend, name, args);
      return new RoundTripElicitor(modes ?? NO_CLIENT_MODES, binding, this.#seal, retry, pages);
    }
    const modes = clientModes(session?.get(CLIENT_CAPABILITIES_STATE_KEY));
    if (modes === undefined && pages === undefined) return REFUSING_ELICITOR;
    return new LiveElicitor(modes ?? NO_CLIENT_MODES, caller.requestClient, cancel, pages);
  }

  /**
   * Where this call's pages go (undefined when the transport serves none): bound to the caller and the state the
   * call uses (the transport's session when it has one, else the 2026-07-28 caller's own: see #sessionFor).
   */
  #callPages(caller: Caller): CallPages | undefined {
    if (caller.pageBase === undefined) return undefined;
    const sessionId = caller.session === undefined ? undefined : caller.sessionId;
    const backend = this.backend;
    const principal = caller.principal;
    return {
      base: `${caller.pageBase}/${backend}/elicitation`,
      open: (kind, data) =>
        this.#pages.open({ backend, kind, data, principal, ...(sessionId === undefined ? {} : { sessionId }) }),
    };
  }

  /**
   * The running calls of one cancellation scope (the stdio process, a legacy session), made for its first call in
   * flight and dropped after its last.
   */
  #cancelScope(scope: string): Map<RequestId, CallAbort> {
    let calls = this.#cancellable.get(scope);
    if (calls === undefined) this.#cancellable.set(scope, (calls = new Map()));
    return calls;
  }

  /** The state a call may use: the transport's session, else (2026-07-28, stateful backend) the caller's own. */
  #sessionFor(modern: boolean, caller: Caller): SessionHandle | undefined | Promise<SessionHandle> {
    if (caller.session !== undefined || !modern || !this.stateful) return caller.session;
    return callerHandle(this.#store as SessionStore, this.backend, caller.principal);
  }

  /** The result's JSON text for its era, or the internal error when it cannot be serialized. */
  #toolResultJson(name: string, result: ToolResult, modern: boolean): RecordedAnswer {
    try {
      const json = modern ? this.#modernJson(result) : (resultJson(result) as string | undefined);
      if (json === undefined) throw new TypeError('tools/call result is not a JSON value');
      return { result: json };
    } catch (error) {
      this.#logger.error({ backend: this.backend, tool: name, err: errorSummary(error) }, 'answer is not serializable');
      return { error: { code: ErrorCode.InternalError, message: 'Internal error' } };
    }
  }
}

/** `initialize`'s capabilities: tools, the catalogue's, and logging and resource subscriptions where sessions keep them. */
function legacyCapabilities(catalogue: Catalogue | undefined, stateful: boolean, subscribe: boolean): JsonObject {
  const capabilities: JsonObject = { tools: { listChanged: false }, ...catalogueCapabilities(catalogue, true) };
  if (stateful) capabilities['logging'] = {};
  if (subscribe) capabilities['resources'] = { ...(capabilities['resources'] as JsonObject), subscribe: true };
  return capabilities;
}

/** The refusal of a 2026-07-28 retry whose `requestState` does not open for it (MRTR: the server MUST reject it). */
const STATE_REFUSED =
  'Invalid params: requestState failed verification (altered, expired, or issued for another caller, tool or arguments); call again without it';
