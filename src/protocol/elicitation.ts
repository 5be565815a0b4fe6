/**
 * Asking the user through the MCP client during a tool call (Client / Elicitation of MCP 2025-11-25 and
 * 2026-07-28), one {@link Elicitor} per call, built by the dispatch core from what the client declared:
 *
 * - 2026-07-28 ({@link RoundTripElicitor}): no server→client requests (Basic / Patterns, "Multi Round-Trip
 *   Requests"). A question without an answer makes the call end with an `input_required` result carrying it and a
 *   sealed `requestState` with a fresh nonce and the answers given in earlier rounds (request-state.ts); the
 *   client's retry carries `inputResponses`, which the dispatch core hands over only when the state proves they
 *   answer this principal's call with these exact arguments (and once its nonce is claimed: once.ts).
 * - 2025-11-25 ({@link LiveElicitor}): a form question is an `elicitation/create` request sent while the call
 *   waits (where the transport can send one: stdio, or the call's SSE stream over HTTP); a URL question ends the
 *   call with `URLElicitationRequiredError` (-32042) naming the URL, and the client calls again once the user is done.
 *
 * Besides questions, a call may send the client `sampling/createMessage` and `roots/list` the same two ways
 * ({@link Elicitor.request}); one the client did not declare the capability for is refused with -32021
 * (MissingRequiredClientCapabilityError) naming `requiredCapabilities`.
 *
 * Modes: `elicitation: {}` means form only (both revisions, "Capabilities"); a server never asks in a mode the
 * client did not declare, and URL mode is offered only where the transport serves pages.
 */
import type { ClientRequestMethod, ElicitAnswer, Elicitor, ElicitRequest } from '../core/call-context.js';
import type { Principal } from '../auth/inbound-auth.js';
import { ErrorCode, RpcFailure, type RpcError } from './errors.js';
import { isObject, type JsonObject } from './messages.js';
import { newNonce, type OpenedState, type RequestStateSeal, type StateBinding } from './request-state.js';

/** The modes a client declared, or undefined when it declared no elicitation. */
interface ElicitationModes {
  form: boolean;
  url: boolean;
}

/** What a client can be sent during a call: elicitation modes, sampling, roots. */
interface ClientModes extends ElicitationModes {
  sampling: boolean;
  roots: boolean;
}

