/**
 * Serving the one-time pages of URL-mode elicitation (src/pages/interaction-pages.ts) at
 * `GET|POST /<backend>/elicitation/<id>`. The page is the user's, in a browser: no MCP headers, no inbound
 * credential (the unguessable id is the capability, and it only ever acts for the caller who asked for it).
 * Hardening of a page that takes a password: `no-store`, no referrer, no framing (clickjacking), a CSP that
 * allows no script and no external asset and lets the form post only to this origin, a small form body, and a
 * form post only from this page's own origin.
 */
import { htmlPage } from '../../pages/html.js';
import { interactionPages } from '../../pages/interaction-pages.js';
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
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

/** The page routes of one HTTP server and where its pages are linked from. */
export class PageRoutes {
  readonly #backends: ReadonlySet<string>;
  /** Base of page links when a public URL is configured (else the request's `Host`, which the guards checked). */
  readonly #publicBase: string | undefined;

  constructor(backends: readonly string[], publicUrl: string | undefined) {
    this.#backends = new Set(backends);
    this.#publicBase = publicUrl?.replace(/\/+$/, '');
  }

  /** The answer for a page request, or undefined when the path is not a page path of a served backend. */
  serve(req: HttpRequestLike): HttpAnswer | Promise<HttpAnswer> | undefined {
    return servePage(req, this.#backends);
  }

  /** The origin page links of this request start with (no trailing slash). */
  baseFor(req: HttpRequestLike): string | undefined {
    const host = req.header('host');
    return this.#publicBase ?? (host === undefined ? undefined : `http://${host}`);
  }
}

function servePage(req: HttpRequestLike, backends: ReadonlySet<string>): HttpAnswer | Promise<HttpAnswer> | undefined {
  const match = PAGE_PATH.exec(req.path);
  if (match === null || !backends.has(match[1] as string)) return undefined;
  const backend = match[1] as string;
  const id = match[2] as string;
  if (req.method === 'GET' || req.method === 'HEAD') {
    const entry = interactionPages.find(backend, id);
    return entry === undefined ? gone() : html(200, entry.spec.render());
  }
  if (req.method === 'POST') return submit(req, backend, id);
  return empty(405, { allow: 'GET, HEAD, POST' });
}

async function submit(req: HttpRequestLike, backend: string, id: string): Promise<HttpAnswer> {
  if (!sameOrigin(req)) return html(403, htmlPage('Not allowed', '<p>This form can only be sent from its own page.</p>'));
  if (!(req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    return html(415, htmlPage('Not allowed', '<p>Send the form from its page.</p>'));
  }
  let body: string;
  try {
    body = await req.readBody(MAX_FORM_BYTES);
  } catch (error) {
    return error instanceof BodyTooLargeError ? html(413, htmlPage('Too large', '<p>The form is too large.</p>')) : empty(400);
  }
  const result = await interactionPages.submit(backend, id, new URLSearchParams(body));
  return result === undefined ? gone() : html(200, result);
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
  return html(404, htmlPage('Link expired', '<p>This sign-in link is no longer valid: it was used already, or it expired. Ask again from your MCP client.</p>'));
}

function html(status: number, body: string): HttpAnswer {
  return { status, headers: { ...PAGE_HEADERS, 'content-length': String(Buffer.byteLength(body)) }, body };
}
