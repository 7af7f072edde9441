/**
 * Reading what the intake answered: a short human text on failure. It takes the prefix the body reader kept
 * (src/api/body.ts) and runs in time linear in its length, whatever it holds.
 */
import { readJson } from './body.js';
import { plainText } from './plain-text.js';

/** How long the API's own words may be in a message: a proxy's HTML page must not flood a CI log. */
export const MAX_ERROR_TEXT = 500;

/**
 * The API's own words: `{"errors":["…"]}` or `{"errors":[{"title":…,"detail":…}]}`, else the raw body (a gateway's
 * HTML page as its text). Single-spaced, cut short, and without control characters (src/api/plain-text.ts).
 */
export function errorText(body: string): string {
  const reading = readJson(body);
  let text: string;
  if (reading.ok) {
    const errors = (reading.value as { errors?: unknown } | null)?.errors;
    text = Array.isArray(errors) && errors.length > 0 ? describeErrors(errors) : body;
  } else {
    text = /^\s*<(!doctype|html|head|body|\?xml)/i.test(body) ? withoutMarkup(body, MAX_ERROR_TEXT * 4) : body;
  }
  return plainText(text, MAX_ERROR_TEXT);
}

/** Joins what the entries say until there is more than a message can show. */
function describeErrors(errors: unknown[]): string {
  const parts: string[] = [];
  let length = 0;
  for (const entry of errors) {
    const part = describeError(entry);
    if (!part) continue;
    parts.push(part);
    length += part.length + 2;
    if (length > MAX_ERROR_TEXT * 2) break;
  }
  return parts.join('; ');
}

function describeError(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object') {
    const { title, detail } = entry as { title?: unknown; detail?: unknown };
    const parts = [title, detail].filter((part): part is string => typeof part === 'string' && part.length > 0);
    if (parts.length > 0) return parts.join(': ');
  }
  // Safe to print: readJson refused anything deep enough to overflow the stack.
  return JSON.stringify(entry) ?? '';
}

const ENTITIES: Record<string, string> = { '&nbsp;': ' ', '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"' };

/**
 * The visible text of an HTML page, up to `enough` characters, in one pass: every search starts where the last one
 * ended, and a tag or script that never closes ends the text (a pattern with backtracking took quadratic time on
 * 1 MB of unclosed `<script>`).
 */
function withoutMarkup(html: string, enough: number): string {
  let out = '';
  let at = 0;
  while (at < html.length && out.length < enough) {
    const open = html.indexOf('<', at);
    out += html.slice(at, Math.min(open === -1 ? html.length : open, at + enough - out.length));
    if (open === -1) break;
    out += ' ';
    const skipped = /^<(script|style)\b/i.exec(html.slice(open, open + 8))?.[1]?.toLowerCase();
    let from = open;
    if (skipped) {
      // A literal pattern from a set position: one scan forward, no backtracking.
      const closing = skipped === 'script' ? /<\/script/gi : /<\/style/gi;
      closing.lastIndex = open;
      if (!closing.exec(html)) break;
      from = closing.lastIndex;
    }
    const end = html.indexOf('>', from);
    if (end === -1) break;
    at = end + 1;
  }
  return out.replace(/&(nbsp|lt|gt|amp|quot);/g, (entity) => ENTITIES[entity] ?? entity);
}
