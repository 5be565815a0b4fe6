/**
 * `FINMCP_AUDIT` (the settings table's row): `off` (default), `stdout`, or `file:<path>`. Parsed and opened once at
 * start-up, so a typo or an unwritable path fails `serve` at once with the setting's name and rule, not at the
 * first tool call. The Redis stream is added by the state store once it is connected (state/create-store.ts). The
 * trail's code is loaded only when it is on: a server without an audit trail starts without it.
 */
import { ConfigError, SETTINGS, type Settings } from '../config.js';
import type { Logger } from '../log.js';
import type { AuditTrail } from './audit-trail.js';

/** Where `FINMCP_AUDIT` sends records. */
export type AuditTarget = { kind: 'off' } | { kind: 'stdout' } | { kind: 'file'; path: string };

/** Parses a `FINMCP_AUDIT` value. */
export function parseAuditTarget(raw: string): AuditTarget {
  const value = raw.trim();
  if (value === 'off') return { kind: 'off' };
  if (value === 'stdout') return { kind: 'stdout' };
  if (value.startsWith('file:')) {
    const path = value.slice('file:'.length).trim();
    if (path === '')
      throw new ConfigError(
        'FINMCP_AUDIT=file:<path> needs a path after `file:` (e.g. file:/var/log/finmcp/audit.jsonl)',
      );
    return { kind: 'file', path };
  }
  throw new ConfigError(`FINMCP_AUDIT must be off, stdout or file:<path> (got "${value.slice(0, 80)}")`);
}

/** The trail `FINMCP_AUDIT` asks for, its file opened; undefined when off. */
export async function openAuditTrail(
  settings: Settings,
  transport: string,
  logger: Logger,
): Promise<AuditTrail | undefined> {
  const target = parseAuditTarget(settings.read(SETTINGS.audit));
  if (target.kind === 'off') return undefined;
  if (target.kind === 'stdout') {
    if (transport === 'stdio')
      throw new ConfigError(
        'FINMCP_AUDIT=stdout cannot be used with --transport stdio: stdout carries the MCP messages (use file:<path>)',
      );
    const [{ AuditTrail }, { StdoutSink }] = await Promise.all([import('./audit-trail.js'), import('./sinks.js')]);
    return new AuditTrail({ sinks: [new StdoutSink()], logger });
  }
  const [{ AuditTrail }, { FileSink }] = await Promise.all([import('./audit-trail.js'), import('./sinks.js')]);
  let opened: Awaited<ReturnType<typeof FileSink.open>>;
  try {
    opened = await FileSink.open(target.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new ConfigError(`FINMCP_AUDIT: cannot open ${target.path} for appending (${code})`);
  }
  logger.info({ audit: target.path, continues: opened.prev !== undefined }, 'audit trail: appending to file');
  return new AuditTrail({ sinks: [opened.sink], logger, ...(opened.prev === undefined ? {} : { prev: opened.prev }) });
}
