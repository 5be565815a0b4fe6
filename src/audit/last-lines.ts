/**
 * The last lines of a file, read backwards from its end in 64 KiB steps: an audit file grows without bound, and
 * both the trail (continuing the chain after a restart) and `finmcp audit tail` need only its end.
 */
import type { FileHandle } from 'node:fs/promises';

/** Up to `count` last non-blank lines of the open file, oldest first. */
export async function lastLines(handle: FileHandle, count: number): Promise<string[]> {
  const { size } = await handle.stat();
  let end = size;
  let tail = Buffer.alloc(0);
  while (end > 0) {
    const start = Math.max(0, end - 65_536);
    const chunk = Buffer.alloc(end - start);
    await handle.read(chunk, 0, chunk.length, start);
    // Bytes, not text, until whole lines are in hand: a chunk may end inside a UTF-8 character.
    tail = Buffer.concat([chunk, tail]);
    end = start;
    if (end === 0 || countNewlines(tail) > count) break;
  }
  const lines = tail
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  // Unless the whole file was read, the first piece may be the end of a longer line.
  if (end > 0) lines.shift();
  return lines.slice(-count);
}

function countNewlines(buffer: Buffer): number {
  let n = 0;
  for (let i = buffer.indexOf(0x0a); i >= 0; i = buffer.indexOf(0x0a, i + 1)) n++;
  return n;
}
