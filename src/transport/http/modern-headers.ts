/**
 * Request metadata headers of MCP 2026-07-28 (Basic / Transports, Streamable HTTP, "Request Metadata" and
 * "Server Validation"): `MCP-Protocol-Version`, `Mcp-Method` and, for `tools/call`, `Mcp-Name` mirror the body;
 * a missing one or one that disagrees is refused with 400 and `HeaderMismatch` (-32020) naming the header.
 * The version header is compared with the body's claim before the claim itself is judged: a body naming a
 * version the header does not is a mismatch (-32020), one both name that is not served is -32022.
 * `Mcp-Name` may be Base64-encoded as `=?base64?…?=` ("Value Encoding") and is decoded before comparing.
 */
import { unsupportedVersionError } from '../../protocol/envelope.js';
import { ErrorCode, type RpcError } from '../../protocol/errors.js';
import { isObject, truncate, type InboundRequest } from '../../protocol/messages.js';
import { ALL_VERSIONS, PROTOCOL_VERSION_META_KEY } from '../../protocol/versions.js';
import type { HttpRequestLike } from './exchange.js';

/** A header refusal: the header it names and why. */
export interface HeaderMismatch {
  code: number;
  message: string;
  data: { mismatch: { header: string; body: string } };
}

/** Methods whose `params.name` is mirrored in `Mcp-Name` (finmcp serves no resources or prompts). */
const NAMED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get']);
const BASE64_PREFIX = '=?base64?';
const BASE64_SUFFIX = '?=';

/**
 * Checks `MCP-Protocol-Version` against the request: the version its `_meta` envelope claims (whether served or
 * not), else (no claim: a legacy request) one of the versions served. Runs before the envelope is read.
 */
export function checkVersionHeader(
  req: HttpRequestLike,
  request: InboundRequest,
): HeaderMismatch | RpcError | undefined {
  const version = req.header('mcp-protocol-version');
  const meta = request.params?._meta;
  const claimed = isObject(meta) ? meta[PROTOCOL_VERSION_META_KEY] : undefined;
  if (typeof claimed === 'string') {
    return version === claimed
      ? undefined
      : mismatch('MCP-Protocol-Version', version, `the body envelope names protocol version ${truncate(claimed)}`);
  }
  return version === undefined || ALL_VERSIONS.has(version) ? undefined : unsupportedHeaderVersion(version);
}

/** `MCP-Protocol-Version` naming a version not served (a message that claims none in its body). */
export function unsupportedHeaderVersion(version: string): RpcError {
  const error = unsupportedVersionError(version, ALL_VERSIONS);
  return { ...error, message: `Bad Request: unsupported MCP-Protocol-Version ${truncate(version)}` };
}

/** Checks `Mcp-Method` and `Mcp-Name` against a modern request's body (after {@link checkVersionHeader}). */
export function checkModernHeaders(req: HttpRequestLike, request: InboundRequest): HeaderMismatch | undefined {
  const method = req.header('mcp-method');
  if (method !== request.method)
    return mismatch('Mcp-Method', method, `the body names method ${truncate(request.method)}`);
  if (NAMED_METHODS.has(request.method)) {
    const name = request.params?.name;
    if (typeof name === 'string') {
      const header = req.header('mcp-name');
      if (header === undefined || decodeHeaderValue(header) !== name) {
        return mismatch('Mcp-Name', header, `the body carries params.name=${JSON.stringify(truncate(name))}`);
      }
    }
  }
  return undefined;
}

/** A header value with the Base64 sentinel decoded; undefined when the encoding is malformed. */
function decodeHeaderValue(value: string): string | undefined {
  if (
    !value.startsWith(BASE64_PREFIX) ||
    !value.endsWith(BASE64_SUFFIX) ||
    value.length < BASE64_PREFIX.length + BASE64_SUFFIX.length
  ) {
    return value;
  }
  const encoded = value.slice(BASE64_PREFIX.length, value.length - BASE64_SUFFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64').toString('utf8');
}

function mismatch(header: string, value: string | undefined, body: string): HeaderMismatch {
  const shown = value === undefined ? '(missing)' : truncate(value);
  const problem =
    value === undefined
      ? `the required ${header} header is absent`
      : `the ${header} header says ${JSON.stringify(shown)}`;
  return {
    code: ErrorCode.HeaderMismatch,
    message: `Bad Request: ${header} header does not match the body: ${body} but ${problem}`,
    data: { mismatch: { header: shown, body } },
  };
}
