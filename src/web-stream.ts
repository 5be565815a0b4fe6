/**
 * Reading a WHATWG byte stream (a fetch `Response` or `Request` body) with a size limit: reading stops, and the
 * stream is cancelled, as soon as it passes the limit, so a huge body never fills memory. Shared by the backend
 * client's fetch path and the fetch-handler transport.
 */

/** The stream's bytes, or undefined once they pass `limit` (the stream is then cancelled). */
export async function readStreamUpTo(body: ReadableStream<Uint8Array>, limit: number): Promise<Buffer | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
