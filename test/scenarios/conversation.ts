/**
 * One conversation of the scenario tests (issue 17): the tool calls an assistant would make to answer one example
 * request of a reference document. The test chooses the calls (no model); this opens a real MCP session (the SDK
 * `Client` over Streamable HTTP), makes the calls, checks every result against the tool's `outputSchema`, and
 * counts them, so that each scenario can assert it was answered within {@link MAX_TOOL_CALLS}. Signing in is not
 * counted ("login aside"): FinOpps signs in through OAuth before the session; B4B's `login` tool is named in
 * `signIn` when a conversation opens.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'vitest';
import type { ListedTool } from '../../contract/descriptor.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { expectConforms } from '../helpers/tool-results.js';

/** The budget of the reference documents' example requests: at most two tool calls, sign-in aside. */
const MAX_TOOL_CALLS = 2;

/** A tool call as the conversation made it. */
export interface MadeCall {
  name: string;
  args: Record<string, unknown>;
}

/** A structured tool result, typed loosely: scenarios read the fields the user asked about. */
export type Data = Record<string, any>;

export class Conversation {
  /** Every tool call made, sign-in included, in order. */
  readonly calls: MadeCall[] = [];
  /** Indexes in {@link calls} of sign-in calls. */
  private readonly signInCalls = new Set<number>();

  private constructor(
    private readonly client: Client,
    private readonly tools: Map<string, ListedTool>,
  ) {}

  /** Opens an MCP session on `endpoint`, with a bearer token when the backend signs users in through OAuth. */
  static async open(endpoint: string, token?: string): Promise<Conversation> {
    const client = new Client({ name: 'finmcp-scenario', version: '1.0.0' });
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint), { requestInit: { headers } }));
    const { tools } = await client.listTools();
    return new Conversation(client, new Map(tools.map((t) => [t.name, t as ListedTool])));
  }

  /**
   * The user's request as the server's prompt gives it (`prompts/get`): the text of its one user message. Listed by
   * `prompts/list` first, as a client offers it; not a tool call.
   */
  async prompt(name: string, args: Record<string, string> = {}): Promise<string> {
    const { prompts } = await this.client.listPrompts();
    expect(
      prompts.map((p) => p.name),
      `prompts/list offers ${name}`,
    ).toContain(name);
    const { messages } = await this.client.getPrompt({ name, arguments: args });
    expect(messages).toHaveLength(1);
    expect(messages[0]?.role).toBe('user');
    const content = messages[0]?.content as { type: string; text?: string };
    expect(content.type).toBe('text');
    return content.text as string;
  }

  /** Calls a tool; fails the test unless it succeeds with a result conforming to its outputSchema. */
  async call(name: string, args: Record<string, unknown> = {}): Promise<Data> {
    const tool = this.tools.get(name);
    expect(tool, `the server lists ${name}`).toBeDefined();
    this.calls.push({ name, args });
    const result = (await this.client.callTool({ name, arguments: args })) as ToolResult;
    expectConforms(tool!, result);
    return result.structuredContent as Data;
  }

  /** A call the test makes to check the outcome, not the assistant: not recorded, and may fail. */
  async check(name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    return (await this.client.callTool({ name, arguments: args })) as ToolResult;
  }

  /** Signs in with a tool (B4B `login`): made like any call, but not counted against the budget. */
  async signIn(name: string, args: Record<string, unknown>): Promise<Data> {
    const result = await this.call(name, args);
    this.signInCalls.add(this.calls.length - 1);
    return result;
  }

  /** Calls made to answer the request: every call but sign-in. */
  get answeringCalls(): MadeCall[] {
    return this.calls.filter((_, i) => !this.signInCalls.has(i));
  }

  /** Fails unless the request was answered within the budget, with the calls listed in the failure. */
  expectAnsweredWithin(max: number = MAX_TOOL_CALLS): void {
    const made = this.answeringCalls;
    expect(made.length, `tool calls made: ${made.map((c) => c.name).join(', ')}`).toBeGreaterThan(0);
    expect(made.length, `tool calls made: ${made.map((c) => c.name).join(', ')}`).toBeLessThanOrEqual(max);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Sum of decimal-string amounts, exact (money is never a float): `['500.00', '700.00']` → `'1200.00'`. */
export function sumAmounts(amounts: readonly string[], fractionDigits = 2): string {
  const scale = 10n ** BigInt(fractionDigits);
  const total = amounts.reduce((sum, a) => {
    const [whole = '0', fraction = ''] = a.replace('-', '').split('.');
    const units = BigInt(whole) * scale + BigInt(fraction.padEnd(fractionDigits, '0').slice(0, fractionDigits) || '0');
    return sum + (a.startsWith('-') ? -units : units);
  }, 0n);
  const sign = total < 0n ? '-' : '';
  const abs = total < 0n ? -total : total;
  return `${sign}${abs / scale}.${(abs % scale).toString().padStart(fractionDigits, '0')}`;
}

/** The first and last day of the calendar month before `today` (YYYY-MM-DD): "last month". */
export function lastMonth(today: string): { start: string; end: string } {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const start = new Date(Date.UTC(year, month - 2, 1));
  const end = new Date(Date.UTC(year, month - 1, 0));
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}

/** The `days` days up to and including `today` (YYYY-MM-DD): "the last 30 days". */
export function lastDays(today: string, days: number): { start: string; end: string } {
  const end = new Date(`${today}T00:00:00Z`);
  const start = new Date(end.getTime() - (days - 1) * 86_400_000);
  return { start: start.toISOString().slice(0, 10), end: today };
}
