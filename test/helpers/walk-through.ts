/**
 * The end-to-end walk-throughs the CLI tests run over every transport and protocol era, written once: every tool
 * of a backend called with its spec's examples (each result must conform to its outputSchema), and B4B's session
 * (a call before `login` asks for it, `login` with the README's sandbox credentials, every tool, `logout`, asked
 * again). Works with the SDK 1.x (2025-11-25) and 2.x (2026-07-28) clients alike.
 */
import { expect } from 'vitest';
import type { GeneratedBackend, ListedTool } from '../../contract/descriptor.js';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { exampleArgumentsByTool } from './spec-examples.js';
import { expectConforms } from './tool-results.js';

/** The README's B4B sandbox credentials (Prism answers any well-formed login with the spec's example). */
const B4B_SANDBOX_LOGIN = { phone: '+84909495665', password: 'SecurePassword123@' } as const;

/** What the walk-throughs need of a client, whichever SDK line it comes from. */
export interface ToolClient {
  listTools(): Promise<{ tools: unknown[] }>;
  callTool(request: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
}

/** Calls a tool and returns its result. */
async function callTool(client: ToolClient, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

/** Calls every listed tool but `skip` with its spec's example arguments; each result conforms to its outputSchema. */
export async function callEveryTool(
  client: ToolClient,
  backend: GeneratedBackend,
  skip: readonly string[] = [],
): Promise<ListedTool[]> {
  const tools = (await client.listTools()).tools as ListedTool[];
  const args = exampleArgumentsByTool(backend, tools);
  for (const tool of tools) {
    if (skip.includes(tool.name)) continue;
    expectConforms(tool, await callTool(client, tool.name, args.get(tool.name) ?? {}));
  }
  return tools;
}

/** Fails unless a B4B call made now is refused with an error saying to log in. */
async function expectAsksForLogin(client: ToolClient): Promise<void> {
  const result = await callTool(client, 'list_entities');
  expect(result.isError).toBe(true);
  expect(result.content[0]!.text).toMatch(/login/);
}

/**
 * B4B's session on one client: asked to log in first; `login` succeeds showing the account and no backend JWT;
 * every one of its 15 tools then serves; with `logout`, the session ends and the next call asks for login again.
 */
export async function walkB4bSession(
  client: ToolClient,
  b4b: GeneratedBackend,
  options: { logout: boolean },
): Promise<void> {
  await expectAsksForLogin(client);
  const login = await callTool(client, 'login', { ...B4B_SANDBOX_LOGIN });
  expect(login.isError, login.content[0]!.text).not.toBe(true);
  expect(login.structuredContent?.['email']).toEqual(expect.any(String));
  expect(JSON.stringify(login)).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
  const tools = await callEveryTool(client, b4b, ['login', 'logout']);
  expect(tools).toHaveLength(15);
  if (!options.logout) return;
  expect((await callTool(client, 'logout')).isError).not.toBe(true);
  await expectAsksForLogin(client);
}
