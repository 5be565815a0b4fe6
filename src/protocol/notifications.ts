/**
 * What a request may tell the client while it runs (MCP 2025-11-25 and 2026-07-28, Basic / Utilities / Progress,
 * Server / Utilities / Logging): `notifications/progress` for a request that carried `_meta.progressToken`, and
 * `notifications/message` at or above the level the client asked for — in 2025-11-25 set for the session by
 * `logging/setLevel`, in 2026-07-28 per request by `_meta["io.modelcontextprotocol/logLevel"]`. Nothing is sent
 * that the client did not ask for. The transport gives the channel ({@link Caller.notifyClient}: a stdio line, or
 * the request's SSE stream over HTTP); this module decides what goes on it.
 */
import type { CallReporter, LogLevel } from '../core/call-context.js';
import type { SessionHandle } from '../state/session.js';
import { ErrorCode, RpcFailure } from './errors.js';
import { isObject, type JsonObject } from './messages.js';

/** The syslog severities of MCP logging, least severe first (RFC 5424 §6.2.1). */
const LOG_LEVELS: readonly LogLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/** Session-state key of a 2025-11-25 client's `logging/setLevel`. */
export const LOG_LEVEL_STATE_KEY = 'mcp.logLevel';
/** 2026-07-28: the `_meta` key by which a request opts in to log messages. */
const LOG_LEVEL_META_KEY = 'io.modelcontextprotocol/logLevel';

/** Sends one notification to the client of the request (see {@link Caller.notifyClient}). */
export type ClientNotifier = (notification: JsonObject) => void;

/** Whether `value` is a log level. */
function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** A level from a request (`logging/setLevel`'s `level`, or the 2026-07-28 `_meta` key); -32602 naming the field. */
export function readLogLevel(value: unknown, field: string): LogLevel {
  if (isLogLevel(value)) return value;
  throw new RpcFailure(ErrorCode.InvalidParams, `Invalid params: ${field} must be one of ${LOG_LEVELS.join(', ')}`);
}

/** The request's progress token (`_meta.progressToken`: a string or an integer), if it has one. */
function progressTokenOf(meta: unknown): string | number | undefined {
  if (!isObject(meta)) return undefined;
  const token = meta.progressToken;
  return typeof token === 'string' || (typeof token === 'number' && Number.isInteger(token)) ? token : undefined;
}

/**
 * The least severe level the client wants for this request: 2026-07-28 from its `_meta` (a bad value is -32602),
 * 2025-11-25 from its session; undefined for none.
 */
export function requestedLogLevel(
  modern: boolean,
  params: JsonObject | undefined,
  session: SessionHandle | undefined,
): LogLevel | undefined {
  if (!modern) {
    const level = session?.get(LOG_LEVEL_STATE_KEY);
    return isLogLevel(level) ? level : undefined;
  }
  const meta = params?._meta;
  const level = isObject(meta) ? meta[LOG_LEVEL_META_KEY] : undefined;
  return level === undefined ? undefined : readLogLevel(level, `params._meta["${LOG_LEVEL_META_KEY}"]`);
}

/**
 * Whether a request may send notifications while it runs (a progress token, or log messages asked for): the HTTP
 * transport then prepares the request's SSE stream. Cheap, and never throws (a bad level is refused later).
 */
export function wantsNotifications(modern: boolean, params: JsonObject | undefined, session?: SessionHandle): boolean {
  const meta = params?._meta;
  if (progressTokenOf(meta) !== undefined) return true;
  if (modern) return isObject(meta) && meta[LOG_LEVEL_META_KEY] !== undefined;
  return isLogLevel(session?.get(LOG_LEVEL_STATE_KEY));
}

/**
 * The reporter of one request, or undefined when it has nothing to report to (no channel, or the client asked for
 * neither progress nor log messages). `logger` names the source in `notifications/message` (the backend).
 */
export function createReporter(
  notify: ClientNotifier | undefined,
  params: JsonObject | undefined,
  level: LogLevel | undefined,
  logger: string,
): CallReporter | undefined {
  const token = progressTokenOf(params?._meta);
  if (notify === undefined || (token === undefined && level === undefined)) return undefined;
  const threshold = level === undefined ? LOG_LEVELS.length : LOG_LEVELS.indexOf(level);
  let last = Number.NEGATIVE_INFINITY;
  return {
    progress(progress, total, message) {
      // Progress MUST increase with each notification: a value that does not is not sent.
      if (token === undefined || !(progress > last)) return;
      last = progress;
      const params: JsonObject = { progressToken: token, progress };
      if (total !== undefined) params.total = total;
      if (message !== undefined) params.message = message;
      notify({ jsonrpc: '2.0', method: 'notifications/progress', params });
    },
    log(severity, data) {
      if (LOG_LEVELS.indexOf(severity) < threshold) return;
      notify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: severity, logger, data } });
    },
  };
}
