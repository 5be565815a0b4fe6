/**
 * The per-request `_meta` envelope of MCP 2026-07-28 (Basic / Versioning, "Protocol Version Negotiation"):
 * a request whose `params._meta` names a protocol version is a modern request; it must also carry the client's
 * capabilities (an object) and may carry the client's info (name and version). A version this server does not
 * serve is answered with `UnsupportedProtocolVersionError` (-32022) listing the modern versions it does serve
 * (legacy versions are negotiated by `initialize`, as the SDK's server answers too).
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  MODERN_VERSIONS,
  PROTOCOL_VERSION_META_KEY,
  isModernVersion,
} from './versions.js';
import { ErrorCode, type RpcError } from './errors.js';
import { isObject, truncate, type JsonObject } from './messages.js';

/** What a modern request says about its client. */
export interface Envelope {
  protocolVersion: string;
  clientCapabilities: JsonObject;
  clientInfo?: { name: string; version: string };
}

/** A refused envelope: the error and the HTTP status the spec gives it (400). */
export interface EnvelopeRefusal {
  error: RpcError;
}

/** The envelope of a request: undefined for a legacy request (no version claim), or why it is refused. */
export function readEnvelope(params: JsonObject | undefined): Envelope | EnvelopeRefusal | undefined {
  const meta = params?._meta;
  if (!isObject(meta)) return undefined;
  const version = meta[PROTOCOL_VERSION_META_KEY];
  if (version === undefined) return undefined;
  if (typeof version !== 'string') return invalid(PROTOCOL_VERSION_META_KEY, 'must be a string');
  if (!isModernVersion(version) || !MODERN_VERSIONS.includes(version))
    return { error: unsupportedVersionError(version, MODERN_VERSIONS) };
  const capabilities = meta[CLIENT_CAPABILITIES_META_KEY];
  if (!isObject(capabilities))
    return invalid(CLIENT_CAPABILITIES_META_KEY, capabilities === undefined ? 'missing' : 'must be an object');
  const info = meta[CLIENT_INFO_META_KEY];
  if (info === undefined) return { protocolVersion: version, clientCapabilities: capabilities };
  if (!isObject(info) || typeof info.name !== 'string' || typeof info.version !== 'string') {
    return invalid(CLIENT_INFO_META_KEY, 'must be an object with string name and version');
  }
  return {
    protocolVersion: version,
    clientCapabilities: capabilities,
    clientInfo: { name: info.name, version: info.version },
  };
}

/** Whether {@link readEnvelope} refused. */
export function isEnvelopeRefusal(value: Envelope | EnvelopeRefusal | undefined): value is EnvelopeRefusal {
  return value !== undefined && 'error' in value;
}

/**
 * `UnsupportedProtocolVersionError` for `requested`: `data.supported` lists what a client speaking that way can use
 * instead (a request with an envelope: the versions `server/discover` lists; a bare header: every one), and
 * `data.requested` echoes the request.
 */
export function unsupportedVersionError(requested: string, supported: Iterable<string>): RpcError {
  return {
    code: ErrorCode.UnsupportedProtocolVersion,
    message: `Unsupported protocol version: ${truncate(requested)}`,
    data: { supported: [...supported], requested: truncate(requested, 64) },
  };
}

function invalid(key: string, problem: string): EnvelopeRefusal {
  return {
    error: {
      code: ErrorCode.InvalidParams,
      message: `Invalid _meta envelope for protocol revision 2026-07-28: ${key}: ${problem}`,
      data: { envelope: { key, problem } },
    },
  };
}
