/**
 * The one HTML template and the one escape of every page finmcp serves: the one-time pages of URL-mode
 * elicitation and the sandbox authorization server's sign-in, consent and error pages. Plain, accessible pages
 * without script or external asset, so that a strict CSP (`default-src 'none'`) serves them as they are.
 */

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The inverse of {@link escapeHtml} (and of the named entities of other servers), for scripts reading a page. */
export function unescapeHtml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A complete page: `title` (escaped here) as its title and heading, then `body` (HTML, escaped by the caller). */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.4}label{display:block;margin:.75rem 0 .25rem}input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}button{display:block;margin:1rem 0;padding:.5rem 1rem;font:inherit}pre{white-space:pre-wrap;word-break:break-word;background:#f4f4f4;padding:.5rem}.error{color:#a00000}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}
