/**
 * What one audit record says (issue 21 part 4): who called which tool of which backend, with which arguments (as a
 * digest, secrets taken out), what the user answered when asked to confirm, and what the backend answered. The types
 * are what the tool service and the HTTP admission hand to an {@link AuditLog}; the trail (audit-trail.ts) adds the
 * time, the instance and the hash chain. No record holds a secret: callers are principal ids (never a credential),
 * argument values pass through core/redact.ts, and values the tool's schema marks `writeOnly` or whose name says
 * password/secret/token are replaced.
 */
import { createHash } from 'node:crypto';
import { REDACTED, redactSecrets } from '../core/redact.js';
import { isObject } from '../../contract/json.js';

/** Why the record was written: a tool call that reached the backend or was refused, or a refusal before any call. */
export type AuditEvent = 'tool_call' | 'auth_rejected' | 'rate_limited';

/** How the user answered a confirmation (MCP elicitation) during the call. */
export type ConfirmationOutcome = 'confirmed' | 'declined' | 'cancelled';

/** One record before the trail stamps and chains it. Absent knowledge is `null`, never a missing field. */
export interface AuditEntry {
  event: AuditEvent;
  /** The request id sent upstream as `x-request-id` (and logged), or null before a call had one. */
  requestId: string | null;
  backend: string;
  tool: string | null;
  caller: {
    /** The principal the inbound credential proved (OAuth `sub`, API key id, `anonymous`); null when refused. */
    principal: string | null;
    /** What the caller's credentials bound (e.g. `{ organizationId }`), or null when nothing is bound. */
    tenant: Record<string, unknown> | null;
    /** Client address, for refusals before a principal was known. */
    address?: string;
  };
  /** The arguments: SHA-256 of their redacted canonical JSON and the redacted values; null when not known. */
  args: ArgumentDigest | null;
  /** The call's outcome (`ok`, `backend_error`, `auth`, `refused`, …) or the refusal's reason. */
  outcome: string;
  confirmation: { outcome: ConfirmationOutcome; by: string | null } | null;
  /** The confirmation's nonce (claimed once; the idempotency key sent), when the user was asked; else null. */
  nonce: string | null;
  /** Last HTTP status from the backend, or the status the server answered for refusals; null when none. */
  status: number | null;
  durationMs: number | null;
  /** Refusals of the same kind from the same caller left out since the last record (at most one per minute). */
  suppressed?: number;
}

/**
 * Where records go. `append` returns at once: the trail writes in the background. A function is called there too,
 * after the request's own work (its undefined: nothing to record), so building a record (the argument digest) costs
 * the call nothing; it must only read what no one changes after the call.
 */
export interface AuditLog {
  append(entry: AuditEntry | (() => AuditEntry | undefined)): void;
}

/** Arguments as an audit record shows them. */
export interface ArgumentDigest {
  /** SHA-256 (hex) of the redacted values' JSON: equal arguments give equal digests, whatever the key order. */
  sha256: string;
  values: unknown;
}

/** Longest string kept whole in `values`; longer ones are cut, with their length and SHA-256. */
const MAX_STRING_CHARS = 256;
/** Names whose values are credentials whatever the schema says. */
const SECRET_NAME = /pass(word|phrase)?|secret|token|api[-_]?key|authorization|cookie|credential/i;

/**
 * The digest of a tool call's arguments. `secretNames` are top-level names the tool's schema marks secret
 * (`writeOnly`, `format: password`); `secrets` are exact values to take out wherever they appear (the call's
 * outbound credentials).
 */
export function digestArguments(
  args: Record<string, unknown>,
  secretNames: ReadonlySet<string>,
  secrets: readonly string[],
): ArgumentDigest {
  const full = redactDeep(args, secretNames, secrets, false);
  // redactDeep sorts object keys, so this JSON is canonical: the digest does not depend on the key order.
  return {
    sha256: createHash('sha256').update(JSON.stringify(full)).digest('hex'),
    values: redactDeep(args, secretNames, secrets, true),
  };
}

/** Top-level properties a JSON Schema marks as secret: `writeOnly: true` or `format: password`. */
export function secretProperties(schema: unknown): Set<string> {
  const out = new Set<string>();
  const properties = isObject(schema) ? schema['properties'] : undefined;
  if (!isObject(properties)) return out;
  for (const [name, property] of Object.entries(properties)) {
    if (isObject(property) && (property['writeOnly'] === true || property['format'] === 'password')) out.add(name);
  }
  return out;
}

/** `value` with secrets replaced (and, when `shorten`, long strings cut), objects' keys sorted. */
function redactDeep(
  value: unknown,
  topSecret: ReadonlySet<string>,
  secrets: readonly string[],
  shorten: boolean,
  depth = 0,
): unknown {
  if (typeof value === 'string') {
    const clean = redactSecrets(value, secrets);
    if (!shorten || clean.length <= MAX_STRING_CHARS) return clean;
    const digest = createHash('sha256').update(clean).digest('hex');
    return `${clean.slice(0, MAX_STRING_CHARS)}… [${clean.length} characters, SHA-256 ${digest}]`;
  }
  if (value === null || typeof value !== 'object') return value;
  // Arguments were validated against the tool's schema; the depth bound only guards against surprises.
  if (depth > 32) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, topSecret, secrets, shorten, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    const secret = SECRET_NAME.test(key) || (depth === 0 && topSecret.has(key));
    out[key] =
      secret && item !== undefined && item !== null
        ? REDACTED
        : redactDeep(item, topSecret, secrets, shorten, depth + 1);
  }
  return out;
}
