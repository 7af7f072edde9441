/**
 * Repository URLs come from flags, CI variables and `git remote`, and often carry a token
 * (`https://x-access-token:TOKEN@github.com/…`). Everything we send or print goes through here first.
 *
 * The rewrite is textual on purpose: a WHATWG `URL` round trip would re-encode paths, lowercase hosts and drop default
 * ports, and we want the repository URL to stay exactly what the user's tooling knows it as, minus the secret.
 */

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** scp-style `user:password@host:path`: the user stays (it is usually `git`), a password never does. */
const SCP_WITH_PASSWORD = /^([^@/:\s]+):[^/\s]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+:)/;

/**
 * Strips user info, query and fragment from `scheme://` URLs, and a password from the scp style; leaves the usual
 * scp style (`git@host:org/repo`) and paths alone.
 */
export function sanitizeRepositoryUrl(raw: string): string {
  const url = raw.trim();
  const scheme = SCHEME.exec(url);
  if (!scheme) return url.replace(SCP_WITH_PASSWORD, '$1@$2');
  const afterScheme = url.slice(scheme[0].length);
  // The authority ends at the first '/', '?' or '#'; user info is everything up to its last '@'.
  const authorityEnd = firstIndexOf(afterScheme, ['/', '?', '#']);
  const authority = afterScheme.slice(0, authorityEnd);
  const rest = afterScheme.slice(authorityEnd);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  const path = rest.slice(0, firstIndexOf(rest, ['?', '#']));
  return `${scheme[0]}${host}${path}`;
}

/** True when the text holds user info that sanitizing removes (from a `scheme://` URL, or an scp-style password). */
export function hasUserInfo(raw: string): boolean {
  const url = raw.trim();
  const scheme = SCHEME.exec(url);
  if (!scheme) return SCP_WITH_PASSWORD.test(url);
  const afterScheme = url.slice(scheme[0].length);
  return afterScheme.slice(0, firstIndexOf(afterScheme, ['/', '?', '#'])).includes('@');
}

/**
 * True for a remote that is a folder on this machine (`/srv/git/shop.git`, `../shop`, `file:///…`, `C:\\repos\\shop`):
 * git clones from those, but Datadog cannot link a commit to them. Anything with a scheme or an scp-style
 * `host:` is a URL.
 */
export function isLocalPath(raw: string): boolean {
  const url = raw.trim();
  if (/^file:\/\//i.test(url) || /^[A-Za-z]:[\\/]/.test(url)) return true;
  return !SCHEME.test(url) && !/^[^/\\]*:/.test(url);
}

function firstIndexOf(text: string, needles: readonly string[]): number {
  let best = text.length;
  for (const needle of needles) {
    const at = text.indexOf(needle);
    if (at !== -1 && at < best) best = at;
  }
  return best;
}
