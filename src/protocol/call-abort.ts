/**
 * The cancellation of one running tool call (`notifications/cancelled`, the HTTP client going away, shutdown),
 * made for every call but cheap: a flag and the few listeners waiting on it (the backend request in flight). The
 * web `AbortSignal` that hand-written tools and elicitation may read is made only when something reads it, so a
 * call that is never cancelled and never asks for one allocates no `AbortController` and no event listeners.
 */
import type { Cancellation } from '../core/call-context.js';

/** One call's cancellation; `abort()` cancels it (once). */
export class CallAbort implements Cancellation {
  #aborted = false;
  #controller: AbortController | undefined;
  #listeners: Array<() => void> | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Cancels the call: the listeners run once, and the signal (if made) aborts. */
  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    for (const listener of listeners ?? []) listener();
    this.#controller?.abort();
  }

  onAbort(listener: () => void): () => void {
    if (this.#aborted) {
      listener();
      return noop;
    }
    (this.#listeners ??= []).push(listener);
    return () => {
      const listeners = this.#listeners;
      const at = listeners?.indexOf(listener) ?? -1;
      if (at !== -1) listeners?.splice(at, 1);
    };
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }
}

function noop(): void {}
