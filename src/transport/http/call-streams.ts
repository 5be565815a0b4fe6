/**
 * Server→client requests of legacy sessions over HTTP (MCP 2025-11-25, Basic / Transports, "Streamable HTTP":
 * the server MAY answer a POST with an SSE stream and "send JSON-RPC requests and notifications before sending the
 * JSON-RPC response"; the client answers each with a POST of its own). finmcp needs this only for a tool call that
 * asks the user (form-mode `elicitation/create`) or the client (`sampling/createMessage`, `roots/list`), and only
 * for a session whose `initialize` declared one of those, so every other call keeps its single JSON answer: the stream opens when the call sends its first request, and
 * carries the requests and then the call's response.
 *
 * Pending requests are held by the instance whose call waits, and registered in the state store (issue 21): a
 * response POST that a load balancer sends to another instance is put in the store there, and the waiting call
 * picks it up (it polls the store while it waits). A question is answered once: the answer is taken from the store.
 */
import type { Caller } from '../../protocol/caller.js';
import { CLIENT_CAPABILITIES_STATE_KEY, type Reply } from '../../protocol/dispatcher.js';
import { clientModes } from '../../protocol/elicitation.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { InboundResponse, RequestId } from '../../protocol/messages.js';
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
   * For a legacy `tools/call` of a session whose client declared form-mode elicitation, sampling or roots: a stream
   * the call can ask through (set as `caller.requestClient`). Undefined otherwise: the call cannot ask, and answers as usual.
   */
  prepare(caller: Caller, method: string): CallStream | undefined {
    const { sessionId, session } = caller;
    if (method !== 'tools/call' || sessionId === undefined || session === undefined) return undefined;
    const modes = clientModes(session.get(CLIENT_CAPABILITIES_STATE_KEY));
    if (modes === undefined || !(modes.form || modes.sampling || modes.roots)) return undefined;
    const stream = new CallStream((id) => void this.#share(stream, sessionId, id));
    let set = this.#bySession.get(sessionId);
    if (set === undefined) this.#bySession.set(sessionId, (set = new Set()));
    set.add(stream);
    caller.requestClient = stream.requests.send;
    return stream;
  }

  /**
   * The stream answer when the call asks the client something before it answers; undefined when it answered first
   * (then answered as usual). The stream is forgotten once the call has ended.
   */
  async race(
    stream: CallStream,
    sessionId: string,
    running: Reply | Promise<Reply | undefined>,
    id: RequestId,
  ): Promise<HttpAnswer | undefined> {
    const settled = Promise.resolve(running);
    const forget = (): void => {
      stream.requests.closeAll();
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
