/**
 * The `requestState` of an MCP 2026-07-28 `input_required` result (Basic / Patterns, "Multi Round-Trip Requests",
 * Server Requirements 4–5): the client echoes it on its retry, so it is attacker-controlled input. It binds the
 * answers of the retry to the principal who was asked, the tool, a digest of the exact arguments that were shown,
 * and a short expiry, under an HMAC-SHA256 (RFC 2104) with a key of this process. It also carries the answers of
 * earlier rounds (a multi-round call: the client sends only the latest round's answers). State that fails any check
 * is refused (the dispatch core answers -32602): nothing is done on the strength of it.
 *
 * The key is random per process: a retry reaching another instance of a scaled-out deployment is asked again
 * (the user confirms twice), never trusted.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a question may stay unanswered before the retry must ask again. */
export const REQUEST_STATE_TTL_MS = 10 * 60_000;

/** What the state is bound to. */
export interface StateBinding {
  principalId: string;
  backend: string;
  tool: string;
  args: unknown;
}

/** Made on first use, not at module load: Cloudflare Workers forbid generating random values in global scope. */
let key: Buffer | undefined;

/** Longest state accepted back (the answers of earlier rounds travel in it). */
const MAX_STATE_CHARS = 65_536;

/** The state to send with an `input_required` result for `binding`, carrying the answers given so far. */
export function sealRequestState(binding: StateBinding, now = Date.now(), answers: Record<string, unknown> = {}): string {
  const payload = Buffer.from(JSON.stringify({ b: bindingDigest(binding), e: now + REQUEST_STATE_TTL_MS, a: answers })).toString('base64url');
  return `${payload}.${mac(payload)}`;
}

/**
 * The answers carried by `state` when it was sealed by this process for exactly `binding` and has not expired;
 * undefined otherwise.
 */
export function openRequestState(state: unknown, binding: StateBinding, now = Date.now()): Record<string, unknown> | undefined {
  if (typeof state !== 'string' || state.length > MAX_STATE_CHARS) return undefined;
  const dot = state.indexOf('.');
  if (dot <= 0) return undefined;
  const payload = state.slice(0, dot);
  const given = Buffer.from(state.slice(dot + 1), 'base64url');
  const expected = Buffer.from(mac(payload), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const { b, e, a } = (parsed ?? {}) as { b?: unknown; e?: unknown; a?: unknown };
  if (typeof e !== 'number' || now >= e || b !== bindingDigest(binding)) return undefined;
  return typeof a === 'object' && a !== null && !Array.isArray(a) ? (a as Record<string, unknown>) : {};
}

function mac(payload: string): string {
  return createHmac('sha256', (key ??= randomBytes(32))).update(payload).digest('base64url');
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
