/**
 * Which JavaScript runtime this is. Deno, Bun and Cloudflare Workers all present a Node-like `process` (their Node
 * compatibility), so they are told apart by their own globals (`Deno`, `Bun`) or Workers' user agent. Where the code
 * differs by runtime (the backend client's transport, how the sandbox runs Prism), it asks here.
 */

/** Whether this is Node.js itself. */
export function onNode(): boolean {
  const g = globalThis as { Deno?: unknown; Bun?: unknown; process?: { release?: { name?: string } } };
  return g.process?.release?.name === 'node' && g.Deno === undefined && g.Bun === undefined && !onWorkers();
}

/** Whether this is Cloudflare Workers (workerd): no child processes, no listening sockets of its own. */
export function onWorkers(): boolean {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';
}
