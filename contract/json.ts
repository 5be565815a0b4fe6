/**
 * The one JSON-object test, shared by the generator and the runtime: a parsed spec node, a JSON-RPC member, a
 * backend's answer (RFC 8259 §4: an object is neither null nor an array).
 */

/** Any JSON object. */
export type JsonObject = { [key: string]: unknown };

/** Whether a value is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
