/**
 * Step 4 of `finmcp serve`: each backend assembled — its service credential (once the token endpoint is known),
 * its pooled HTTP client (to the real API, or to the Prism mock once it listens) and its ToolService.
 */
import type { ServiceTokenSource } from '../../auth/client-credentials.js';
import { SETTINGS, type Settings } from '../../config.js';
import type { BackendOverrides } from '../../core/backend-overrides.js';
import type { ToolService } from '../../core/tool-service-api.js';
import type { GeneratedBackend } from '../../../contract/descriptor.js';
import type { BackendHttp } from '../../backend/backend-types.js';
import type { AuditLog } from '../../audit/audit-record.js';
import type { Logger } from '../../log.js';
import { serveBackendTools } from '../served-backend.js';
import { serviceTokenSource } from '../service-tokens.js';
import { deferredBackendHttp } from '../startup-gate.js';
import type { BackendPlan } from './backend-plans.js';
import type { Observers } from './observers.js';
import type { ServeConfig } from './serve-config.js';
import type { ServeSandbox } from './serve-sandbox.js';

/** One backend ready to be put behind a transport. */
export interface AssembledBackend {
  name: string;
  generated: GeneratedBackend;
  overrides: BackendOverrides;
  service: ToolService;
  /** Settles when the backend can be called (its sandbox parts are up, its service credential configured). */
  ready: Promise<unknown>;
}

/**
 * Creates every backend's service credential source once the sandbox issuer (if any) is known: HTTP waits for it
 * (its OAuth metadata names the issuer from the first request), stdio in the background.
 */
export function registerServiceTokens(
  config: ServeConfig,
  plans: BackendPlan[],
  sandbox: ServeSandbox,
  settings: Settings,
  serviceTokens: Map<string, ServiceTokenSource>,
): Promise<void> {
  const register = (issuer: string | undefined): void => {
    for (const plan of plans.filter((p) => p.serviceCredential)) {
      serviceTokens.set(
        plan.name,
        serviceTokenSource(plan.generated, settings, config.sandbox ? (issuer ?? null) : undefined),
      );
    }
  };
  if (!sandbox.authorizationServer) return Promise.resolve(register(undefined));
  return sandbox.issuer.then(register);
}

/** Builds the clients and ToolServices; `onClose` receives what must be closed when serving ends. */
export async function assembleBackends(
  config: ServeConfig,
  plans: BackendPlan[],
  sandbox: ServeSandbox,
  tokensReady: Promise<void>,
  settings: Settings,
  logger: Logger,
  onClose: (close: () => Promise<void>) => void,
  recording: { audit?: AuditLog | undefined; observers?: Observers } = {},
): Promise<AssembledBackend[]> {
  const { audit, observers } = recording;
  const { createBackendHttp } = await import('../../backend/backend-http.js');
  const httpOptions = {
    connectTimeoutMs: settings.read(SETTINGS.connectTimeoutMs),
    timeoutMs: settings.read(SETTINGS.timeoutMs),
    maxAttempts: settings.read(SETTINGS.maxAttempts),
    logger,
  };
  const assembled: AssembledBackend[] = [];
  for (const plan of plans) {
    let http: BackendHttp;
    let ready: Promise<unknown> = tokensReady;
    if (plan.backendUrl === undefined && sandbox.parts !== undefined) {
      const mock = sandbox.parts.mock(plan.name);
      http = deferredBackendHttp(mock.then((m) => createBackendHttp({ baseUrl: m.url, ...httpOptions })));
      ready = Promise.all([tokensReady, mock]);
    } else {
      http = createBackendHttp({ baseUrl: plan.backendUrl!, ...httpOptions });
    }
    onClose(() => http.close());
    const { overrides, service } = await serveBackendTools(
      plan.generated,
      plan.overrides,
      http,
      plan.serviceCredential,
      {
        settings,
        logger,
        sandbox: config.sandbox,
        dynamic: config.dynamic,
        code: config.code,
        ...(config.select === undefined ? {} : { select: config.select }),
        ...(plan.root === undefined ? {} : { root: plan.root }),
        ...(audit === undefined ? {} : { audit }),
        ...(observers?.metrics === undefined ? {} : { metrics: observers.metrics }),
        ...(observers?.tracer === undefined ? {} : { tracer: observers.tracer }),
      },
    );
    // Watched now: a transport may look at it only later (stdio, once the client has its first answers).
    ready.catch(() => undefined);
    assembled.push({ name: plan.name, generated: plan.generated, overrides, service, ready });
  }
  return assembled;
}
