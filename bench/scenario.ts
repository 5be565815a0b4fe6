/**
 * What is measured per backend: one "probe" operation (a read of one resource by id, e.g. `get_invoice`) that
 * every server and the floor call, with arguments taken from the spec's examples and the resource id varied on
 * every call so that the stub's echo proves each answer belongs to its request; and, for a backend whose users
 * log in (B4B), the spec's login example.
 */
import { isLoginOperation, echoField } from './stub/server.js';
import {
  basePath,
  canTagIds,
  fillPath,
  listOperations,
  loadSpecFile,
  taggedLoginBody,
  taggedVariant,
  variantOf,
  type OpenApiDoc,
  type SpecOperation,
} from './spec.js';
import type { BackendRequest } from './clients/floor.js';

/** One backend as the benchmark uses it. */
export interface Scenario {
  backend: string;
  specFile: string;
  doc: OpenApiDoc;
  operations: SpecOperation[];
  /** The operation every server is called with. */
  probe: SpecOperation;
  /** Path parameter whose value the stub echoes; varied per call. */
  echoParam: string;
  echoExample: string;
  /** The spec's login operation and its first request example (phone/password), if users log in. */
  login?: { operation: SpecOperation; body: Record<string, unknown> };
  basePath: string;
}

/** A tool as `tools/list` describes it (what the benchmark reads of it). */
export interface ListedTool {
  name: string;
  inputSchema?: { properties?: Record<string, unknown>; required?: string[] };
  [key: string]: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Builds the scenario of a spec; `preferred` lists operationIds to probe, best first. */
export function loadScenario(backend: string, specFile: string, preferred: readonly string[]): Scenario {
  const doc = loadSpecFile(specFile);
  const operations = listOperations(doc);
  const candidates = operations.filter((op) => op.method === 'get' && echoField(op) !== undefined);
  const probe =
    preferred.map((id) => candidates.find((op) => op.operationId === id)).find((op) => op !== undefined) ??
    candidates[0];
  if (probe === undefined) throw new Error(`${specFile}: no GET operation with a path id to probe`);
  const pathParams = probe.parameters.filter((p) => p.in === 'path');
  const echo = pathParams[pathParams.length - 1];
  if (echo === undefined || typeof echo.example !== 'string') {
    throw new Error(`${specFile}: ${probe.operationId ?? probe.path} has no string example for its id parameter`);
  }
  const loginOp = operations.find(isLoginOperation);
  const loginBody = loginOp?.requestBody?.example;
  return {
    backend,
    specFile,
    doc,
    operations,
    probe,
    echoParam: echo.name,
    echoExample: echo.example,
    ...(loginOp !== undefined && isRecord(loginBody) ? { login: { operation: loginOp, body: loginBody } } : {}),
    basePath: basePath(doc),
  };
}

/**
 * Example values of the probe's required parameters, with the echoed id set to the `n`-th variant, carrying
 * the session tag `tag` when ids can (spec.ts, "Session tags"; 0 = no session).
 */
export function probeValues(scenario: Scenario, n: number, tag = 0): { values: Record<string, unknown>; echo: string } {
  const values: Record<string, unknown> = {};
  for (const param of scenario.probe.parameters) {
    if (param.required) values[param.name] = param.example;
  }
  const echo = canTagIds(scenario.echoExample)
    ? taggedVariant(scenario.echoExample, tag, n)
    : variantOf(scenario.echoExample, n);
  values[scenario.echoParam] = echo;
  return { values, echo };
}

/** The backend request the probe makes, as the floor sends it. */
export function probeBackendRequest(
  scenario: Scenario,
  n: number,
  authorization?: string,
): { request: BackendRequest; echo: string } {
  const { values, echo } = probeValues(scenario, n, 0);
  const query = scenario.probe.parameters
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(values[p.name]))}`)
    .join('&');
  const path = `${scenario.basePath}${fillPath(scenario.probe.path, values)}${query === '' ? '' : `?${query}`}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  return { request: { method: scenario.probe.method.toUpperCase(), path, headers }, echo };
}

/** The login request body for a session tag (the spec's example with the tag in its phone-like field). */
export function loginBody(scenario: Scenario, tag: number): Record<string, unknown> {
  return scenario.login === undefined ? {} : taggedLoginBody(scenario.login.body, tag);
}

let sessionTag = 0;

/** A session tag not used recently in this run (1…65535, then around again). */
export function nextSessionTag(): number {
  sessionTag = (sessionTag % 0xffff) + 1;
  return sessionTag;
}

/** Normalizes a name for loose matching (`get_invoice`, `get-invoice`, `getInvoice` are the same). */
function loose(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The tool a server serves for an operation: by operationId (loosely), else by the path it says it calls. */
export function findTool(tools: readonly ListedTool[], op: SpecOperation): ListedTool | undefined {
  const id = op.operationId;
  if (id !== undefined) {
    const exact = tools.find((tool) => tool.name === id);
    if (exact !== undefined) return exact;
    const looseMatch = tools.find((tool) => loose(tool.name) === loose(id));
    if (looseMatch !== undefined) return looseMatch;
  }
  return tools.find((tool) => {
    const path = tool.originalPath ?? tool['x-original-path'];
    const method = tool.httpMethod;
    return path === op.path && (typeof method !== 'string' || method.toLowerCase() === op.method);
  });
}

/**
 * Arguments for a tool from named values: only the properties its input schema declares (a server may bind
 * some parameters itself, e.g. finmcp fills the organisation from the caller's token, and then refuses them).
 */
export function toolArguments(tool: ListedTool, values: Record<string, unknown>): Record<string, unknown> {
  const properties = tool.inputSchema?.properties;
  if (properties === undefined) return { ...values };
  const args: Record<string, unknown> = {};
  for (const name of Object.keys(properties)) {
    if (name in values) args[name] = values[name];
  }
  // A generator that nests the JSON body under one property (e.g. `requestBody`) gets the whole body there.
  for (const name of ['requestBody', 'body']) {
    if (name in properties && !(name in args)) args[name] = values;
  }
  return args;
}
