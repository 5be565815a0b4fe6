/**
 * Server→client requests of legacy sessions over HTTP (MCP 2025-11-25, Basic / Transports, "Streamable HTTP":
 * the server MAY answer a POST with an SSE stream and "send JSON-RPC requests and notifications before sending the
 * JSON-RPC response"; the client answers each with a POST of its own). finmcp needs this only for a tool call that
 * asks the user (form-mode `elicitation/create`) and only for a session whose `initialize` declared form mode, so
 * every other call keeps its single JSON answer: the stream opens when the call sends its first request, and
 * carries the requests and then the call's response.
 *
 * Pending requests are held in this process, by session: the client's response POST must reach this instance
 * (a load balancer keeping a session on one instance does that).
 */
import type { Caller } from '../../protocol/caller.js';
import { CLIENT_CAPABILITIES_STATE_KEY, type Reply } from '../../protocol/dispatcher.js';
import { clientModes } from '../../protocol/elicitation.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { InboundResponse, RequestId } from '../../protocol/messages.js';
import { ClientRequests } from '../client-requests.js';
import type { HttpAnswer } from './exchange.js';

/** SSE headers (the HTML `text/event-stream` format). */
const STREAM_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

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

  constructor() {
    this.opened = new Promise<'stream'>((resolve) => (this.#open = () => resolve('stream')));
    this.requests = new ClientRequests((line) => {
      this.#events.push(line);
      this.#open();
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

  /**
   * For a legacy `tools/call` of a session whose client declared form-mode elicitation, sampling or roots: a stream
   * the call can ask through (set as `caller.requestClient`). Undefined otherwise: the call cannot ask, and answers as usual.
   */
  prepare(caller: Caller, method: string): CallStream | undefined {
    const { sessionId, session } = caller;
    if (method !== 'tools/call' || sessionId === undefined || session === undefined) return undefined;
    const modes = clientModes(session.get(CLIENT_CAPABILITIES_STATE_KEY));
    if (modes === undefined || !(modes.form || modes.sampling || modes.roots)) return undefined;
    const stream = new CallStream();
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
  async race(stream: CallStream, sessionId: string, running: Reply | Promise<Reply | undefined>, id: RequestId): Promise<HttpAnswer | undefined> {
    const settled = Promise.resolve(running);
    const forget = (): void => {
      stream.requests.closeAll();
      const set = this.#bySession.get(sessionId);
      set?.delete(stream);
      if (set?.size === 0) this.#bySession.delete(sessionId);
    };
    void settled.then(forget, forget);
    const first = await Promise.race([settled.then(() => 'reply' as const, () => 'reply' as const), stream.opened]);
    if (first === 'reply') return undefined;
    const internal = JSON.stringify({ jsonrpc: '2.0', id, error: { code: ErrorCode.InternalError, message: 'Internal error' } });
    const cancelled = JSON.stringify({ jsonrpc: '2.0', id, error: { code: ErrorCode.ServerError, message: 'Request cancelled' } });
    return stream.answer(settled.then((reply) => (reply === undefined ? cancelled : reply.body), () => internal));
  }

  /** Delivers a client's response (a POST of that session) to the call that asked. */
  settle(sessionId: string, response: InboundResponse): void {
    for (const stream of this.#bySession.get(sessionId) ?? []) if (stream.requests.settle(response)) return;
  }
}
