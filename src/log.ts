/**
 * Structured logging (pino, JSON lines). Secrets are redacted by path so that no call site can leak them:
 * authorization headers, cookies, passwords, tokens and session ids.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths redacted in every log line, at the top level and one or two levels deep. */
export const REDACTED_PATHS: readonly string[] = [
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

/** Creates the process logger: JSON to stderr (fd 2), secrets redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { name: 'finmcp' },
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
