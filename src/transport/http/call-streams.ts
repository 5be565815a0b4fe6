/**
 * The SSE answer of a request that tells or asks the client something before it answers (MCP 2025-11-25 and
 * 2026-07-28, Basic / Transports, "Streamable HTTP": the server MAY answer a POST with an SSE stream and send
 * notifications — and, in 2025-11-25, requests — "before sending the JSON-RPC response"; the client answers a
 * request with a POST of its own). finmcp streams only:
 * - a `tools/call` or `prompts/get` of a legacy session whose `initialize` declared form-mode elicitation, sampling
 *   or roots, which asks the user (`elicitation/create`) or the client (`sampling/createMessage`, `roots/list`);
 * - a `tools/call` of either era that asked for progress or log messages (notifications.ts).
 * Every other request keeps its single JSON answer, and so does a prepared one that sends nothing before it
 * answers: the stream opens with the first message, and carries the messages and then the response.
 *
 * Pending requests are held by the instance whose call waits, and registered in the state store (issue 21): a
 * response POST that a load balancer sends to another instance is put in the store there, and the waiting call
 * picks it up (it polls the store while it waits). A question is answered once: the answer is taken from the store.
 */
import type { Caller } from '../../protocol/caller.js';
import { CLIENT_CAPABILITIES_STATE_KEY, type Reply } from '../../protocol/dispatcher.js';
import { clientModes } from '../../protocol/elicitation.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { InboundRequest, InboundResponse, JsonObject, RequestId } from '../../protocol/messages.js';
import { wantsNotifications } from '../../protocol/notifications.js';
import { ClientRequests } from '../client-requests.js';
import type { HttpAnswer } from './exchange.js';
import type { InteractionStore } from '../../state/interaction-store.js';

/** Store kinds: a question's session, and the answer a response POST delivered to another instance. */
const QUESTION = 'question';
const ANSWER = 'answer';
/** How long an unanswered question is kept (a user may take a while to answer a form). */
const QUESTION_TTL_MS = 10 * 60_000;
/** How often a waiting call looks for an answer that reached another instance. */
const POLL_MS = 200;

/** SSE headers (the HTML `text/event-stream` format). */
const STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
};

/** Events of one answer stream, in order; ends after the response. */
class EventQueue implements AsyncIterable<string> {
  readonly #items: string[] = [];
  #wake: (() => void) | undefined;
  #ended = false;

