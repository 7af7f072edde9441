/** Reading what the intake answered: the event id on success, a short human text on failure. */

const MAX_ERROR_TEXT = 500;

/**
 * The API's own words: `{"errors":["…"]}` or `{"errors":[{"title":…,"detail":…}]}`, else the raw body.
 * Trimmed, single-spaced and cut short so a proxy's HTML error page cannot flood a CI log, and stripped of control
 * characters so a broken or hostile server cannot write terminal escape sequences into it.
 */
export function errorText(body: string): string {
  let text = body;
  try {
    const parsed: unknown = JSON.parse(body);
    const errors = (parsed as { errors?: unknown } | null)?.errors;
    if (Array.isArray(errors) && errors.length > 0) {
      text = errors.map(describeError).filter(Boolean).join('; ');
    }
  } catch {
    // Not JSON. A gateway's HTML page says what it means in its text, not in its markup.
    if (/^\s*<(!doctype|html|head|body|\?xml)/i.test(body)) text = withoutMarkup(body);
  }
  text = text
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_ERROR_TEXT ? `${cutAt(text, MAX_ERROR_TEXT)}…` : text;
}

function describeError(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object') {
    const { title, detail } = entry as { title?: unknown; detail?: unknown };
    const parts = [title, detail].filter((part): part is string => typeof part === 'string' && part.length > 0);
    if (parts.length > 0) return parts.join(': ');
  }
  return JSON.stringify(entry);
}

function withoutMarkup(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Cuts at `max` UTF-16 units without splitting a surrogate pair (which would print as a replacement character). */
function cutAt(text: string, max: number): string {
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
