/**
 * A finmcp cluster for tests, every part real: one redis-server, the Prism mock of each backend's spec (B4B's
 * behind a recording front, to count the writes that reach it), one sandbox authorization server in its own
 * process (FinOpps' inbound tokens and service credential), N finmcp instances (`finmcp serve b4b finopps
 * --transport http`) sharing the Redis and the state key, and nginx in front of them in round robin without
 * stickiness. Everything on ports the OS picks; the public URL every instance announces is nginx's. One cluster
 * per test file: it takes seconds to start on a loaded machine.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { backendLoaders } from '../../generated/index.gen.js';
import { specScopes } from '../../src/auth/scopes.js';
import { serviceAudience } from '../../src/cli/service-tokens.js';
import { createLogger } from '../../src/log.js';
import { sandboxOrganisationClaims } from '../../src/overrides/finopps/organization.js';
import { projectRoot } from '../../src/paths.js';
import { obtainSandboxToken } from '../../src/sandbox/authorization-server.js';
import { startPrism } from '../../src/sandbox/prism.js';
import { reply, startFaultBackend, type FaultBackend } from '../../testkit/fault-backend.js';
import { SANDBOX_IDENTITIES, SANDBOX_SERVICE_CLIENT, withBackendClaims } from '../../src/sandbox/sandbox-identities.js';
import { freePort } from '../../bench/ports.js';
import { eventually } from '../helpers/ports.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startIssuerProcess } from './issuer.js';
import { startFinmcpInstance, type FinmcpInstance } from './instance.js';
import { startNginx, type Nginx } from './nginx.js';

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** Number of finmcp instances (3 by default). */
  instances?: number;
  /** Names of the B4B callers: each gets its own API key (`FINMCP_API_KEYS`). */
  callers?: string[];
  /** More environment for every instance. */
  env?: Record<string, string>;
}

/** A running cluster. */
export interface Cluster {
  /** nginx's base URL: the public URL of every instance. */
  readonly url: string;
  /** The MCP endpoint of `backend` behind nginx. */
  endpoint(backend: 'b4b' | 'finopps'): string;
  readonly instances: FinmcpInstance[];
  readonly nginx: Nginx;
  readonly redis: RedisServer;
  /**
   * B4B's backend as the instances see it: a recording front (testkit's fault backend) passing every request on
   * to the Prism mock of the spec. Prism answers; the front counts what reached the backend (Prism keeps no record).
   */
  readonly b4bBackend: FaultBackend;
  /** API key per B4B caller name. */
  readonly apiKeys: Readonly<Record<string, string>>;
  /** A FinOpps access token for a sandbox user (alice, bob, carol), for the cluster's public resource. */
  userToken(user: string): Promise<string>;
  /** Rolling-restart step: SIGTERM `instance`, wait for its exit (code 0 expected), start it again, wait until it serves. */
  restart(instance: FinmcpInstance): Promise<{ exitCode: number | null; stoppedMs: number; startedMs: number }>;
  /** Every secret the cluster handed out (API keys, the state key), for log scans. */
  readonly secrets: string[];
  stop(): Promise<void>;
}

/** Prism takes seconds to start, far more on a machine busy with other test files. */
const PRISM_START_MS = 120_000;

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

