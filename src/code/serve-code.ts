/**
 * `serve --code` for one backend: its (already selected) ToolService wrapped in code mode with the limits of the
 * settings table, and — for backends whose users sign in with OAuth — the per-tool scopes each `api` call must hold.
 */
import { SETTINGS, type Settings } from '../config.js';
import type { BackendOverrides } from '../core/backend-overrides.js';
import type { ToolService } from '../core/tool-service-api.js';
import type { GeneratedBackend } from '../../contract/descriptor.js';
import { scopesByTool } from '../auth/scopes.js';
import type { Logger } from '../log.js';
import { codeToolService } from './code-tools.js';
import { warmSandbox } from './sandbox.js';
import type { SandboxLimits } from './sandbox-protocol.js';

/** Stack a program may use: deep enough for ordinary recursion, far inside the engine's own. */
const STACK_BYTES = 256 * 1024;
/** `console` lines one run keeps. */
const MAX_LOG_LINES = 200;

/** The sandbox limits from the settings table; the result text may be up to 4× the budget before it is cut. */
export function sandboxLimits(settings: Settings): SandboxLimits {
  return {
    cpuMs: settings.read(SETTINGS.codeCpuMs),
    wallMs: settings.read(SETTINGS.codeWallMs),
    memoryBytes: settings.read(SETTINGS.codeMemoryMb) * 1024 * 1024,
    stackBytes: STACK_BYTES,
    maxCalls: settings.read(SETTINGS.codeMaxCalls),
    maxLogLines: MAX_LOG_LINES,
    maxResultChars: settings.read(SETTINGS.maxResponseBytes) * 4,
  };
}

/** Wraps `service` in code mode; starts a sandbox worker now so that the first program does not wait for one. */
export async function codeModeService(
  service: ToolService,
  generated: GeneratedBackend,
  overrides: BackendOverrides,
  settings: Settings,
  logger: Logger,
): Promise<ToolService> {
  await warmSandbox();
  const scopes = overrides.inboundAuth === 'oauth' ? scopesByTool(generated, overrides) : new Map<string, string[]>();
  return codeToolService(service, generated.tools, {
    limits: sandboxLimits(settings),
    maxResponseBytes: settings.read(SETTINGS.maxResponseBytes),
    logger,
    ...(scopes.size === 0 ? {} : { requiredScopes: (tool: string) => scopes.get(tool) ?? [] }),
  });
}
