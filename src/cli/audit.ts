/**
 * `finmcp audit verify <file>` and `finmcp audit tail [file] [-n N]`: check an audit file's hash chain (naming the
 * first bad record by line number and request id, exit code 1), and print its last records one per line. The file
 * defaults to the one `FINMCP_AUDIT=file:<path>` names. See src/audit/ and the README's "Audit trail".
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ConfigError, SETTINGS, Settings } from '../config.js';
import { ChainVerifier } from '../audit/chain.js';
import { lastLines } from '../audit/last-lines.js';
import { parseAuditTarget } from '../audit/open-audit.js';

/** The file given, else the one FINMCP_AUDIT names. */
function auditFile(given: string | undefined): string {
  if (given !== undefined) return given;
  const target = parseAuditTarget(new Settings(process.env).read(SETTINGS.audit));
  if (target.kind === 'file') return target.path;
  throw new ConfigError('name the audit file (or set FINMCP_AUDIT=file:<path>)');
}

/** Verifies the chain; prints the verdict; returns the exit code. */
export async function runAuditVerify(file: string, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const verifier = new ChainVerifier();
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  try {
    for await (const line of lines) if (!verifier.push(line, ++number)) break;
  } catch (error) {
    throw new ConfigError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    lines.close();
  }
  const verdict = verifier.verdict();
  if (verdict.ok) {
    out.write(`${file}: ${verdict.records} records, chain intact (last hash ${verdict.lastHash})\n`);
    return 0;
  }
  const id = verdict.requestId === null ? 'no request id' : `request id ${verdict.requestId}`;
  out.write(
    `${file}: line ${verdict.line} (${id}) is bad: ${verdict.reason}. The ${verdict.records} records before it are intact.\n`,
  );
  return 1;
}

/** Prints the last `-n` records readably. */
export async function runAuditTail(
  given: string | undefined,
  n: string,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const count = Number(n);
  if (!/^\d+$/.test(n.trim()) || count < 1) throw new ConfigError(`-n must be a positive integer (got "${n}")`);
  const file = auditFile(given);
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new ConfigError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    for (const line of await lastLines(handle, count)) out.write(`${readable(line)}\n`);
  } finally {
    await handle.close();
  }
}

/** One record as one line: time, backend, tool, caller, outcome and status, confirmation, duration, request id. */
export function readable(line: string): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `(not a record) ${line.slice(0, 120)}`;
  }
  const caller = (r['caller'] ?? {}) as {
    principal?: string | null;
    tenant?: Record<string, unknown> | null;
    address?: string;
  };
  const confirmation = r['confirmation'] as { outcome: string; by: string | null } | null | undefined;
  const who = caller.principal ?? (caller.address === undefined ? '-' : `address ${caller.address}`);
  const tenant =
    caller.tenant === null || caller.tenant === undefined
      ? ''
      : ` ${Object.entries(caller.tenant)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(',')}`;
  const parts = [
    String(r['time'] ?? '?'),
    String(r['backend'] ?? '?'),
    String(r['tool'] ?? `(${String(r['event'] ?? '?')})`),
    `by ${who}${tenant}`,
    `${String(r['outcome'] ?? '?')}${r['status'] === null || r['status'] === undefined ? '' : ` ${String(r['status'])}`}`,
  ];
  if (confirmation !== null && confirmation !== undefined)
    parts.push(`${confirmation.outcome}${confirmation.by === null ? '' : ` by ${confirmation.by}`}`);
  if (typeof r['nonce'] === 'string') parts.push(`nonce ${r['nonce']}`);
  if (typeof r['durationMs'] === 'number') parts.push(`${r['durationMs']} ms`);
  if (typeof r['suppressed'] === 'number') parts.push(`+${r['suppressed']} like it`);
  if (typeof r['requestId'] === 'string') parts.push(`request ${r['requestId']}`);
  return parts.join('  ');
}
