/**
 * The fuzzer's oracle: what every answer must be, whatever was sent. A JSON-RPC 2.0 response (§5) with
 * `jsonrpc: "2.0"`, exactly one of `result` and `error`, an id the request allows (its own, or null when the id
 * could not be read), an error with an integer code and a string message, a `tools/call` result with a
 * `content` array (MCP 2025-11-25, Server / Tools, CallToolResult); and nothing a caller must never see: no
 * stack frame, no path of this installation, no secret (the backend JWT, the service credentials, the
 * sandbox passwords, any JWT at all — the FinOpps service token and user tokens are JWTs).
 */
import type { Expectation, RpcId } from './cases.js';

/** One violation, with enough to replay it. */
export interface Finding {
  kind: string;
  detail: string;
  transport?: string;
  backend?: string;
  caseKind?: string;
  caseIndex?: number;
  /** The first part of what was sent. */
  sent?: string;
}

/** What an answer was, for the summary. */
export type AnswerKind = 'result' | 'tool-error' | `rpc-error ${number}` | `http ${number}` | 'no answer expected';

/** Secrets that must appear in no answer and no log line. */
export interface Secrets {
  /** Literal values (passwords, client secrets, the backend's example JWTs). */
  literals: string[];
}

/** Any compact JWS whose header and payload are JSON objects (`eyJ…` is base64url of `{"`). */
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*/;
/** A V8 stack frame (`at fn (file:line:col)` or `at file:line:col`). */
const STACK_FRAME = /\bat (?:[\w$.<>[\] ]+ \()?(?:file:\/\/|node:|\/)[^\s()]*:\d+:\d+/;

/** Checks text (an answer, or a log line) for leaks; returns the findings' kinds and details. */
export function leaks(text: string, secrets: Secrets, projectRoot: string): Array<{ kind: string; detail: string }> {
  const out: Array<{ kind: string; detail: string }> = [];
  if (STACK_FRAME.test(text)) out.push({ kind: 'stack-trace', detail: excerpt(text, STACK_FRAME) });
  if (text.includes(projectRoot))
    out.push({ kind: 'project-path', detail: excerptAt(text, text.indexOf(projectRoot)) });
  if (text.includes('node_modules/'))
    out.push({ kind: 'project-path', detail: excerptAt(text, text.indexOf('node_modules/')) });
  for (const secret of secrets.literals) {
    if (secret.length > 0 && text.includes(secret))
      out.push({ kind: 'secret', detail: `a secret (${secret.slice(0, 4)}…) in the text` });
  }
  if (JWT.test(text)) out.push({ kind: 'secret', detail: `a JWT in the text: ${excerpt(text, JWT).slice(0, 40)}…` });
  return out;
}

function excerpt(text: string, pattern: RegExp): string {
  const match = pattern.exec(text);
  return match === null ? '' : excerptAt(text, match.index);
}

function excerptAt(text: string, index: number): string {
  return JSON.stringify(text.slice(Math.max(0, index - 60), index + 100));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameId(a: unknown, b: RpcId): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Object.is(a + 0, b + 0));
}

/** The result of checking one answer. */
export interface Verdict {
  kind: AnswerKind;
  /** The answer is an error (JSON-RPC error or tool result with isError). */
  failed: boolean;
  problems: Array<{ kind: string; detail: string }>;
}

/** Checks one JSON-RPC answer's text against what the request allows. */
export function checkAnswer(raw: string, expect: Expectation): Verdict {
  const problems: Array<{ kind: string; detail: string }> = [];
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return {
      kind: 'rpc-error -1',
      failed: true,
      problems: [{ kind: 'not-json', detail: JSON.stringify(raw.slice(0, 200)) }],
    };
  }
  if (!isObject(message) || message.jsonrpc !== '2.0') {
    return {
      kind: 'rpc-error -1',
      failed: true,
      problems: [{ kind: 'not-json-rpc', detail: JSON.stringify(raw.slice(0, 200)) }],
    };
  }
  if (!expect.ids.some((id) => sameId(message.id, id))) {
    problems.push({
      kind: 'wrong-id',
      detail: `expected ${expect.ids.map((id) => JSON.stringify(id)).join(' or ')}, got ${JSON.stringify(message.id)?.slice(0, 80)}`,
    });
  }
  const hasResult = 'result' in message;
  const hasError = 'error' in message;
  if (hasResult === hasError) {
    problems.push({ kind: 'not-json-rpc', detail: 'an answer needs exactly one of result and error' });
    return { kind: 'rpc-error -1', failed: true, problems };
  }
  if (hasError) {
    const error = message.error;
    const code = isObject(error) ? error.code : undefined;
    if (!isObject(error) || typeof code !== 'number' || !Number.isInteger(code) || typeof error.message !== 'string') {
      problems.push({
        kind: 'not-json-rpc',
        detail: `malformed error object: ${JSON.stringify(error)?.slice(0, 200)}`,
      });
      return { kind: 'rpc-error -1', failed: true, problems };
    }
    return { kind: `rpc-error ${code}`, failed: true, problems };
  }
  const result = message.result;
  if (!isObject(result)) {
    problems.push({ kind: 'not-json-rpc', detail: 'result is not an object' });
    return { kind: 'result', failed: true, problems };
  }
  if (expect.toolCall) {
    if (!Array.isArray(result.content))
      problems.push({ kind: 'bad-tool-result', detail: 'tools/call result without a content array' });
    if (result.isError !== undefined && typeof result.isError !== 'boolean')
      problems.push({ kind: 'bad-tool-result', detail: 'isError is not a boolean' });
    if (result.isError === true) return { kind: 'tool-error', failed: true, problems };
  }
  return { kind: 'result', failed: false, problems };
}
