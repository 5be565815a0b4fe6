/**
 * The server's own credential to a backend whose spec declares an OAuth client-credentials flow (OpenAPI 3.1
 * §4.8.27 OAuth Flows Object; RFC 6749 §4.4): configured per backend, or the sandbox authorization server's
 * service client under `--sandbox`. The token is for the backend API's own URL (RFC 8707 resource indicator).
 */
import { createClientCredentialsProvider } from '../auth/client-credentials.js';
import { BACKEND_SETTINGS, ConfigError, envPrefix, type Settings } from '../config.js';
import type { GeneratedBackend } from '../../contract/descriptor.js';
import type { ServiceTokenSource } from '../auth/client-credentials.js';
import { SANDBOX_SERVICE_CLIENT } from '../sandbox/sandbox-identities.js';
import { specScopes } from '../auth/scopes.js';

/** The spec's OAuth client-credentials scheme, if the backend is called with a service credential. */
export function clientCredentialsScheme(generated: GeneratedBackend): Record<string, unknown> | undefined {
  for (const scheme of Object.values(generated.securitySchemes)) {
    const flows = scheme['flows'] as Record<string, unknown> | undefined;
    if (scheme['type'] === 'oauth2' && flows?.['clientCredentials'] !== undefined) {
      return flows['clientCredentials'] as Record<string, unknown>;
    }
  }
  return undefined;
}

/** Audience of the service token: the backend API's own URL as the spec names it. */
export function serviceAudience(generated: GeneratedBackend): string {
  return generated.servers[0] ?? `urn:finmcp:backend:${generated.name}`;
}

/**
 * The service token source of one backend from its `<BACKEND>_TOKEN_URL`, `_CLIENT_ID`, `_CLIENT_SECRET` and
 * `_SCOPE`; `sandboxIssuer` (null: sandbox without an issuer yet, undefined: no sandbox) fills what is missing.
 * Throws a {@link ConfigError} naming the variables when the credential is incomplete.
 */
export function serviceTokenSource(
  generated: GeneratedBackend,
  settings: Settings,
  sandboxIssuer: string | null | undefined,
): ServiceTokenSource {
  const sandbox = sandboxIssuer !== undefined;
  const tokenUrl =
    settings.readBackend(generated.name, BACKEND_SETTINGS.tokenUrl) ??
    (typeof sandboxIssuer === 'string' ? `${sandboxIssuer}/token` : undefined);
  const clientId =
    settings.readBackend(generated.name, BACKEND_SETTINGS.clientId) ??
    (sandbox ? SANDBOX_SERVICE_CLIENT.id : undefined);
  const clientSecret =
    settings.readBackend(generated.name, BACKEND_SETTINGS.clientSecret) ??
    (sandbox ? SANDBOX_SERVICE_CLIENT.secret : undefined);
  if (tokenUrl === undefined || clientId === undefined || clientSecret === undefined) {
    const prefix = envPrefix(generated.name);
    throw new ConfigError(
      `${generated.name} calls its backend with the server's own OAuth client credentials: set ${prefix}_TOKEN_URL, ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET, or use --sandbox`,
    );
  }
  return createClientCredentialsProvider({
    tokenUrl,
    clientId,
    clientSecret,
    scope: settings.readBackend(generated.name, BACKEND_SETTINGS.scope) ?? specScopes(generated).join(' '),
    resource: serviceAudience(generated),
  });
}

/** Lets overrides ask for the service token before the provider exists (it is created once the sandbox runs). */
export function lazyServiceToken(tokens: Map<string, ServiceTokenSource>, backend: string): ServiceTokenSource {
  return {
    getToken: async () => {
      const source = tokens.get(backend);
      if (source === undefined) throw new ConfigError(`no service credential configured for ${backend}`);
      return source.getToken();
    },
    invalidate: () => tokens.get(backend)?.invalidate(),
  };
}
