/**
 * The `requestState` of an MCP 2026-07-28 `input_required` result (Basic / Patterns, "Multi Round-Trip Requests",
 * Server Requirements 4–5): the client echoes it on its retry, so it is attacker-controlled input. It binds the
 * answers of the retry to the principal who was asked, the tool, a digest of the exact arguments that were shown,
 * and a short expiry, under an HMAC-SHA256 (RFC 2104) with a key of this process. State that fails any check is
 * ignored: the call asks again, and nothing is done on the strength of it.
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

/** The state to send with an `input_required` result for `binding`. */
export function sealRequestState(binding: StateBinding, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ b: bindingDigest(binding), e: now + REQUEST_STATE_TTL_MS })).toString('base64url');
  return `${payload}.${mac(payload)}`;
}

/** Whether `state` was sealed by this process for exactly `binding` and has not expired. */
export function openRequestState(state: unknown, binding: StateBinding, now = Date.now()): boolean {
  if (typeof state !== 'string' || state.length > 1024) return false;
  const dot = state.indexOf('.');
  if (dot <= 0) return false;
  const payload = state.slice(0, dot);
  const given = Buffer.from(state.slice(dot + 1), 'base64url');
  const expected = Buffer.from(mac(payload), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return false;
  }
  const { b, e } = (parsed ?? {}) as { b?: unknown; e?: unknown };
  return typeof e === 'number' && now < e && b === bindingDigest(binding);
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
