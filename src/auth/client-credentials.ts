/**
 * Service tokens for outbound backend calls: the OAuth 2.0 client credentials grant (RFC 6749 §4.4; OAuth 2.1
 * §4.2) with `client_secret_basic` authentication (RFC 6749 §2.3.1), an optional `resource` indicator (RFC 8707
 * §2.2), a cache until shortly before `expires_in` (RFC 6749 §5.1), and single-flight so concurrent callers share
 * one token request.
 */

/** Options for {@link createClientCredentialsProvider}. */
export interface ClientCredentialsOptions {
  /** Token endpoint URL. */
  tokenUrl: string;
  clientId: string;
  /** Secret; never logged, never part of an error message. */
  clientSecret: string;
  /** Space-separated scopes to request. */
  scope?: string;
  /** RFC 8707 resource indicator (the backend API audience). */
  resource?: string;
  /** Refresh this many seconds before expiry (default 60). */
  refreshSkewSec?: number;
  /** Request timeout in ms (default 10000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * The server's own credential to a backend: a cached, shared service token. Overrides get one from `serve`,
 * whatever provides it (this module's client-credentials provider, or a test's fixed token).
 */
export interface ServiceTokenSource {
  /** A currently valid access token (cached, or fetched once for all concurrent callers). */
  getToken(): Promise<string>;
  /** Drops the cached token, e.g. after the backend answered 401, so the next {@link getToken} fetches anew. */
  invalidate(): void;
}

/** Without `expires_in` a token is reused this long (RFC 6749 §5.1 only RECOMMENDS the field). */
const DEFAULT_LIFETIME_SEC = 300;

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined and base64-encoded. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
  return Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`, 'utf8').toString('base64');
}

/** Creates the provider. Nothing is requested until the first {@link ServiceTokenSource.getToken}. */
export function createClientCredentialsProvider(options: ClientCredentialsOptions): ServiceTokenSource {
  const doFetch = options.fetch ?? fetch;
  const skewMs = (options.refreshSkewSec ?? 60) * 1000;
  let cached: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;
  // Bumped by invalidate(): a request started before it must not repopulate the cache.
  let generation = 0;

  const requestToken = async (): Promise<{ token: string; lifetimeSec: number }> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.scope !== undefined) body.set('scope', options.scope);
    if (options.resource !== undefined) body.set('resource', options.resource);
    let response: Response;
    try {
      response = await doFetch(options.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basicCredentials(options.clientId, options.clientSecret)}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new Error(
        `token request to ${options.tokenUrl} failed: ${error instanceof Error ? error.message : 'network error'}`,
      );
    }
    const json: unknown = await response.json().catch(() => undefined);
    const fields = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    if (!response.ok) {
      // RFC 6749 §5.2 error codes are safe to repeat; the description is the server's and never holds our secret.
      const code = typeof fields.error === 'string' ? ` ${fields.error}` : '';
      throw new Error(`token request to ${options.tokenUrl} failed: HTTP ${response.status}${code}`);
    }
    if (typeof fields.access_token !== 'string' || fields.access_token.length === 0) {
      throw new Error(`token response from ${options.tokenUrl} has no access_token`);
    }
    if (typeof fields.token_type === 'string' && fields.token_type.toLowerCase() !== 'bearer') {
      throw new Error(`token response from ${options.tokenUrl} has unsupported token_type ${fields.token_type}`);
    }
    const expiresIn =
      typeof fields.expires_in === 'number' && fields.expires_in > 0 ? fields.expires_in : DEFAULT_LIFETIME_SEC;
    return { token: fields.access_token, lifetimeSec: expiresIn };
  };

  return {
    getToken(): Promise<string> {
      if (cached && Date.now() < cached.refreshAt) return Promise.resolve(cached.token);
      if (pending) return pending;
      const started = generation;
      const startedAt = Date.now();
      const request = requestToken().then(
        ({ token, lifetimeSec }) => {
          if (started === generation) {
            // Expiry is counted from when the request was sent; short-lived tokens still get a tiny cache window.
            const lifetimeMs = lifetimeSec * 1000;
            const refreshAt = startedAt + Math.max(lifetimeMs - skewMs, Math.min(lifetimeMs / 2, 1000));
            cached = { token, refreshAt };
            pending = undefined;
          }
          return token;
        },
        (error: unknown) => {
          if (started === generation) pending = undefined;
          throw error;
        },
      );
      pending = request;
      return request;
    },
    invalidate(): void {
      generation += 1;
      cached = undefined;
      pending = undefined;
    },
  };
}
