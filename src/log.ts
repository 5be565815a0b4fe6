/**
 * Structured logging (pino, JSON lines). Secrets are redacted by path so that no call site can leak them:
 * authorization headers, cookies, passwords, tokens and session ids.
 *
 * pino is loaded on the first line a logger actually writes, not at import: its modules and the compiled
 * redaction cost ~25 ms of CPU, which a quiet stdio server (`warn`) would otherwise pay before its first answer.
 */
import { createRequire } from 'node:module';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import { SETTINGS } from './config.js';
import { REDACTED } from './core/redact.js';

/** One log method: an object of fields and a message, or a message alone (pino's calling convention). */
type LogFn = (fieldsOrMessage: object | string, message?: string) => void;

/** The logging surface the server uses. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** Whether lines of `level` are written (e.g. to decide how verbose a child process should be). */
  isLevelEnabled(level: string): boolean;
  /** Writes out what the destination buffers (nothing to do before the first line). */
  flush(): void;
}

/** pino's levels (its `levels.values`), restated so that a level can be checked before pino is loaded. */
const LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

/** Paths redacted in every log line, at the top level and one or two levels deep. */
const REDACTED_PATHS: readonly string[] = [
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'password',
  'token',
  'accessToken',
  'access_token',
  'refresh_token',
  'refreshToken',
  'id_token',
  'client_secret',
  'clientSecret',
  'sessionId',
  'mcp-session-id',
  'headers.authorization',
  'headers.cookie',
  'headers["mcp-session-id"]',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.sessionId',
  '*.*.authorization',
  '*.*.password',
  '*.*.token',
  '*.*.access_token',
];

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  level?: string;
  /** Where lines go; stderr by default so that stdio's stdout carries only the protocol. */
  destination?: DestinationStream;
}

/** Creates the process logger: JSON to stderr (fd 2), secrets redacted. Throws on an unknown level name. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? SETTINGS.logLevel.default;
  const threshold = LEVELS[level];
  if (threshold === undefined)
    throw new Error(`log level must be one of ${Object.keys(LEVELS).join(', ')} (got "${level}")`);
  let engine: PinoLogger | undefined;
  const pinoLogger = (): PinoLogger => (engine ??= createPino(level, options.destination));
  const method = (name: 'debug' | 'info' | 'warn' | 'error'): LogFn => {
    if (LEVELS[name]! < threshold) return () => undefined;
    return (fieldsOrMessage, message) => {
      if (typeof fieldsOrMessage === 'string') pinoLogger()[name](fieldsOrMessage);
      else pinoLogger()[name](fieldsOrMessage, message);
    };
  };
  return {
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    isLevelEnabled: (name) => {
      const value = LEVELS[name];
      return value !== undefined && Number.isFinite(value) && value >= threshold;
    },
    flush: () => engine?.flush(),
  };
}

/** The pino logger behind {@link createLogger}, loaded synchronously (pino is CommonJS) when first needed. */
function createPino(level: string, destination: DestinationStream | undefined): PinoLogger {
  const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
  return pino(
    {
      level,
      base: { name: 'finmcp' },
      redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
    },
    destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