/** Starts every part; whatever started is stopped again when a later part fails. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const finopps = await backendLoaders['finopps']!();
    const scopes = specScopes(finopps);
    // The public URL must be known before the instances start and their ports before nginx starts: nginx's port is
    // reserved first (taken by nobody else in between, or nginx says so).
    const nginxPort = await freePort();
    const url = `http://127.0.0.1:${nginxPort}`;
    const finoppsResource = `${url}/finopps/mcp`;
    const [redis, b4bMock, finoppsMock, issuer] = await Promise.all([
      startRedisServer(),
      startPrism({ specFile: join(projectRoot(), 'specs', 'b4b.yaml'), logger, startTimeoutMs: PRISM_START_MS }),
      startPrism({ specFile: join(projectRoot(), 'specs', 'finopps.yaml'), logger, startTimeoutMs: PRISM_START_MS }),
      startIssuerProcess({
        resources: [
          { url: finoppsResource, scopes },
          { url: serviceAudience(finopps), scopes },
        ],
        identities: withBackendClaims(SANDBOX_IDENTITIES, [sandboxOrganisationClaims()]),
      }),
    ]);
    stops.push(
      () => redis.close(),
      () => b4bMock.stop(),
      () => finoppsMock.stop(),
      () => issuer.stop(),
    );
    const b4bBackend = await startFaultBackend({ fallback: () => reply.forward(b4bMock.url) });
    stops.push(() => b4bBackend.close());

    const apiKeys = Object.fromEntries(
      (options.callers ?? []).map((name) => [name, `${name}-${randomBytes(16).toString('hex')}`]),
    );
    const stateKey = randomBytes(32).toString('base64');
    const env: Record<string, string> = {
      FINMCP_PUBLIC_URL: url,
      FINMCP_STATE_STORE: redis.url,
      FINMCP_STATE_KEY: stateKey,
      ...(Object.keys(apiKeys).length === 0
        ? {}
        : {
            FINMCP_API_KEYS: Object.entries(apiKeys)
              .map(([n, k]) => `${n}:${k}`)
              .join(','),
          }),
      B4B_BACKEND_URL: b4bBackend.url,
      FINOPPS_BACKEND_URL: finoppsMock.url,
      FINOPPS_OAUTH_ISSUER: issuer.issuer,
      FINOPPS_TOKEN_URL: `${issuer.issuer}/token`,
      FINOPPS_CLIENT_ID: SANDBOX_SERVICE_CLIENT.id,
      FINOPPS_CLIENT_SECRET: SANDBOX_SERVICE_CLIENT.secret,
      // Many calls from few callers in seconds: the per-caller limit is not what a cluster test is about.
      FINMCP_RATE_LIMIT_PER_MINUTE: '1000000',
      // Redis shares two cores with everything else here: a command may wait far longer than in production (1 s).
      FINMCP_STATE_TIMEOUT_MS: '15000',
      ...options.env,
    };
    const count = options.instances ?? 3;
    const instances: FinmcpInstance[] = [];
    stops.push(() => Promise.all(instances.map((i) => i.stop('SIGKILL'))));
    // One at a time: each start is CPU-heavy (loading the runtime), and a loaded machine serves them faster in turn.
    for (let i = 0; i < count; i++) {
      instances.push(await startFinmcpInstance({ name: `finmcp-${i + 1}`, backends: ['b4b', 'finopps'], env }));
    }
    const nginx = await startNginx({ port: nginxPort, upstreams: instances.map((i) => i.address) });
    stops.push(() => nginx.stop());

    const cluster: Cluster = {
      url,
      endpoint: (backend) => `${url}/${backend}/mcp`,
      instances,
      nginx,
      redis,
      b4bBackend,
      apiKeys,
      secrets: [stateKey, ...Object.values(apiKeys)],
      userToken: (user) => obtainSandboxToken({ issuer: issuer.issuer, user, resource: finoppsResource, scopes }),
      async restart(instance) {
        const t0 = performance.now();
        const exitCode = await instance.stop('SIGTERM');
        const stoppedMs = Math.round(performance.now() - t0);
        await instance.start();
        const healthy = await eventually(
          () =>
            fetch(`http://${instance.address}/healthz`).then(
              (r) => r.ok,
              () => false,
            ),
          60_000,
        );
        if (!healthy) throw new Error(`${instance.name} does not answer /healthz after its restart`);
        return { exitCode, stoppedMs, startedMs: Math.round(performance.now() - t0) - stoppedMs };
      },
      stop: stopAll,
    };
    return cluster;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
