/**
 * The protocol revisions finmcp serves and the reserved `_meta` keys of MCP 2026-07-28 (Basic / Versioning,
 * "Protocol Version Negotiation"; Basic, `_meta`). Legacy revisions open with `initialize`; modern ones carry
 * the protocol version, client capabilities and client info in every request's `params._meta`.
 *
 * The values are the SDK's (`SUPPORTED_PROTOCOL_VERSIONS`, `*_META_KEY` of `@modelcontextprotocol/server` 2.x;
 * test/protocol/versions.test.ts holds them equal). They are restated here so that serving a request never
 * loads the SDK's schema bundle: that costs ~100 ms of cold start.
 */

/** Revisions served per request, newest first (MCP 2026-07-28 and later). */
export const MODERN_VERSIONS: readonly string[] = ['2026-07-28'];

/** Revisions negotiated by `initialize`, newest first (the SDK's `SUPPORTED_PROTOCOL_VERSIONS`). */
export const LEGACY_VERSIONS: readonly string[] = [
  '2025-11-25',
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
  '2024-10-07',
];

/** What `initialize` answers when the client asks for a revision we do not know. */
export const LATEST_LEGACY_VERSION = '2025-11-25';

/** Every revision accepted in an `MCP-Protocol-Version` header. */
export const ALL_VERSIONS: ReadonlySet<string> = new Set([...MODERN_VERSIONS, ...LEGACY_VERSIONS]);

/** `_meta` key of the request's protocol version (2026-07-28). */
export const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
/** `_meta` key of the client's capabilities (2026-07-28). */
export const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';
/** `_meta` key of the client's name and version (2026-07-28, SHOULD). */
export const CLIENT_INFO_META_KEY = 'io.modelcontextprotocol/clientInfo';
/** `_meta` key under which a server names itself on every 2026-07-28 result. */
export const SERVER_INFO_META_KEY = 'io.modelcontextprotocol/serverInfo';

/** Whether a revision belongs to the modern era (revision ids are ISO dates: they sort chronologically). */
export function isModernVersion(version: string): boolean {
  return version >= '2026-07-28';
}
