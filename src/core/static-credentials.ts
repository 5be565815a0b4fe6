/**
 * Outbound credentials for a backend that has no override module of its own (e.g. a third spec dropped into
 * `specs/`): each operation's security requirements (OpenAPI 3.1 §4.8.30; alternatives, the first one that can be met
 * wins) are met from static secrets — `apiKey` schemes in a header or cookie (§4.8.27) from `<BACKEND>_API_KEY`,
 * `http` bearer / `oauth2` / `openIdConnect` from `<BACKEND>_BEARER_TOKEN` (RFC 6750), `http` basic from
 * `<BACKEND>_BASIC_AUTH` (`user:password`, RFC 7617). In the sandbox a placeholder stands in for a missing secret:
 * Prism checks that a credential is present, not its value. Query-string API keys are not sent (they would leak into
 * logs): such an operation reaches the backend without them. Headers are worked out once per tool.
 */
import type { OutboundAuth, OutboundAuthResult } from './backend-overrides.js';
import type { GeneratedBackend, JsonSchema, ToolDescriptor } from '../../contract/descriptor.js';

/** The secrets available to a backend. */
export interface StaticSecrets {
  apiKey?: string;
  bearerToken?: string;
  basicAuth?: string;
}

/** The placeholder credential sent to a sandbox mock. */
const SANDBOX_CREDENTIAL = 'finmcp-sandbox';

/**
 * Which static secret meets a security scheme: `apiKey` in a header or cookie, `http` basic, or a bearer token for
 * `http` bearer, `oauth2` and `openIdConnect`; undefined for a scheme no static secret meets (a query-string key).
 */
export function secretForScheme(scheme: JsonSchema | undefined): keyof StaticSecrets | undefined {
  const type = scheme?.['type'];
  if (type === 'apiKey') return scheme?.['in'] === 'header' || scheme?.['in'] === 'cookie' ? 'apiKey' : undefined;
  const httpScheme = typeof scheme?.['scheme'] === 'string' ? scheme['scheme'].toLowerCase() : '';
  if (type === 'http' && httpScheme === 'basic') return 'basicAuth';
  if (type === 'oauth2' || type === 'openIdConnect' || (type === 'http' && httpScheme === 'bearer'))
    return 'bearerToken';
  return undefined;
}

/** The header carrying one scheme's credential, or undefined when the scheme cannot be met. */
function schemeHeader(scheme: JsonSchema | undefined, secrets: StaticSecrets): [string, string] | undefined {
  const kind = secretForScheme(scheme);
  const secret = kind === undefined ? undefined : secrets[kind];
  if (scheme === undefined || secret === undefined) return undefined;
  if (kind === 'apiKey') {
    if (typeof scheme['name'] !== 'string') return undefined;
    if (scheme['in'] === 'header') return [scheme['name'].toLowerCase(), secret];
    return ['cookie', `${scheme['name']}=${encodeURIComponent(secret)}`];
  }
  if (kind === 'basicAuth') return ['authorization', `Basic ${Buffer.from(secret).toString('base64')}`];
  return ['authorization', `Bearer ${secret}`];
}

/** The headers meeting the first satisfiable requirement of a tool's operation (none when nothing is required). */
function credentialHeaders(
  descriptor: ToolDescriptor,
  schemes: GeneratedBackend['securitySchemes'],
  secrets: StaticSecrets,
): Record<string, string> {
  for (const requirement of descriptor.operation.security) {
    const headers: Record<string, string> = {};
    let met = true;
    for (const name of Object.keys(requirement)) {
      const header = schemeHeader(schemes[name], secrets);
      if (header === undefined) {
        met = false;
        break;
      }
      headers[header[0]] = header[1];
    }
    if (met) return headers;
  }
  return {};
}

/** Outbound auth from static secrets, or undefined when the spec declares no security scheme at all. */
export function staticCredentials(generated: GeneratedBackend, secrets: StaticSecrets): OutboundAuth | undefined {
  if (Object.keys(generated.securitySchemes).length === 0) return undefined;
  const cache = new WeakMap<ToolDescriptor, OutboundAuthResult>();
  return async (_ctx, descriptor) => {
    let result = cache.get(descriptor);
    if (result === undefined) {
      result = { headers: credentialHeaders(descriptor, generated.securitySchemes, secrets) };
      cache.set(descriptor, result);
    }
    return result;
  };
}

/** The secrets of a backend as its settings give them; in the sandbox, placeholders fill the gaps. */
export function staticSecrets(given: StaticSecrets, sandbox: boolean): StaticSecrets {
  const pick = (value: string | undefined, placeholder: string): string | undefined =>
    value ?? (sandbox ? placeholder : undefined);
  const secrets: StaticSecrets = {};
  const apiKey = pick(given.apiKey, SANDBOX_CREDENTIAL);
  const bearerToken = pick(given.bearerToken, SANDBOX_CREDENTIAL);
  const basicAuth = pick(given.basicAuth, `${SANDBOX_CREDENTIAL}:${SANDBOX_CREDENTIAL}`);
  if (apiKey !== undefined) secrets.apiKey = apiKey;
  if (bearerToken !== undefined) secrets.bearerToken = bearerToken;
  if (basicAuth !== undefined) secrets.basicAuth = basicAuth;
  return secrets;
}
