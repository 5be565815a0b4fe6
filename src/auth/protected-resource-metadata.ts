/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for an MCP endpoint.
 *
 * - RFC 9728 §2 (metadata fields), §3.1 (well-known URI built by inserting `/.well-known/oauth-protected-resource`
 *   between the host and the path of the resource identifier).
 * - MCP authorization spec 2025-11-25, "Authorization Server Location": MCP servers MUST implement RFC 9728.
 */

/** The RFC 9728 document we serve. */
export interface ProtectedResourceMetadata {
  [field: string]: unknown;
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: string[];
}

/** Well-known suffix registered by RFC 9728 §3. */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * Path of the metadata document for `resource` (RFC 9728 §3.1): `/acme/mcp` →
 * `/.well-known/oauth-protected-resource/acme/mcp`; a resource without a path uses the root form.
 */
export function protectedResourceMetadataPath(resource: string): string {
  // §3.1: a terminating slash after the host is removed before insertion.
  const path = new URL(resource).pathname.replace(/\/+$/, '');
  return `${PROTECTED_RESOURCE_WELL_KNOWN}${path}`;
}

/** Absolute URL of the metadata document for `resource` (used in `resource_metadata=`). */
export function protectedResourceMetadataUrl(resource: string): string {
  return new URL(protectedResourceMetadataPath(resource), resource).href;
}

/** Builds the metadata document. Only header bearer tokens are accepted (RFC 6750 §2.1; OAuth 2.1 §5.2). */
export function buildProtectedResourceMetadata(options: {
  resource: string;
  authorizationServers: string[];
  scopesSupported: string[];
}): ProtectedResourceMetadata {
  return {
    resource: options.resource,
    authorization_servers: [...options.authorizationServers],
    scopes_supported: [...options.scopesSupported],
    bearer_methods_supported: ['header'],
  };
}
