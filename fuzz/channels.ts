/**
 * One message out, one verdict back, per transport. stdio: the line and its answer line (or none, for
 * notifications). Streamable HTTP (MCP 2025-11-25, Basic / Transports): the POST and its answer — 200 with
 * the JSON-RPC answer as JSON or in an SSE body, 202 with nothing for notifications and responses, or a 4xx
 * whose body is a JSON-RPC error (a 5xx, or an error status without one, is a finding). Every answer's text
 * goes through the oracle for leaks.
 */
import { HttpStatusError, type McpHttpSession } from '../bench/clients/mcp-http.js';
import { sseDataPayloads } from '../bench/clients/jsonrpc.js';
import { TimeoutError } from '../bench/clients/mcp-stdio.js';
import type { RenderedCase } from './cases.js';
import { checkAnswer, leaks, type AnswerKind, type Secrets } from './oracle.js';
import type { StdioFuzzClient } from './stdio-client.js';

/** The verdict on one exchange. */
export interface Exchange {
  kind: AnswerKind | 'no answer';
  failed: boolean;
  problems: Array<{ kind: string; detail: string }>;
  /** The start of the answer's text, when there was one. */
  answer?: string;
}

/** Sends one message and judges what came back. */
export interface Channel {
  exchange(message: RenderedCase, timeoutMs: number): Promise<Exchange>;
}

/** What the oracle needs besides the answer. */
export interface OracleContext {
  secrets: Secrets;
  projectRoot: string;
}

function judge(raw: string, message: RenderedCase, context: OracleContext, allowNull = false): Exchange {
  const expect =
    allowNull && !message.expect.ids.includes(null)
      ? { ...message.expect, ids: [...message.expect.ids, null] }
      : message.expect;
  const verdict = checkAnswer(raw, expect);
  return {
    kind: verdict.kind,
    failed: verdict.failed,
    problems: [...verdict.problems, ...leaks(raw, context.secrets, context.projectRoot)],
    answer: raw.slice(0, 300),
  };
}

/** A channel over the stdio pipe (shared by every worker: ids keep their answers apart). */
export function stdioChannel(client: StdioFuzzClient, context: OracleContext): Channel {
  return {
    async exchange(message, timeoutMs) {
      const outcome = await client.send(message.body, message.expect, timeoutMs);
      if (outcome.answered) return judge(outcome.raw, message, context);
      if (message.expect.ids.length === 0 && outcome.reason === 'timeout')
        return { kind: 'no answer expected', failed: false, problems: [] };
      return {
        kind: 'no answer',
        failed: true,
        problems: [{ kind: outcome.reason === 'exited' ? 'server-exited' : 'no-answer', detail: outcome.detail }],
      };
    },
  };
}

/** The JSON-RPC answer in a 200 body (JSON, or the SSE events' answer). */
function answerText(body: string, contentType: string): string | undefined {
  if (!contentType.includes('text/event-stream')) return body;
  const answers = sseDataPayloads(body).filter((data) => !/^\s*\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"method"/.test(data));
  return answers.length === 1 ? answers[0] : undefined;
}

/** A channel over one HTTP session (one keep-alive connection; one message at a time). */
export function httpChannel(session: McpHttpSession, context: OracleContext): Channel {
  return {
    async exchange(message, timeoutMs) {
      let response: Awaited<ReturnType<McpHttpSession['post']>>;
      try {
        response = await session.post(message.body, timeoutMs);
      } catch (error) {
        const kind =
          error instanceof TimeoutError
            ? 'no-answer'
            : error instanceof HttpStatusError
              ? 'http-status'
              : 'transport-error';
        return {
          kind: 'no answer',
          failed: true,
          problems: [{ kind, detail: error instanceof Error ? error.message : String(error) }],
        };
      }
      const leaked = leaks(response.body, context.secrets, context.projectRoot);
      const status = response.status;
      if (status === 202) {
        const problems =
          message.expect.ids.length === 0
            ? leaked
            : [...leaked, { kind: 'http-status', detail: '202 for a request that needs an answer' }];
        return { kind: 'no answer expected', failed: false, problems };
      }
      if (status === 200) {
        const text = answerText(response.body, response.headers['content-type'] ?? '');
        if (text === undefined)
          return {
            kind: 'http 200',
            failed: true,
            problems: [
              ...leaked,
              { kind: 'not-json-rpc', detail: `200 without one answer: ${response.body.slice(0, 200)}` },
            ],
          };
        if (message.expect.ids.length === 0)
          return {
            kind: 'http 200',
            failed: true,
            problems: [...leaked, { kind: 'unexpected-answer', detail: text.slice(0, 200) }],
          };
        return judge(text, message, context);
      }
      const kind: AnswerKind = `http ${status}`;
      if (status >= 500 || (message.expect.toolCall && status !== 400)) {
        return {
          kind,
          failed: true,
          problems: [...leaked, { kind: 'http-status', detail: `HTTP ${status}: ${response.body.slice(0, 200)}` }],
        };
      }
      // A refused message: the body must still be a JSON-RPC error (its id, or null when unreadable).
      const verdict = judge(response.body, message, context, true);
      const problems = verdict.kind.startsWith('rpc-error')
        ? verdict.problems
        : [...verdict.problems, { kind: 'http-status', detail: `HTTP ${status} without a JSON-RPC error` }];
      return { kind, failed: true, problems };
    },
  };
}
