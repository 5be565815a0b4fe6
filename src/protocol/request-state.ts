/**
 * The `requestState` of an MCP 2026-07-28 `input_required` result (Basic / Patterns, "Multi Round-Trip Requests",
 * Server Requirements 4–5): the client echoes it on its retry, so it is attacker-controlled input. It binds the
 * answers of the retry to the principal who was asked, the tool, a digest of the exact arguments that were shown,
 * and a short expiry, under an HMAC-SHA256 (RFC 2104). It also carries the answers of earlier rounds (a multi-round
 * call: the client sends only the latest round's answers). State that fails any check is refused (the dispatch core
 * answers -32602): nothing is done on the strength of it.
 *
 * It also carries a random nonce: the retry that presents it claims the nonce in the state store before anything
 * is sent (src/protocol/once.ts), so one confirmation authorises one execution, on any instance.
 *
 * The HMAC key is derived (HKDF, RFC 5869) from `FINMCP_STATE_KEY` when it is set, so every instance verifies every
 * other's state; without it, a random key of this process, made on first use.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a question may stay unanswered before the retry must ask again. */
export const REQUEST_STATE_TTL_MS = 10 * 60_000;

/** What the state is bound to. */
export interface StateBinding {
  principalId: string;
  backend: string;
  tool: string;
  args: unknown;
}

/** Longest state accepted back (the answers of earlier rounds travel in it). */
const MAX_STATE_CHARS = 65_536;

/** What a state that opened carries: its nonce, and the answers given in earlier rounds. */
export interface OpenedState {
  nonce: string;
  answers: Record<string, unknown>;
}

/** Seals and opens request states under one key. */
export class RequestStateSeal {
  /** Made on first use when not configured, not at module load: Cloudflare Workers forbid random values in global scope. */
  #key: Buffer | undefined;

  /** `secret`: the configured state key's bytes (FINMCP_STATE_KEY); absent: a random key, made on first use. */
  constructor(secret?: Buffer) {
    if (secret !== undefined)
      this.#key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'finmcp requestState v1', 32));
  }

  /** The state to send with an `input_required` result for `binding`, carrying `nonce` and the answers given so far. */
  seal(binding: StateBinding, nonce: string, now = Date.now(), answers: Record<string, unknown> = {}): string {
    const payload = Buffer.from(
      JSON.stringify({ b: bindingDigest(binding), e: now + REQUEST_STATE_TTL_MS, n: nonce, a: answers }),
    ).toString('base64url');
    return `${payload}.${this.#mac(payload)}`;
  }

  /**
   * The nonce and earlier answers of `state` when it was sealed under this key for exactly `binding` and has not
   * expired; else undefined.
   */
  open(state: unknown, binding: StateBinding, now = Date.now()): OpenedState | undefined {
    if (typeof state !== 'string' || state.length > MAX_STATE_CHARS) return undefined;
    const dot = state.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = state.slice(0, dot);
    const given = Buffer.from(state.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#mac(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const { b, e, n, a } = (parsed ?? {}) as { b?: unknown; e?: unknown; n?: unknown; a?: unknown };
    if (typeof e !== 'number' || now >= e || b !== bindingDigest(binding) || typeof n !== 'string' || n === '')
      return undefined;
    return {
      nonce: n,
      answers: typeof a === 'object' && a !== null && !Array.isArray(a) ? (a as Record<string, unknown>) : {},
    };
  }

  #mac(payload: string): string {
    this.#key ??= randomBytes(32);
    return createHmac('sha256', this.#key).update(payload).digest('base64url');
  }
}

/** A fresh nonce: 128 random bits, base64url. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** SHA-256 of the binding, arguments in canonical (key-sorted) JSON so that member order does not matter. */
function bindingDigest(binding: StateBinding): string {
  return createHash('sha256')
    .update(JSON.stringify([binding.principalId, binding.backend, binding.tool, canonical(binding.args)]))
    .digest('base64url');
}

/** A JSON value with object members in sorted order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
  return out;
}
