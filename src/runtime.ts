/**
 * Which JavaScript runtime this is. Deno, Bun and Cloudflare Workers all present a Node-like `process` (their Node
 * compatibility), so they are told apart by their own globals (`Deno`, `Bun`) or Workers' user agent. Where the code
 * differs by runtime (the backend client's transport, how the sandbox runs Prism), it asks here.
 */

/** Whether this is Node.js itself. */
export function onNode(): boolean {
  const g = globalThis as {
    Deno?: unknown;
    Bun?: unknown;
    navigator?: { userAgent?: string };
    process?: { release?: { name?: string } };
  };
  return (
    g.process?.release?.name === 'node' &&
    g.Deno === undefined &&
    g.Bun === undefined &&
    g.navigator?.userAgent !== 'Cloudflare-Workers'
  );
}
