/**
 * Describes a non-2xx backend response in one message for the model: the HTTP status (RFC 9110 §15) and, when
 * the body is an RFC 9457 Problem Details object, its `title`, `detail` and `errors[]` (a common extension
 * member). Other JSON error shapes (`message`, `error`, `error_description`) and short text bodies are used too.
 * Everything taken from the body is cut short: the backend's text is shown, never trusted to be small.
 */
import type { BackendResponse } from '../backend/backend-types.js';
import { isObject } from '../../contract/json.js';

const MAX_FIELD = 300;
const MAX_ERRORS = 20;

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length <= MAX_FIELD ? one : `${one.slice(0, MAX_FIELD)}…`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? clip(v) : undefined;
}

/** One entry of an `errors` array: `field: message`, whatever the backend calls those two. */
function describeItem(item: unknown): string | undefined {
  if (typeof item === 'string') return clip(item);
  if (item === null || typeof item !== 'object') return undefined;
  const o = item as Record<string, unknown>;
  const where =
    str(o['field']) ??
    str(o['pointer']) ??
    str(o['name']) ??
    str(o['path']) ??
    str(o['parameter']) ??
    str(o['property']) ??
    str(o['loc']);
  const what = str(o['detail']) ?? str(o['message']) ?? str(o['reason']) ?? str(o['title']) ?? str(o['code']);
  if (what === undefined) return where;
  return where === undefined ? what : `${where}: ${what}`;
}

/**
 * The reason phrase of a status (RFC 9110 §15) from node:http's table, taken when a backend first fails: a stdio
 * server loads nothing else of node:http, whose import at start-up costs ~3 ms.
 */
function reasonPhrase(status: number): string {
  return process.getBuiltinModule('node:http').STATUS_CODES[status] ?? 'Error';
}

/** `HTTP 404 Not Found: Invoice not found — No invoice with id 42` (plus one line per listed error). */
export function describeHttpError(res: BackendResponse): string {
  const reason = reasonPhrase(res.status);
  const head = `HTTP ${res.status} ${reason}`;
  const body = res.body;
  const parts: string[] = [];
  const lines: string[] = [];
  if (isObject(body)) {
    const o = body;
    const title = str(o['title']);
    const detail = str(o['detail']) ?? str(o['message']) ?? str(o['error_description']) ?? str(o['error']);
    // A title that only repeats the reason phrase ("Unauthorized") adds nothing.
    if (title !== undefined && title.toLowerCase() !== reason.toLowerCase()) parts.push(title);
    if (detail !== undefined && detail !== title) parts.push(detail);
    const errors = Array.isArray(o['errors']) ? o['errors'] : undefined;
    if (errors !== undefined) {
      for (const e of errors.slice(0, MAX_ERRORS)) {
        const d = describeItem(e);
        if (d !== undefined) lines.push(`- ${d}`);
      }
      if (errors.length > MAX_ERRORS) lines.push(`- … and ${errors.length - MAX_ERRORS} more`);
    }
  } else if (typeof res.text === 'string' && res.text.trim() !== '' && !/^\s*<(?:!doctype|html)/i.test(res.text)) {
    // A short text or XML body says more than nothing; an HTML error page does not.
    parts.push(clip(res.text));
  }
  const first = parts.length === 0 ? head : `${head}: ${parts.join(' — ')}`;
  return lines.length === 0 ? first : `${first}\n${lines.join('\n')}`;
}