/** The capability each client request needs (MCP 2025-11-25 and 2026-07-28, Client features). */
const NEEDED_CAPABILITY: Readonly<Record<ClientRequestMethod, 'sampling' | 'roots'>> = {
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

/** Where a call's one-time pages are opened: the base of their URLs, and the opener (store-backed) returning an id. */
export interface CallPages {
  base: string;
  open(kind: string, data: Record<string, unknown>): Promise<string>;
}

/** Opens a page through `pages`; its absolute URL. */
async function openOn(pages: CallPages | undefined, kind: string, data: Record<string, unknown>): Promise<string> {
  if (pages === undefined) throw new Error('this call cannot open pages (no URL mode)');
  return `${pages.base}/${await pages.open(kind, data)}`;
}

/** Sends one server→client request and resolves with its result (rejects on an error answer or a closed channel). */
export type ClientRequester = (method: string, params: JsonObject, signal?: AbortSignal) => Promise<unknown>;

/** Message of the -32042 error (the SDK's wording). */
const URL_REQUIRED_MESSAGE =
  'This request requires more information: open the URL and complete the interaction, then call again.';

const PENDING: ElicitAnswer = Object.freeze({ action: 'pending' }) as ElicitAnswer;
const CANCEL: ElicitAnswer = Object.freeze({ action: 'cancel' }) as ElicitAnswer;

/** Modes from a `capabilities` object (an `initialize`'s, or a 2026-07-28 envelope's). */
export function elicitationModes(capabilities: unknown): ElicitationModes | undefined {
  if (!isObject(capabilities)) return undefined;
  const declared = capabilities.elicitation;
  if (!isObject(declared)) return undefined;
  const url = isObject(declared.url);
  return { form: isObject(declared.form) || !url, url };
}

/** What `capabilities` let a call send the client; undefined when nothing (no elicitation, sampling or roots). */
export function clientModes(capabilities: unknown): ClientModes | undefined {
  if (!isObject(capabilities)) return undefined;
  const sampling = isObject(capabilities.sampling);
  const roots = isObject(capabilities.roots);
  const elicitation = elicitationModes(capabilities);
  if (elicitation === undefined && !sampling && !roots) return undefined;
  return { form: elicitation?.form ?? false, url: elicitation?.url ?? false, sampling, roots };
}

/** -32021 for a request the client did not declare it takes. */
function missingCapability(method: ClientRequestMethod): RpcFailure {
  const capability = NEEDED_CAPABILITY[method];
  return new RpcFailure(
    ErrorCode.MissingRequiredClientCapability,
    `This request needs the client's ${capability} capability (for ${method}), which it did not declare`,
    {
      requiredCapabilities: { [capability]: {} },
    },
  );
}

/** The wire `params` of an `elicitation/create` for a request. */
function wireParams(request: ElicitRequest): JsonObject {
  return request.mode === 'form'
    ? { mode: 'form', message: request.message, requestedSchema: request.requestedSchema }
    : { mode: 'url', message: request.message, url: request.url, elicitationId: request.elicitationId };
}

/** An `ElicitResult` as the client sent it, reduced to an answer; anything malformed is a cancel. */
function answerOf(value: unknown): ElicitAnswer {
  if (!isObject(value)) return CANCEL;
  if (value.action === 'accept')
    return isObject(value.content) ? { action: 'accept', content: value.content } : { action: 'accept' };
  if (value.action === 'decline') return { action: 'decline' };
  return CANCEL;
}

/** What a call ends with instead of its result: a question for the client. */
type Deferral = { kind: 'input_required'; result: JsonObject } | { kind: 'error'; error: RpcError };

/** An elicitor that may turn the call's result into a {@link Deferral}. */
export interface CallElicitor extends Elicitor {
  /** The deferral to answer with, once the tool has returned; undefined when nothing is pending. */
  deferral(): Deferral | undefined;
}

/** A 2026-07-28 retry whose `requestState` opened for this call: the state, and the retry's `inputResponses`. */
export interface OpenedRetry {
  state: OpenedState;
  inputResponses: unknown;
}

/**
 * 2026-07-28: questions go out in an `input_required` result, answers come back with the retry. The answers of
 * earlier rounds travel in the sealed state, so a call asking in several rounds sees every answer.
 */
export class RoundTripElicitor implements CallElicitor {
  readonly form: boolean;
  readonly url: boolean;
  readonly pageBase?: string;
  readonly #modes: ClientModes;
  readonly #responses: Record<string, unknown>;
  /** Answers this call used: carried forward if it asks again. */
  readonly #used: Record<string, unknown> = {};
  readonly #binding: StateBinding;
  readonly #seal: RequestStateSeal;
  readonly #pages: CallPages | undefined;
  #asked: Record<string, { method: string; params: JsonObject }> | undefined;

  /** `retry`: only when the call's `requestState` opened for `binding` (a first call's inputResponses count for nothing). */
  constructor(
    modes: ClientModes,
    binding: StateBinding,
    seal: RequestStateSeal,
    retry: OpenedRetry | undefined,
    pages: CallPages | undefined,
  ) {
    this.form = modes.form;
    this.url = modes.url && pages !== undefined;
    if (pages !== undefined) this.pageBase = pages.base;
    this.#modes = modes;
    this.#pages = pages;
    this.#binding = binding;
    this.#seal = seal;
    this.#responses =
      retry === undefined
        ? {}
        : { ...retry.state.answers, ...(isObject(retry.inputResponses) ? retry.inputResponses : {}) };
  }

  async ask(key: string, request: ElicitRequest): Promise<ElicitAnswer> {
    // Never in a mode the client did not declare.
    if (!(request.mode === 'form' ? this.form : this.url)) return CANCEL;
    const given = this.#responses[key];
    if (given !== undefined) {
      this.#used[key] = given;
      return answerOf(given);
    }
    (this.#asked ??= {})[key] = { method: 'elicitation/create', params: wireParams(request) };
    return PENDING;
  }

  async request(key: string, method: ClientRequestMethod, params: Record<string, unknown>): Promise<unknown> {
    if (!this.#modes[NEEDED_CAPABILITY[method]]) throw missingCapability(method);
    const given = this.#responses[key];
    if (given !== undefined) {
      this.#used[key] = given;
      return given;
    }
    (this.#asked ??= {})[key] = { method, params: params as JsonObject };
    return undefined;
  }

  openPage(kind: string, data: Record<string, unknown>): Promise<string> {
    return openOn(this.#pages, kind, data);
  }

  deferral(): Deferral | undefined {
    if (this.#asked === undefined) return undefined;
    const requestState = this.#seal.seal(this.#binding, newNonce(), Date.now(), this.#used);
    return {
      kind: 'input_required',
      result: { resultType: 'input_required', inputRequests: this.#asked, requestState },
    };
  }
}

/** 2025-11-25: form questions asked live (when the transport can send requests), URL questions by -32042. */
export class LiveElicitor implements CallElicitor {
  readonly form: boolean;
  readonly url: boolean;
  readonly pageBase?: string;
  readonly #modes: ClientModes;
  readonly #send: ClientRequester | undefined;
  readonly #cancel: { readonly signal: AbortSignal } | undefined;
  readonly #pages: CallPages | undefined;
  #urls: JsonObject[] | undefined;

  constructor(
    modes: ClientModes,
    send: ClientRequester | undefined,
    /** The call's cancellation; its signal is read only when a question is sent. */
    cancel: { readonly signal: AbortSignal } | undefined,
    pages: CallPages | undefined,
  ) {
    this.#modes = modes;
    this.form = modes.form && send !== undefined;
    this.url = modes.url && pages !== undefined;
    if (pages !== undefined) this.pageBase = pages.base;
    this.#pages = pages;
    this.#send = send;
    this.#cancel = cancel;
  }

  async ask(_key: string, request: ElicitRequest): Promise<ElicitAnswer> {
    // Never in a mode the client did not declare.
    if (!(request.mode === 'form' ? this.form : this.url)) return CANCEL;
    if (request.mode === 'url') {
      (this.#urls ??= []).push(wireParams(request));
      return PENDING;
    }
    if (this.#send === undefined) return CANCEL;
    try {
      return answerOf(await this.#send('elicitation/create', wireParams(request), this.#cancel?.signal));
    } catch {
      // An error answer, or the client went away: nobody said yes.
      return CANCEL;
    }
  }

  openPage(kind: string, data: Record<string, unknown>): Promise<string> {
    return openOn(this.#pages, kind, data);
  }

  async request(_key: string, method: ClientRequestMethod, params: Record<string, unknown>): Promise<unknown> {
    if (!this.#modes[NEEDED_CAPABILITY[method]] || this.#send === undefined) throw missingCapability(method);
    return this.#send(method, params as JsonObject, this.#cancel?.signal);
  }

  deferral(): Deferral | undefined {
    if (this.#urls === undefined) return undefined;
    return {
      kind: 'error',
      error: {
        code: ErrorCode.UrlElicitationRequired,
        message: URL_REQUIRED_MESSAGE,
        data: { elicitations: this.#urls },
      },
    };
  }
}

/** The binding of a call's `requestState`. */
export function callBinding(principal: Principal, backend: string, tool: string, args: unknown): StateBinding {
  return { principalId: principal.id, backend, tool, args: args ?? {} };
}
