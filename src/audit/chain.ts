/**
 * The hash chain of an audit file (issue 21 part 4): every record is one JSON line that starts with
 * `{"hash":"<SHA-256 hex>",` followed by the rest of the record, which carries `prev`, the hash of the record before
 * it (64 zeros for the first). A record's hash is SHA-256 over its line without the leading hash member, that is
 * `{` + everything after `"hash":"…",`, taken as the bytes written, so verification never depends on re-serialising.
 *
 * What it detects: an edited record (its content no longer matches its hash), and a removed, inserted or reordered
 * one (the next record's `prev` no longer matches). An editor who also recomputes the edited record's hash is caught
 * at the following record; one who rewrites every hash from the edit to the end, or cuts records off the end, is
 * not: keep a copy of the latest hash elsewhere (e.g. the Redis stream, or a log shipper) to anchor the end.
 */
import { createHash } from 'node:crypto';

/** `prev` of the first record of a chain. */
export const GENESIS = '0'.repeat(64);

const HEAD = '{"hash":"';
/** `{"hash":"` + 64 hex digits + `",`. */
const HEAD_LENGTH = HEAD.length + 64 + 2;
const HEX64 = /^[0-9a-f]{64}$/;

/** One record of the chain as written: its line (no newline) and its hash. */
export interface ChainedLine {
  line: string;
  hash: string;
}

/** The line of a record whose previous record's hash is `prev`; `body` must not have `hash` or `prev` members. */
export function chainLine(body: Record<string, unknown>, prev: string): ChainedLine {
  const inner = JSON.stringify({ prev, ...body });
  const hash = sha256(inner);
  return { line: `${HEAD}${hash}",${inner.slice(1)}`, hash };
}

/** The outcome of {@link verifyLines}. */
export type ChainVerdict =
  | { ok: true; records: number; lastHash: string }
  | { ok: false; records: number; line: number; requestId: string | null; reason: string };

/** Checks a chain line by line (a file is streamed through it); blank lines are skipped. */
export class ChainVerifier {
  #expected: string;
  #records = 0;
  #failure: Extract<ChainVerdict, { ok: false }> | undefined;

  constructor(first: string = GENESIS) {
    this.#expected = first;
  }

  /** Checks the line numbered `lineNumber` (1-based); false once the chain is broken (see {@link verdict}). */
  push(line: string, lineNumber: number): boolean {
    if (this.#failure !== undefined) return false;
    if (line.trim() === '') return true;
    const bad = (reason: string, requestId: string | null): boolean => {
      this.#failure = { ok: false, records: this.#records, line: lineNumber, requestId, reason };
      return false;
    };
    const claimed = line.slice(HEAD.length, HEAD.length + 64);
    if (!line.startsWith(HEAD) || !HEX64.test(claimed) || line.slice(HEAD.length + 64, HEAD_LENGTH) !== '",') {
      return bad(`it is not an audit record (a record starts with ${HEAD}<64 hex digits>")`, requestIdIn(line));
    }
    const inner = `{${line.slice(HEAD_LENGTH)}`;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(inner) as Record<string, unknown>;
    } catch {
      return bad('it is not valid JSON (the record was edited)', requestIdIn(line));
    }
    const requestId = typeof parsed['requestId'] === 'string' ? parsed['requestId'] : null;
    if (sha256(inner) !== claimed) return bad('its content does not match its hash (the record was edited)', requestId);
    if (parsed['prev'] !== this.#expected) {
      return bad(
        this.#records === 0 && this.#expected === GENESIS
          ? 'it is first in the file but does not start a chain (records before it were removed)'
          : 'it does not follow the record before it (a record was removed, inserted or reordered, or the one before it was edited and re-hashed)',
        requestId,
      );
    }
    this.#expected = claimed;
    this.#records++;
    return true;
  }

  /** The verdict on the lines pushed so far. */
  verdict(): ChainVerdict {
    return this.#failure ?? { ok: true, records: this.#records, lastHash: this.#expected };
  }
}

/** Checks every line of a chain (blank lines are skipped, a trailing newline is normal). */
export function verifyLines(lines: readonly string[], first: string = GENESIS): ChainVerdict {
  const verifier = new ChainVerifier(first);
  for (let i = 0; i < lines.length && verifier.push(lines[i]!, i + 1); i++);
  return verifier.verdict();
}

/** The hash a line claims, if it is shaped like a record (to continue a chain after a restart). */
export function claimedHash(line: string): string | undefined {
  const claimed = line.slice(HEAD.length, HEAD.length + 64);
  return line.startsWith(HEAD) && HEX64.test(claimed) ? claimed : undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A request id read loosely from a line that is not valid JSON, to name it anyway. */
function requestIdIn(line: string): string | null {
  return /"requestId":"([^"\\]{1,128})"/.exec(line)?.[1] ?? null;
}
