/**
 * Serving the one-time pages of URL-mode elicitation (src/state/interaction-pages.ts) at
 * `GET|POST /<backend>/elicitation/<id>`. The page is the user's, in a browser: no MCP headers, no inbound
 * credential (the unguessable id is the capability, and it only ever acts for the caller who asked for it).
 * Pages are found in the state store, so any instance serves any page; a submitted form is counted there before
 * its tool runs (at most 5 submissions ever reach it), then the page kind's tool is called with the form's fields
 * as the caller who asked, in their state (the legacy session's, else the 2026-07-28 caller's).
 * Hardening of a page that takes a password: `no-store`, no referrer, no framing (clickjacking), a CSP that
 * allows no script and no external asset and lets the form post only to this origin, a small form body, and a
 * form post only from this page's own origin.
 */
import { randomUUID } from 'node:crypto';
import type { InteractionPageKind, ToolService } from '../../core/tool-service-api.js';
import type { CallContext } from '../../core/call-context.js';
import type { SessionHandle, SessionStore } from '../../state/session.js';
import { htmlPage } from '../../pages/html.js';
import { InteractionPages, type PageRecord } from '../../state/interaction-pages.js';
import { callerHandle } from '../../state/caller-state.js';
import type { InteractionStore } from '../../state/interaction-store.js';
import { createSessionHandle } from '../../state/session-store.js';
import { BodyTooLargeError, type HttpAnswer, type HttpRequestLike } from './exchange.js';
import { empty } from './replies.js';

const PAGE_PATH = /^\/([^/]+)\/elicitation\/([^/]+)$/;
/** A phone number and a password fit many times over. */
const MAX_FORM_BYTES = 4096;

const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

/** Where pages and the state their tools write live. */
export interface PageState {
  interactions: InteractionStore;
  sessions: SessionStore;
}

/** The page routes of one HTTP server and where its pages are linked from. */
export class PageRoutes {
  readonly #services: ReadonlyMap<string, ToolService>;
  readonly #pages: InteractionPages;
  readonly #sessions: SessionStore;
  /** Base of page links when a public URL is configured (else the request's `Host`, which the guards checked). */
  readonly #publicBase: string | undefined;

  constructor(services: readonly ToolService[], publicUrl: string | undefined, state: PageState) {
    this.#services = new Map(services.map((s) => [s.backend, s]));
    this.#pages = new InteractionPages(state.interactions);
    this.#sessions = state.sessions;
    this.#publicBase = publicUrl?.replace(/\/+$/, '');
  }

  /** The answer for a page request, or undefined when the path is not a page path of a served backend. */
  serve(req: HttpRequestLike): Promise<HttpAnswer> | undefined {
    const match = PAGE_PATH.exec(req.path);
    const service = match === null ? undefined : this.#services.get(match[1] as string);
    if (service === undefined) return undefined;
    const id = (match as RegExpExecArray)[2] as string;
    if (req.method === 'GET' || req.method === 'HEAD') return this.#show(service, id);
    if (req.method === 'POST') return this.#submit(req, service, id);
    return Promise.resolve(empty(405, { allow: 'GET, HEAD, POST' }));
  }

  /** The origin page links of this request start with (no trailing slash). */
  baseFor(req: HttpRequestLike): string | undefined {
    const host = req.header('host');
    return this.#publicBase ?? (host === undefined ? undefined : `http://${host}`);
  }

  async #show(service: ToolService, id: string): Promise<HttpAnswer> {
    const found = await this.#find(service, id);
    return found === undefined
      ? gone()
      : html(200, found.kind.render({ data: found.record.data, requester: found.record.principal.id }));
  }

  async #submit(req: HttpRequestLike, service: ToolService, id: string): Promise<HttpAnswer> {
    if (!sameOrigin(req))
      return html(403, htmlPage('Not allowed', '<p>This form can only be sent from its own page.</p>'));
    if (!(req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      return html(415, htmlPage('Not allowed', '<p>Send the form from its page.</p>'));
    }
    let body: string;
    try {
      body = await req.readBody(MAX_FORM_BYTES);
    } catch (error) {
      return error instanceof BodyTooLargeError
        ? html(413, htmlPage('Too large', '<p>The form is too large.</p>'))
        : empty(400);
    }
    const found = await this.#find(service, id);
    if (found === undefined) return gone();
    const { record, kind } = found;
    // Counted before anything is done with the form: no more than MAX_ATTEMPTS submissions ever reach the tool.
    const attempt = await this.#pages.attempt(id);
    if (!attempt.allowed) return gone();
    const form = new URLSearchParams(body);
    const args: Record<string, string> = {};
    const kept: Record<string, string> = {};
    const missing: string[] = [];
    for (const field of kind.fields) {
      const value = form.get(field) ?? '';
      if (kind.keep.includes(field)) kept[field] = value.trim();
      if (value.trim() === '') missing.push(`${field}: is required`);
      else args[field] = kind.keep.includes(field) ? value.trim() : value;
    }
    let error: string | undefined = missing.length > 0 ? missing.join('; ') : undefined;
    if (error === undefined) {
      const state = await this.#stateOf(record, service.backend);
      if (state === undefined) {
        await this.#pages.withdraw(id);
        return gone();
      }
      const ctx: CallContext = {
        backend: service.backend,
        tool: kind.tool,
        requestId: randomUUID(),
        principal: record.principal,
        session: state,
      };
      if (record.sessionId !== undefined) ctx.sessionId = record.sessionId;
      const result = await service.callTool(kind.tool, args, ctx);
      if (result.isError !== true) {
        await this.#pages.withdraw(id);
        return html(200, kind.done({ data: record.data, result }));
      }
      error = result.content.map((c) => c.text).join('\n');
    }
    if (attempt.last) await this.#pages.withdraw(id);
    return html(200, kind.render({ data: record.data, requester: record.principal.id, error, values: kept }));
  }

  async #find(
    service: ToolService,
    id: string,
  ): Promise<{ record: PageRecord; kind: InteractionPageKind } | undefined> {
    const record = await this.#pages.find(service.backend, id);
    const kind = record === undefined ? undefined : service.pages?.[record.kind];
    return record === undefined || kind === undefined ? undefined : { record, kind };
  }

  /** The state the page's tool writes: the session's (if it still exists, for the same principal), else the caller's. */
  async #stateOf(record: PageRecord, backend: string): Promise<SessionHandle | undefined> {
    if (record.sessionId === undefined) return callerHandle(this.#sessions, backend, record.principal);
    const session = await this.#sessions.get(record.sessionId);
    if (session === undefined || session.principalId !== record.principal.id || session.backend !== backend)
      return undefined;
    return createSessionHandle(this.#sessions, record.sessionId, session);
  }
}

/** A form post carries `Origin` (Fetch standard); it must be this server's own (the `Host` checked already). */
function sameOrigin(req: HttpRequestLike): boolean {
  const origin = req.header('origin');
  if (origin === undefined) return true;
  const host = req.header('host');
  if (host === undefined || !URL.canParse(origin)) return false;
  return new URL(origin).host === host;
}

function gone(): HttpAnswer {
  return html(
    404,
    htmlPage(
      'Link expired',
      '<p>This sign-in link is no longer valid: it was used already, or it expired. Ask again from your MCP client.</p>',
    ),
  );
}

function html(status: number, body: string): HttpAnswer {
  return { status, headers: { ...PAGE_HEADERS, 'content-length': String(Buffer.byteLength(body)) }, body };
}
