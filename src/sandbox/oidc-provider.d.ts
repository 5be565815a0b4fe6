/**
 * Minimal local types for `oidc-provider` 9.13 (it ships none, and no `@types` package exists for v9): only the
 * surface the sandbox authorization server uses (Provider, Grant, Client, interactions, errors, the memory adapter).
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** Provider configuration (see oidc-provider's docs/README.md); kept open on purpose. */
  export interface Configuration {
    [option: string]: unknown;
  }

  /** An in-progress interaction (login or consent prompt). */
  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId?: string; uid?: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
    returnTo: string;
  }

  /** What the authorization server granted one client for one account. */
  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    static find(id: string): Promise<Grant | undefined>;
    accountId?: string;
    clientId?: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(ttl?: number): Promise<string>;
  }

  /** A registered client (pre-registered or dynamically, RFC 7591). */
  export class Client {
    static find(id: string): Promise<Client | undefined>;
    readonly clientId: string;
    /** The client's metadata, RFC 7591 §2 names (`client_name`, `redirect_uris`, …). */
    metadata(): Record<string, unknown>;
  }

  /** The authorization server; a Koa application. */
  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    readonly Grant: typeof Grant;
    readonly Client: typeof Client;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  /** OAuth error classes (RFC 6749 §5.2 codes). */
  export const errors: {
    InvalidTarget: new (description?: string) => Error;
    InvalidRequest: new (description?: string) => Error;
    AccessDenied: new (description?: string) => Error;
  };

  export default Provider;
}

declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  /** A per-provider in-memory store (the default one is shared by every Provider in the process). */
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => unknown;
}
