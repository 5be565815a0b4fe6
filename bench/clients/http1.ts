/**
 * A lean HTTP/1.1 keep-alive client over one `net` socket: request heads are written by hand, responses parsed
 * by a small state machine (Content-Length, chunked, or until close). It exists because load generators must
 * spend far less CPU per call than the servers they measure (the SDK's client spends 1–2.5 ms per call on
 * this machine; this one a few tens of µs), and the generator shares the machine's two cores with the server.
 *
 * One request at a time per connection (no pipelining), like a browser or the SDK client. A response can also
 * be consumed as a stream (an SSE `GET` that stays open), with each decoded piece of body handed to a callback.
 */
import { connect, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

/** A complete response. Header names are lower-case. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Pending {
  resolve: (response: HttpResponse) => void;
  reject: (error: Error) => void;
  /** When set, body text is handed over as it arrives and `resolve` is called as soon as the head is read. */
  onData?: (text: string) => void;
  onEnd?: () => void;
  /** Whether any byte of the answer arrived (a request whose connection died before that may be retried). */
  started: boolean;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** One keep-alive connection to `host:port`. Reconnects transparently when the server closed it while idle. */
export class Http1Connection {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  // Parser state of the response being read.
  private phase: 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'close' = 'head';
  private remaining = 0;
  private status = 0;
  private headers: Record<string, string> = {};
  private bodyParts: Buffer[] = [];
  private decoder: StringDecoder | undefined;
  private keepAlive = true;
  /** Connections (re)opened, for the report. */
  connects = 0;
  closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  private open(): Promise<Socket> {
    if (this.socket !== undefined && !this.socket.destroyed) return Promise.resolve(this.socket);
    if (this.connecting !== undefined) return this.connecting;
    this.connecting = new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, noDelay: true });
      this.connects += 1;
      const onError = (error: Error): void => {
        this.connecting = undefined;
        reject(error);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        this.socket = socket;
        this.connecting = undefined;
        this.buffer = Buffer.alloc(0);
        this.phase = 'head';
        socket.on('data', (chunk: Buffer) => this.onData(chunk));
        socket.on('error', (error: Error) => this.fail(error, socket));
        socket.on('close', () => this.onClose(socket));
        resolve(socket);
      });
    });
    return this.connecting;
  }

  /**
   * Sends one request and resolves with the whole response. `head` is everything before the body: the
   * request line and header lines, without Content-Length and without the blank line.
   */
  async request(head: string, body = ''): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.send(head, body, undefined, undefined);
      } catch (error) {
        // A keep-alive connection the server closed while idle fails before any answer: retry once, fresh.
        if (attempt === 0 && error instanceof RetryableError && !this.closed) continue;
        throw error instanceof RetryableError ? error.cause : error;
      }
    }
  }

  /**
   * Sends a request whose answer stays open (Server-Sent Events): resolves with the status and headers as
   * soon as they arrive; body text then goes to `onData`, and `onEnd` runs when the server ends the stream.
   */
  async stream(
    head: string,
    onData: (text: string) => void,
    onEnd: () => void,
    onWritten?: () => void,
  ): Promise<HttpResponse> {
    try {
      return await this.send(head, '', onData, onEnd, onWritten);
    } catch (error) {
      throw error instanceof RetryableError ? error.cause : error;
    }
  }

  private async send(
    head: string,
    body: string,
    onData: ((text: string) => void) | undefined,
    onEnd: (() => void) | undefined,
    onWritten?: () => void,
  ): Promise<HttpResponse> {
    if (this.closed) throw new Error('connection closed by the client');
    if (this.pending !== undefined) throw new Error('one request at a time per connection');
    const socket = await this.open();
    return new Promise<HttpResponse>((resolve, reject) => {
      this.pending = { resolve, reject, started: false, ...(onData ? { onData } : {}), ...(onEnd ? { onEnd } : {}) };
      const length = body.length === 0 ? 0 : Buffer.byteLength(body);
      socket.write(
        body.length === 0 && head.startsWith('GET')
          ? `${head}\r\n\r\n`
          : `${head}\r\nContent-Length: ${length}\r\n\r\n${body}`,
        onWritten,
      );
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.pending !== undefined) this.pending.started = true;
    this.parse();
  }

  /** Emits as much of the remaining body (or chunk) as has arrived; true once all of it has. */
  private consumeBody(): boolean {
    const take = Math.min(this.remaining, this.buffer.length);
    this.emit(this.buffer.subarray(0, take));
    this.buffer = this.buffer.subarray(take);
    this.remaining -= take;
    return this.remaining === 0;
  }

  private parse(): void {
    for (;;) {
      const pending = this.pending;
      if (pending === undefined) {
        // Bytes nobody asked for (or a stray response): drop them rather than misparse the next answer.
        this.buffer = Buffer.alloc(0);
        return;
      }
      switch (this.phase) {
        case 'head': {
          const end = this.buffer.indexOf(CRLF_CRLF);
          if (end === -1) return;
          const lines = this.buffer.toString('latin1', 0, end).split('\r\n');
          this.buffer = this.buffer.subarray(end + 4);
          this.status = Number(lines[0]?.split(' ')[1]);
          this.headers = {};
          for (let i = 1; i < lines.length; i += 1) {
            const line = lines[i] ?? '';
            const colon = line.indexOf(':');
            if (colon > 0) this.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
          }
          if (this.status >= 100 && this.status < 200) continue; // 100 Continue: the real answer follows.
          this.keepAlive = (this.headers.connection ?? '').toLowerCase() !== 'close';
          this.bodyParts = [];
          this.decoder = pending.onData !== undefined ? new StringDecoder('utf8') : undefined;
          if (pending.onData !== undefined) pending.resolve({ status: this.status, headers: this.headers, body: '' });
          const te = this.headers['transfer-encoding'];
          const cl = this.headers['content-length'];
          if (this.status === 204 || this.status === 304) {
            this.finish();
          } else if (te?.toLowerCase().includes('chunked')) {
            this.phase = 'chunk-size';
          } else if (cl !== undefined) {
            this.remaining = Number(cl);
            this.phase = 'length';
            if (this.remaining === 0) this.finish();
          } else {
            this.phase = 'close';
          }
          continue;
        }
        case 'length': {
          if (this.buffer.length === 0 || !this.consumeBody()) return;
          this.finish();
          continue;
        }
        case 'chunk-size': {
          const end = this.buffer.indexOf(CRLF);
          if (end === -1) return;
          const size = parseInt(this.buffer.toString('latin1', 0, end), 16);
          this.buffer = this.buffer.subarray(end + 2);
          if (!Number.isFinite(size)) {
            this.fail(new Error('bad chunk size'), this.socket);
            return;
          }
          if (size === 0) {
            this.phase = 'trailer';
          } else {
            this.remaining = size;
            this.phase = 'chunk-data';
          }
          continue;
        }
        case 'chunk-data': {
          if (this.buffer.length === 0 || !this.consumeBody()) return;
          this.phase = 'chunk-end';
          continue;
        }
        case 'chunk-end': {
          if (this.buffer.length < 2) return;
          this.buffer = this.buffer.subarray(2);
          this.phase = 'chunk-size';
          continue;
        }
        case 'trailer': {
          const end = this.buffer.indexOf(CRLF);
          if (end === -1) return;
          this.buffer = this.buffer.subarray(end + 2);
          if (end === 0) this.finish(); // The blank line after (no) trailers ends the message.
          continue;
        }
        case 'close': {
          if (this.buffer.length === 0) return;
          this.emit(this.buffer);
          this.buffer = Buffer.alloc(0);
          return;
        }
      }
    }
  }

  private emit(part: Buffer): void {
    const pending = this.pending;
    if (pending?.onData !== undefined && this.decoder !== undefined) {
      const text = this.decoder.write(part);
      if (text.length > 0) pending.onData(text);
    } else {
      // Copy: the slice points into a buffer that the next chunk may replace.
      this.bodyParts.push(Buffer.from(part));
    }
  }

  private finish(): void {
    const pending = this.pending;
    this.pending = undefined;
    this.phase = 'head';
    if (pending === undefined) return;
    if (pending.onData !== undefined) {
      pending.onEnd?.();
    } else {
      const body = this.bodyParts.length === 1 ? (this.bodyParts[0] ?? Buffer.alloc(0)) : Buffer.concat(this.bodyParts);
      this.bodyParts = [];
      pending.resolve({ status: this.status, headers: this.headers, body: body.toString('utf8') });
    }
    if (!this.keepAlive) this.socket?.destroy();
  }

  private onClose(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    if (this.phase === 'close' && this.pending !== undefined) {
      this.finish();
      return;
    }
    this.fail(new Error('connection closed by the server'), socket);
  }

  private fail(error: Error, socket: Socket | undefined): void {
    const pending = this.pending;
    this.pending = undefined;
    this.phase = 'head';
    this.buffer = Buffer.alloc(0);
    if (socket !== undefined && !socket.destroyed) socket.destroy();
    if (socket === this.socket) this.socket = undefined;
    if (pending === undefined) return;
    if (pending.onData !== undefined && pending.started) {
      pending.onEnd?.();
      return;
    }
    pending.reject(pending.started ? error : new RetryableError(error));
  }

  /** Closes the socket; a request in flight fails. */
  close(): void {
    this.closed = true;
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    if (this.pending !== undefined) {
      const pending = this.pending;
      this.pending = undefined;
      if (pending.onData !== undefined) pending.onEnd?.();
      else pending.reject(new Error('connection closed by the client'));
    }
  }
}

/** A failure before any byte of the answer arrived: the request may be sent again on a new connection. */
class RetryableError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}
