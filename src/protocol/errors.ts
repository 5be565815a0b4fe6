/**
 * JSON-RPC 2.0 error codes (§5.1) and the MCP ones (MCP 2026-07-28, Basic, "Error Codes"; the SDK's
 * `ProtocolErrorCode`), and how a thrown value becomes an error object without leaking internals.
 */

/** Error codes finmcp answers with. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Implementation-defined server error, used for HTTP-level refusals and cancelled requests. */
  ServerError: -32000,
  /** 2026-07-28: HTTP headers disagree with the body, or a required one is missing. */
  HeaderMismatch: -32020,
  /** 2026-07-28: serving the request needs a capability the client did not declare (HTTP 400). */
  MissingRequiredClientCapability: -32021,
  /** 2026-07-28: the request names a protocol revision this server does not serve. */
  UnsupportedProtocolVersion: -32022,
  /** 2025-11-25: the request needs the user to complete a URL-mode elicitation first (`URLElicitationRequiredError`). */
  UrlElicitationRequired: -32042,
} as const;

/** A JSON-RPC error object. */
export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** An error a handler throws to answer with a specific JSON-RPC error (the SDK's `ProtocolError` shape). */
export class RpcFailure extends Error {
  readonly code: number;
  readonly data: unknown;

  /** `message` is sent to the client as is: never put internals in it. */
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'RpcFailure';
    this.code = code;
    this.data = data;
  }
}

/**
 * The error object for a thrown value: an {@link RpcFailure} (or anything shaped like the SDK's `ProtocolError`,
 * i.e. with a safe-integer `code` and a string `message`) as it is; anything else an internal error.
 */
export function toRpcError(error: unknown): RpcError {
  if (typeof error === 'object' && error !== null) {
    const { code, message, data } = error as { code?: unknown; message?: unknown; data?: unknown };
    if (typeof code === 'number' && Number.isSafeInteger(code) && typeof message === 'string') {
      return data === undefined ? { code, message } : { code, message, data };
    }
  }
  return { code: ErrorCode.InternalError, message: 'Internal error' };
}

/** Error fields safe to log. */
export function errorSummary(error: unknown): { message: string; name?: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
}
