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

/** A commit as git names it: 40 hex characters (SHA-1) or 64 (SHA-256), nothing in between. */
export const COMMIT_SHA_PATTERN = /^(?:[a-fA-F0-9]{40}|[a-fA-F0-9]{64})$/;

/** Datadog's limit for a repository URL, whatever the source. */
export const MAX_REPOSITORY_URL_LENGTH = 2048;

/** Schemes git uses for remotes Datadog can link to. */
const REMOTE_URL = /^(?:https?|ssh|git|git\+ssh|ssh\+git):\/\/[^/?#\s]+(?:[/?#]\S*)?$/i;
/** scp style `user@host:path` (git's own short form for ssh). */
const SCP_URL = /^[^@\s/:]+@[^@\s/:]+:\S+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why `raw` cannot be sent as a repository URL, or undefined when it can. The caller adds where the value came from
 * and decides whether that is a refusal (given by the user) or a warning (found in the checkout or a CI variable).
 */
export function repositoryUrlProblem(raw: string): string | undefined {
  const url = raw.trim();
  if (url === '') return 'is empty';
  if (CONTROL.test(url)) return 'holds control characters (a newline or a terminal escape)';
  if (url.length > MAX_REPOSITORY_URL_LENGTH) return `is longer than ${MAX_REPOSITORY_URL_LENGTH} characters`;
  if (isLocalPath(url)) return 'is a folder on this machine, not a repository URL Datadog can link to';
  if (!REMOTE_URL.test(url) && !SCP_URL.test(url)) {
    return 'is not a repository URL (such as https://github.com/org/repo or git@github.com:org/repo.git)';
  }
  return undefined;
}

/**
 * The repository a URL names, for comparing two spellings: host (lowercase, no user info, no port) and path,
 * without scheme, `.git` or trailing slashes. `git@github.com:org/x.git` and `https://github.com/org/x` give the same key.
 */
export function repositoryKey(raw: string): string {
  const url = sanitizeRepositoryUrl(raw);
  const scheme = SCHEME.exec(url);
  let host: string;
  let path: string;
  if (scheme) {
    const rest = url.slice(scheme[0].length);
    const slash = rest.indexOf('/');
    host = slash === -1 ? rest : rest.slice(0, slash);
    path = slash === -1 ? '' : rest.slice(slash);
  } else {
    const at = url.indexOf('@');
    const colon = url.indexOf(':', at + 1);
    host = url.slice(at + 1, colon === -1 ? undefined : colon);
    path = colon === -1 ? '' : url.slice(colon + 1);
  }
  // Ports differ between the ssh and https spellings of one repository, so they are not part of its name.
  host = host.replace(/:\d*$/, '').toLowerCase();
  path = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '');
  return `${host}/${path}`;
}

function firstIndexOf(text: string, needles: readonly string[]): number {
  let best = text.length;
  for (const needle of needles) {
    const at = text.indexOf(needle);
    if (at !== -1 && at < best) best = at;
  }
  return best;
}
