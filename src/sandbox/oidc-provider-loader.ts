/**
 * Loads oidc-provider (the sandbox authorization server) on first use, without the one warning it prints at import
 * on every Node.js release line older than 22 ("Unsupported runtime. Use Node.js v22.x LTS…"): the warning is a
 * support policy, not a failure — our tests run the sandbox on Node 20.19+, which the README promises. The check
 * lives in the package's lib/index.js and reads no environment variable or flag, so that exact line is filtered
 * from `console.warn` while the module is imported; every other warning passes through unchanged.
 */
type OidcProviderModule = typeof import('oidc-provider');

/** The warning left out (after an optional ANSI colour code, which oidc-provider adds on a TTY). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the ANSI colour code this matches.
const UNSUPPORTED_RUNTIME = /^(?:\x1b\[[\d;]*m)?oidc-provider WARNING: Unsupported runtime\./;

let loading: Promise<OidcProviderModule> | undefined;

/** The oidc-provider module, imported once. */
export function loadOidcProvider(): Promise<OidcProviderModule> {
  loading ??= importQuietly();
  return loading;
}

async function importQuietly(): Promise<OidcProviderModule> {
  const warn = console.warn;
  console.warn = (...args: unknown[]): void => {
    if (args.length === 1 && typeof args[0] === 'string' && UNSUPPORTED_RUNTIME.test(args[0])) return;
    warn.apply(console, args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
  }
}
