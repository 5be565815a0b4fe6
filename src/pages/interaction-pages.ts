/**
 * One-time pages of URL-mode elicitation (MCP 2025-11-25 and 2026-07-28, Client / Elicitation, "URL Mode
 * Elicitation for Sensitive Data"): the user types a secret into a page the server serves, so that it never passes
 * through the MCP client or the model. A tool registers a page (what it shows, what a submitted form does) and
 * gets an unguessable id (256 random bits); the HTTP transport serves it at `/<backend>/elicitation/<id>` until it
 * is completed, fails too often, or expires (10 minutes). Pages live in this process's memory: a deployment with
 * several instances needs the page's requests routed to the instance that made it.
 *
 * The page's work is bound to the caller who asked: the tool's closure writes to that caller's state only.
 * "Safe URL Handling": the URL holds no user data and is not pre-authenticated to anything but this one form.
 */
import { randomBytes } from 'node:crypto';

/** A page as a tool registers it. */
export interface InteractionPageSpec {
  backend: string;
  /** The page (complete HTML) as first shown. */
  render(): string;
  /** Handles the submitted form; `done` ends the page (one-time). */
  submit(form: URLSearchParams): Promise<{ html: string; done: boolean }>;
}

/** How long a page lives. */
const PAGE_TTL_MS = 10 * 60_000;
/** Failed submissions before a page is withdrawn (slows guessing a password through it). */
const MAX_ATTEMPTS = 5;
/** Most pages held at once (the oldest goes first). */
const MAX_PAGES = 10_000;
/** Ids are 32 random bytes, base64url. */
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

interface Entry {
  spec: InteractionPageSpec;
  expiresAt: number;
  attempts: number;
}

/** The pages of this process. */
class InteractionPages {
  readonly #pages = new Map<string, Entry>();

  /** Registers a page; returns its id. */
  register(spec: InteractionPageSpec, now = Date.now()): string {
    this.#sweep(now);
    if (this.#pages.size >= MAX_PAGES) this.#pages.delete(this.#pages.keys().next().value as string);
    const id = randomBytes(32).toString('base64url');
    this.#pages.set(id, { spec, expiresAt: now + PAGE_TTL_MS, attempts: 0 });
    return id;
  }

  /** The live page of `backend` with this id, if any. */
  find(backend: string, id: string, now = Date.now()): Entry | undefined {
    if (!ID_PATTERN.test(id)) return undefined;
    const entry = this.#pages.get(id);
    if (entry === undefined || entry.spec.backend !== backend) return undefined;
    if (now >= entry.expiresAt) {
      this.#pages.delete(id);
      return undefined;
    }
    return entry;
  }

  /** Submits a form to a live page; undefined when there is no such page (any more). */
  async submit(backend: string, id: string, form: URLSearchParams): Promise<string | undefined> {
    const entry = this.find(backend, id);
    if (entry === undefined) return undefined;
    const outcome = await entry.spec.submit(form);
    if (outcome.done || ++entry.attempts >= MAX_ATTEMPTS) this.#pages.delete(id);
    return outcome.html;
  }

  #sweep(now: number): void {
    for (const [id, entry] of this.#pages) if (now >= entry.expiresAt) this.#pages.delete(id);
  }
}

/** The pages of this process, shared by the tools that register them and the transports that serve them. */
export const interactionPages = new InteractionPages();
