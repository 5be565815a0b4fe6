/**
 * Sorting one parsed JSON value into a JSON-RPC 2.0 request, notification or response (JSON-RPC 2.0 §4, §5), or
 * the -32600 refusal to give instead. The members allowed are those of the SDK's strict message schemas, and
 * ids are strings or safe integers (a JSON number beyond 2^53 would not round-trip).
 */
import { ErrorCode } from './errors.js';
import { isObject, type JsonObject } from '../../contract/json.js';

/** A JSON object. */
export { isObject, type JsonObject };
/** A JSON-RPC request id. */
export type RequestId = string | number;

/** A request: answered exactly once (or never, if cancelled). */
export interface InboundRequest {
  kind: 'request';
  id: RequestId;
  method: string;
  params: JsonObject | undefined;
}

/** A notification: never answered. */
export interface InboundNotification {
  kind: 'notification';
  method: string;
  params: JsonObject | undefined;
}

/** A response to a server request (2025-11-25 `elicitation/create` over stdio); otherwise accepted and ignored. */
export interface InboundResponse {
  kind: 'response';
  id: RequestId | null;
  result?: unknown;
  error?: unknown;
}

/** Why a message is not one of the above, and the id to answer with (null when it has no usable one). */
export interface Refusal {
  kind: 'refusal';
  id: RequestId | null;
  code: number;
  message: string;
  /** A malformed notification or response: never answered where answers are optional (stdio). */
  silent: boolean;
}

export type Inbound = InboundRequest | InboundNotification | InboundResponse;

const REQUEST_MEMBERS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'method', 'params']);
const NOTIFICATION_MEMBERS: ReadonlySet<string> = new Set(['jsonrpc', 'method', 'params']);

/** Whether `id` is a JSON-RPC id the SDK accepts. */
export function isRequestId(id: unknown): id is RequestId {
  return typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id));
}

/** Classifies one parsed JSON value. */
export function inspectMessage(value: unknown): Inbound | Refusal {
  if (!isObject(value)) {
    const text = Array.isArray(value)
      ? 'Invalid Request: JSON-RPC batches are not supported'
      : 'Invalid Request: not a JSON-RPC 2.0 message';
    return refusal(null, text, false);
  }
  const method = value.method;
  const hasId = 'id' in value;
  const id = isRequestId(value.id) ? value.id : null;
  if (value.jsonrpc !== '2.0')
    return refusal(id, 'Invalid Request: not a JSON-RPC 2.0 message', method === undefined ? false : !hasId);
  if (method === undefined) {
    if ('result' in value || 'error' in value)
      return { kind: 'response', id, result: value.result, error: value.error };
    return refusal(id, 'Invalid Request: no method', false);
  }
  if (typeof method !== 'string') return refusal(id, 'Invalid Request: method must be a string', !hasId);
  const params = value.params;
  if (params !== undefined && !isObject(params))
    return refusal(id, 'Invalid Request: params must be an object', !hasId);
  if (hasId) {
    if (id === null) return refusal(null, 'Invalid Request: id must be a string or an integer', false);
    for (const key in value)
      if (!REQUEST_MEMBERS.has(key)) return refusal(id, `Invalid Request: unexpected member ${truncate(key)}`, false);
    return { kind: 'request', id, method, params };
  }
  for (const key in value)
    if (!NOTIFICATION_MEMBERS.has(key))
      return refusal(null, `Invalid Request: unexpected member ${truncate(key)}`, true);
  return { kind: 'notification', method, params };
}

function refusal(id: RequestId | null, message: string, silent: boolean): Refusal {
  return { kind: 'refusal', id, code: ErrorCode.InvalidRequest, message, silent };
}

/** Caps echoed values. */
export function truncate(value: string, max = 40): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
