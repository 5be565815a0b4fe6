/**
 * Reading a JSON-RPC POST body with a size limit (RFC 9110 §15.5.14, 413 Content Too Large), without any web
 * `Request` conversion: the raw bytes are collected from the Node stream and parsed once.
 */
import type { IncomingMessage } from 'node:http';

/** Thrown when the body exceeds the limit. */
export class BodyTooLargeError extends Error {
  /** Creates the error with a message naming the limit (never the body). */
  constructor(limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads the whole body, failing as soon as more than `limit` bytes have arrived. A body that already arrived whole
 * (it came with the headers: the parser has pushed all `Content-Length` bytes, which it does before `complete` is
 * set) is taken from the stream's buffer at once, without a promise, listeners or a flowing stream; it throws
 * {@link BodyTooLargeError} then.
 */
export function readBody(req: IncomingMessage, limit: number): Buffer | Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && !req.readableDidRead && req.readableLength === Number(declared)) {
    if (req.readableLength > limit) throw new BodyTooLargeError(limit);
    return (req.read() as Buffer | null) ?? Buffer.alloc(0);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering; the caller answers 413 and closes the connection.
        req.off('data', onData);
        req.off('end', onEnd);
        req.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.once('error', reject);
  });
}
