/**
 * The shape of the backend client ({@link BackendHttp}) and its requests and responses, apart from the client
 * itself so that adapters over it (backend-fetch.ts) and the client do not import each other.
 */
/** A backend HTTP response, with its body parsed when it is JSON. */
export interface BackendResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Raw text when the body was not parsed as JSON. */
  text?: string;
  /** The JSON text exactly as received, when the body was parsed as JSON (saves serializing it again). */
  json?: string;
}

/**
 * A call's cancellation, lighter than an `AbortSignal` (src/protocol/call-abort.ts): one flag and the listeners of
 * whoever is waiting on it, no event-target machinery; the web signal is made only when something asks for it.
 */
export interface Cancellation {
  readonly aborted: boolean;
  /** Runs `listener` once when the call is cancelled; returns the function that removes it. */
  onAbort(listener: () => void): () => void;
  /** The same cancellation as an `AbortSignal`, made on first read. */
  readonly signal: AbortSignal;
}

/** One request to the backend. */
export interface BackendRequest {
  /** HTTP method, any case. */
  method: string;
  /** Already-filled path starting with `/`, appended to the base URL's path. */
  path: string;
  /** Already-serialized query string, without `?`. */
  query?: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Whether the request may be sent again after it possibly reached the backend. */
  idempotent: boolean;
  /** Sent upstream as `x-request-id`. */
  requestId: string;
  signal?: AbortSignal;
  /** The call's cancellation in its lighter form; used instead of `signal` when given. */
  cancel?: Cancellation;
  /** Keep the body as bytes (`raw`) instead of parsing it; used by the fetch adapter. */
  raw?: boolean;
}

/** A backend response plus how many attempts it took. */
export interface BackendHttpResponse extends BackendResponse {
  attempts: number;
  /** The body bytes, only when the request asked for `raw`. */
  raw?: Buffer;
}

/** The pooled backend client. */
export interface BackendHttp {
  /** The base URL requests are resolved against. */
  readonly baseUrl: string;
  /** Sends one request, retrying as allowed; rejects with {@link BackendHttpError} on transport failures. */
  send(req: BackendRequest): Promise<BackendHttpResponse>;
  /** Closes the pool's connections. */
  close(): Promise<void>;
}
