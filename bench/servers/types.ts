/**
 * The pluggable "server under test": how to start one MCP server implementation for a backend over stdio and
 * over Streamable HTTP, pointed at the stub backend, and what its clients must do per session. finmcp and each
 * peer is one small module implementing this; the measurements know nothing else about them.
 */
import type { LaunchSpec } from '../clients/mcp-stdio.js';
import type { Scenario } from '../scenario.js';

/** Why a server cannot be measured in some configuration (printed in the table instead of a figure). */
export interface Unavailable {
  unavailable: string;
}

/** How to start a server over Streamable HTTP and reach its endpoint. */
export interface HttpLaunch {
  launch: LaunchSpec;
  port: number;
  /** MCP endpoint path, e.g. `/mcp` or `/b4b/mcp`. */
  path: string;
  /** Headers every client request carries (e.g. the user's bearer token). */
  headers?: Record<string, string>;
  /** Answers come on the session's GET event stream, the POST only gets 202. */
  answersOnGetStream?: boolean;
}

/** Facts about the run that server descriptions need. */
export interface BenchEnv {
  /** Project root (where package.json and bin/ are). */
  root: string;
  /** Where peers are generated (gitignored). */
  peersDir: string;
  /** `http://127.0.0.1:<port>` of the stub serving a backend. */
  stubOrigin(backend: string): string;
  /**
   * A bearer token the stub accepts, for servers that can only send one static credential (the peers): for a
   * backend with a login it was issued by the stub's login operation, otherwise any value does.
   */
  staticBackendToken(backend: string): string;
  /** Extra facts set up for finmcp (sandbox issuer, user tokens), by whoever prepared them. */
  finmcp?: FinmcpEnv;
  /** The redis-server started for servers that keep their state in one (see bench/redis-server.ts). */
  redis?: StateStoreEnv;
}

/** A shared state store started for the run. */
interface StateStoreEnv {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** The `FINMCP_STATE_KEY` every instance gets. */
  stateKey: string;
  /** The store's own memory use (Redis `INFO memory` `used_memory`), bytes. */
  usedMemoryBytes(): Promise<number | null>;
}

/** What the harness prepared so finmcp can authenticate its users (FinOpps: OAuth), per finmcp server id. */
export interface FinmcpEnv {
  /** Issuer of the sandbox authorization server started for the run, if a backend needs one. */
  issuer?: string;
  /** The HTTP port reserved for a finmcp server on a backend. */
  portFor(server: string, backend: string): number;
  /** Public base URL that finmcp server is told it has (token audiences derive from it). */
  publicUrl(server: string, backend: string): string;
  /** A user access token for it (audience `publicUrl/<backend>/mcp`), if the backend needs one. */
  userToken(server: string, backend: string): string | undefined;
}

/** One MCP server implementation. */
export interface ServerUnderTest {
  /** Short stable id used in results.json (`finmcp`, `ivotoby`, `openapi-mcp-generator`). */
  id: string;
  /** Name in the table. */
  label: string;
  /** `reference`: the hand-rolled server finmcp's per-call cost is judged against (not a peer). */
  role: 'subject' | 'peer' | 'reference';
  /** How it was configured, for the report (one line each). */
  notes: string[];
  /** One-time work before anything runs (e.g. generating and building a peer); returns its duration in ms. */
  prepare?(scenarios: readonly Scenario[], env: BenchEnv): Promise<number | undefined>;
  stdio(scenario: Scenario, env: BenchEnv): LaunchSpec | Unavailable;
  http(scenario: Scenario, env: BenchEnv, port: number): HttpLaunch | Unavailable;
  /** The cap on concurrent HTTP connections its server is started with, if it has one (the load section reports it). */
  connectionCap?: number;
  /** Whether each session must call the backend's login tool before other tools (finmcp on B4B). */
  logsInPerSession(scenario: Scenario): boolean;
  /** Memory used by the external store holding its sessions, when it has one (measured around the sessions). */
  stateStoreBytes?(env: BenchEnv): Promise<number | null>;
}

/** Narrowing helper. */
export function isUnavailable(value: object): value is Unavailable {
  return 'unavailable' in value;
}
