/**
 * The checks of a POST's headers, made before anything is read or authenticated (MCP 2025-11-25, Basic /
 * Transports, "Sending Messages to the Server": the client MUST accept both `application/json` and
 * `text/event-stream`; the body is one JSON-RPC message): 406, 415, or 413 when the declared length is over the limit.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { HttpAnswer, HttpRequestLike } from './exchange.js';
import { rpcError } from './replies.js';

/** Checks the POST's headers before anything is read or authenticated. */
export function checkPostHeaders(req: HttpRequestLike, maxBodyBytes: number): HttpAnswer | undefined {
  const accept = req.header('accept');
  if (accept === undefined || !accept.includes('application/json') || !accept.includes('text/event-stream')) {
    return rpcError(
      406,
      null,
      ErrorCode.ServerError,
      'Not Acceptable: Accept must include application/json and text/event-stream',
    );
  }
  const contentType = req.header('content-type');
  if (contentType === undefined || !contentType.includes('application/json')) {
    return rpcError(415, null, ErrorCode.ServerError, 'Unsupported Media Type: Content-Type must be application/json');
  }
  const declared = req.header('content-length');
  if (declared !== undefined && Number(declared) > maxBodyBytes) return tooLarge(maxBodyBytes);
  return undefined;
}

/** 413, closing the connection (the rest of the body is not read). */
export function tooLarge(maxBodyBytes: number): HttpAnswer {
  const answer = rpcError(413, null, ErrorCode.ServerError, `Content Too Large: the limit is ${maxBodyBytes} bytes`, {
    connection: 'close',
  });
  answer.closeConnection = true;
  return answer;
}
