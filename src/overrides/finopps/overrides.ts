/**
 * Overrides of the FinOpps backend, as the reference connector describes it: read-only (only GET operations
 * become tools), tenant isolation by construction, and a server-side credential to the backend.
 *
 * - MCP 2025-11-25 Basic / Authorization: the MCP endpoint is an OAuth 2.1 resource server (`inboundAuth:
 *   'oauth'`); the user's token is validated there and never passed through to the backend ("Token
 *   Passthrough" is forbidden by the MCP security best practices). The backend is called with the server's
 *   own client-credentials token (RFC 6749 §4.4), sent as an RFC 6750 §2.1 bearer token.
 * - Tenant isolation: `organizationId` (in every path) is bound from the validated token's organisation claim
 *   (see organization.ts); the model cannot set it and can only choose among the caller's own organisations.
 */
import type { BackendOverrides, OutboundAuthResult } from '../../core/backend-overrides.js';
import type { CallContext } from '../../core/call-context.js';
import { ToolCallError } from '../../core/tool-error.js';
import {
  DEFAULT_ORGANIZATION_CLAIM,
  ORGANIZATION_PROPERTY,
  organizationsOf,
  selectOrganization,
} from './organization.js';

/** Configuration of {@link createFinoppsOverrides}. */
export interface FinoppsOverridesConfig {
  /** Token claim listing the caller's organisation ids (array, or one string). Default: FINOPPS_ORG_CLAIM's. */
  organizationClaim?: string;
  /** The server's own (cached) client-credentials access token for the FinOpps API. */
  serviceToken: () => Promise<string>;
  /** Drops the cached service token so that the next {@link serviceToken} call fetches a new one. */
  invalidateServiceToken: () => void;
}

/** Tool error when the server cannot obtain its own credential (details stay in the server's logs). */
export const SERVICE_TOKEN_UNAVAILABLE =
  'FinOpps is temporarily unavailable: this server could not obtain its credential for the FinOpps API. Try again later.';

/** Creates the FinOpps overrides. */
export function createFinoppsOverrides(config: FinoppsOverridesConfig): BackendOverrides {
  const claim = config.organizationClaim ?? DEFAULT_ORGANIZATION_CLAIM;
  return {
    inboundAuth: 'oauth',
    allowedMethods: ['get'],
    commonInput: {
      [ORGANIZATION_PROPERTY]: {
        type: 'string',
        description: 'Only when you belong to several organisations: which one (its id). Omit otherwise.',
      },
    },
    bind: {
      // Every FinOpps path is /organizations/{organizationId}/…: the id comes from the token, never the model.
      organizationId: (ctx: CallContext, args: Record<string, unknown>): string => {
        const choice = selectOrganization(organizationsOf(ctx.principal.claims, claim), args[ORGANIZATION_PROPERTY]);
        if (!choice.ok) throw new ToolCallError(choice.error, 'refused');
        return choice.organizationId;
      },
    },
    outboundAuth: async (): Promise<OutboundAuthResult> => {
      let token: string;
      try {
        token = await config.serviceToken();
      } catch {
        return { error: SERVICE_TOKEN_UNAVAILABLE };
      }
      return { headers: { authorization: `Bearer ${token}` } };
    },
    // A 401 means the cached service token was revoked or expired early: fetch a new one and retry once
    // (the runtime retries at most once, so a persistent 401 is reported, not looped on).
    onUnauthorized: async (): Promise<'retry'> => {
      config.invalidateServiceToken();
      return 'retry';
    },
  };
}
