/**
 * Finds an authorization server's metadata, to learn its `jwks_uri`.
 *
 * - RFC 8414 §3 (`/.well-known/oauth-authorization-server` inserted between host and issuer path) and §3.3
 *   (the returned `issuer` MUST equal the issuer the document was fetched for).
 * - OpenID Connect Discovery 1.0 §4 (`/.well-known/openid-configuration` appended to the issuer), tried second:
 *   Cognito and oidc-provider serve only this one.
 */

/** The fields of RFC 8414 §2 metadata this project reads. */
export interface AuthorizationServerMetadata {
  [field: string]: unknown;
  issuer: string;
  jwks_uri?: string;
  token_endpoint?: string;
}

/** Candidate metadata URLs for `issuer`, in the order RFC 8414 §5 and the MCP spec give. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [
    new URL(`/.well-known/oauth-authorization-server${path}`, url.origin).href,
    new URL(`${path}/.well-known/openid-configuration`, url.origin).href,
  ];
}

/**
 * Fetches the metadata of `issuer`. Throws when no candidate answers with a document whose `issuer` matches
 * (a mismatch would let one server impersonate another, RFC 8414 §6.2).
 */
export async function fetchAuthorizationServerMetadata(
  issuer: string,
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<AuthorizationServerMetadata> {
  const doFetch = options.fetch ?? fetch;
  const problems: string[] = [];
  for (const url of metadataUrls(issuer)) {
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        // Not followed: a redirect is a problem (not ok) like any other status. Not `error`, which Workers refuse.
        redirect: 'manual',
      });
    } catch (error) {
      problems.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      problems.push(`${url}: HTTP ${response.status}`);
      continue;
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      problems.push(`${url}: not a JSON object`);
      continue;
    }
    const metadata = body as Record<string, unknown>;
    if (metadata.issuer !== issuer) {
      problems.push(`${url}: issuer ${JSON.stringify(metadata.issuer)} does not match`);
      continue;
    }
    return metadata as AuthorizationServerMetadata;
  }
  throw new Error(`no authorization server metadata for ${issuer} (${problems.join('; ')})`);
}
