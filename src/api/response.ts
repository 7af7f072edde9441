/** Reading what the intake answered: the event id on success, a short human text on failure. */

const MAX_ERROR_TEXT = 500;

/** `{"data":{"id":"…"}}` → the id; anything else → undefined (a 202 with an odd body is still a success). */
export function responseId(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const id = (parsed as { data?: { id?: unknown } } | null)?.data?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The API's own words: `{"errors":["…"]}` or `{"errors":[{"title":…,"detail":…}]}`, else the raw body.
 * Trimmed, single-spaced and cut short so a proxy's HTML error page cannot flood a CI log.
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
    // not JSON: keep the raw text
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
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