  push(message: string): void {
    this.#items.push(`event: message\ndata: ${message}\n\n`);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      const next = this.#items.shift();
      if (next !== undefined) yield next;
      else if (this.#ended) return;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

/** One tool call that may turn its answer into a stream. */
class CallStream {
  readonly requests: ClientRequests;
  readonly #events = new EventQueue();
  /** Settles when the call sends its first request: from then on the answer is the stream. */
  readonly opened: Promise<'stream'>;
  #open!: () => void;

  /** `sent`: told the id of each request written to the stream (to wait for its answer elsewhere too). */
  constructor(sent: (id: string) => void) {
    this.opened = new Promise<'stream'>((resolve) => (this.#open = () => resolve('stream')));
    this.requests = new ClientRequests((line, id) => {
      this.#events.push(line);
      this.#open();
      sent(id);
    });
  }

  /** Sends a notification about the request (progress, a log message) on the stream. */
  readonly notify = (notification: JsonObject): void => {
    this.#events.push(JSON.stringify(notification));
    this.#open();
  };

  /** The streaming answer; `final` is the call's response body, sent last. */
  answer(final: Promise<string | undefined>): HttpAnswer {
    void final.then(
      (body) => {
        if (body !== undefined) this.#events.push(body);
        this.#events.end();
      },
      () => this.#events.end(),
    );
    return { status: 200, headers: { ...STREAM_HEADERS }, stream: this.#events };
  }
}

/** The open call streams of every legacy session of one server. */
export class CallStreams {
  readonly #bySession = new Map<string, Set<CallStream>>();
  readonly #store: InteractionStore;

  /** `store`: where questions and answers meet when the answer reaches another instance. */
  constructor(store: InteractionStore) {
    this.#store = store;
  }

  /**
   * A stream for a request that may ask or tell its client something (see above): set as `caller.requestClient`
   * (legacy session whose client declared form-mode elicitation, sampling or roots) and `caller.notifyClient` (a
   * call that asked for progress or log messages). Undefined otherwise: the request answers as usual.
   */
  prepare(caller: Caller, request: InboundRequest, modern: boolean): CallStream | undefined {
    const { method, params } = request;
    if (method !== 'tools/call' && method !== 'prompts/get') return undefined;
    const { sessionId, session } = caller;
    const modes = sessionId === undefined ? undefined : clientModes(session?.get(CLIENT_CAPABILITIES_STATE_KEY));
    const asks = !modern && modes !== undefined && (modes.form || modes.sampling || modes.roots);
    const tells = method === 'tools/call' && wantsNotifications(modern, params, session);
    if (!asks && !tells) return undefined;
    const stream = new CallStream((id) => {
      if (sessionId !== undefined) void this.#share(stream, sessionId, id);
    });
    if (tells) caller.notifyClient = stream.notify;
    if (asks && sessionId !== undefined) {
      let set = this.#bySession.get(sessionId);
      if (set === undefined) this.#bySession.set(sessionId, (set = new Set()));
      set.add(stream);
      caller.requestClient = stream.requests.send;
    }
    return stream;
  }

  /**
   * The stream answer when the call asks the client something before it answers; undefined when it answered first
   * (then answered as usual). The stream is forgotten once the call has ended.
   */
  async race(
    stream: CallStream,
    sessionId: string | undefined,
    running: Reply | Promise<Reply | undefined>,
    id: RequestId,
  ): Promise<HttpAnswer | undefined> {
    const settled = Promise.resolve(running);
    const forget = (): void => {
      stream.requests.closeAll();
      if (sessionId === undefined) return;
      const set = this.#bySession.get(sessionId);
      set?.delete(stream);
      if (set?.size === 0) this.#bySession.delete(sessionId);
    };
    void settled.then(forget, forget);
    const first = await Promise.race([
      settled.then(
        () => 'reply' as const,
        () => 'reply' as const,
      ),
      stream.opened,
    ]);
    if (first === 'reply') return undefined;
    const internal = JSON.stringify({
      jsonrpc: '2.0',
      id,
      error: { code: ErrorCode.InternalError, message: 'Internal error' },
    });
    const cancelled = JSON.stringify({
      jsonrpc: '2.0',
      id,
      error: { code: ErrorCode.ServerError, message: 'Request cancelled' },
    });
    return stream.answer(
      settled.then(
        (reply) => (reply === undefined ? cancelled : reply.body),
        () => internal,
      ),
    );
  }

  /**
   * Delivers a client's response (a POST of that session) to the call that asked: here, or through the store to the
   * instance where it waits (only for a question of this session).
   */
  async settle(sessionId: string, response: InboundResponse): Promise<void> {
    for (const stream of this.#bySession.get(sessionId) ?? []) if (stream.requests.settle(response)) return;
    if (typeof response.id !== 'string' || (await this.#store.get(QUESTION, response.id)) !== sessionId) return;
    await this.#store.put(ANSWER, response.id, JSON.stringify(response), QUESTION_TTL_MS);
  }

  /** Registers a question sent on `stream` and waits for its answer in the store until it is settled. */
  async #share(stream: CallStream, sessionId: string, id: string): Promise<void> {
    const requests = stream.requests;
    try {
      await this.#store.put(QUESTION, id, sessionId, QUESTION_TTL_MS);
      while (requests.isPending(id)) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        const answer = await this.#store.take(ANSWER, id);
        if (answer !== undefined) requests.settle(JSON.parse(answer) as InboundResponse);
      }
    } catch {
      // The store failed: the answer can still arrive on this instance; the call's own wait bounds it.
    } finally {
      await this.#store.delete(QUESTION, id).catch(() => undefined);
    }
  }
}
