/**
 * The one URL module: every URL dora reads (repository URLs from flags, variables, CI providers and the checkout;
 * proxy variables; the API base URL) is cut here, as text, before any URL parser sees it.
 *
 * User info is everything between `scheme://` and the LAST `@` before the host. Passwords hold `#`, `?`, `/`, `@`,
 * `:` and spaces, which a URL parser reads as the start of a fragment, a query or a path, and then hands back part of
 * the password as a host or a path. Cutting at the last `@` instead never leaves a piece of user info behind; an `@`
 * in a path (rare in the URLs dora reads) then shortens the URL, which is refused or shown shorter, never leaked.
 */
import { UsageError } from './errors.js';
import { echoValue, MIN_SECRET_LENGTH, mayBeCredential } from './output/credential.js';

type Vars = Readonly<Record<string, string | undefined>>;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/** A URL cut at its user info. */
export interface UrlParts {
  /** `https://`; empty for the scp form (`user@host:path`), a bare `host:port` and text that is no URL. */
  scheme: string;
  /** Everything between the scheme and the last `@` before the host; undefined when there is none. */
  userInfo?: string;
  /** What follows the user info: host, port, path, query and fragment (for the scp form, `host:path`). */
  rest: string;
}

/** Cuts a URL (trimmed) at the last `@` before its host; text without user info comes back whole in `rest`. */
export function splitUrl(raw: string): UrlParts {
  const text = raw.trim();
  const scheme = SCHEME.exec(text)?.[0] ?? '';
  const after = text.slice(scheme.length);
  const at = scheme ? after.lastIndexOf('@') : scpUserInfoEnd(after);
  return at < 0 ? { scheme, rest: after } : { scheme, userInfo: after.slice(0, at), rest: after.slice(at + 1) };
}

/**
 * Where user info ends in text without a scheme: the scp form `user[:password]@host:path` (git reads text as scp-like
 * when a `:` comes before any `/`) and a bare `user:password@host:port`; a path (`/srv/a@b`, `C:\a@b`) has none. It
 * is the last `@` here too: an earlier one followed by something host-like may sit inside the password.
 */
function scpUserInfoEnd(text: string): number {
  // The user name runs to the first `:` or `@`; a `/`, `\` or space before it makes the text a path or a sentence.
  const first = text.search(/[:/\\@\s]/);
  if (first < 0 || (text[first] !== ':' && text[first] !== '@') || WINDOWS_DRIVE.test(text)) return -1;
  return text.lastIndexOf('@');
}

/**
 * The host (with its port, well formed or not: RFC 3986's reg-name characters) that starts what follows the user
 * info, or undefined when there is none. It answers "is there a host at all"; judging the host is the caller's job.
 */
export function hostOf(parts: UrlParts): string | undefined {
  const host = parts.scheme
    ? /^(?:\[[0-9A-Fa-f:.]+\]|[\p{L}\p{N}._~%!$&'()*+,;=-]+)(?::[^/?#]*)?(?=[/?#]|$)/u.exec(parts.rest)
    : /^[^@:/\\\s]+(?=:)/.exec(parts.rest);
  return host?.[0];
}

/** The user info of a URL, split into the user and the password (the text after its first `:`). */
export function userInfoOf(raw: string): UserInfo | undefined {
  const { userInfo } = splitUrl(raw);
  return userInfo === undefined ? undefined : splitUserInfo(userInfo);
}

export interface UserInfo {
  userInfo: string;
  user: string;
  password?: string;
}

function splitUserInfo(userInfo: string): UserInfo {
  const colon = userInfo.indexOf(':');
  return colon < 0
    ? { userInfo, user: userInfo }
    : { userInfo, user: userInfo.slice(0, colon), password: userInfo.slice(colon + 1) };
}

/**
 * True when the URL holds user info that `displayUrl` removes: any in a `scheme://` URL, a password in the scp form
 * (its user name, `git@`, stays).
 */
export function hasUserInfo(raw: string): boolean {
  const { scheme, userInfo } = splitUrl(raw);
  return userInfo !== undefined && (scheme !== '' || userInfo.includes(':'));
}

/**
 * The URL as dora sends and shows it: without user info, query or fragment, otherwise exactly as given (no parser
 * round trip: hosts keep their case and paths their encoding, so the repository stays what the user's tooling calls
 * it). The scp form keeps its user name and loses its password: `bot:TOKEN@host:org/repo` → `bot@host:org/repo`.
 */
export function displayUrl(raw: string): string {
  const parts = splitUrl(raw);
  if (parts.scheme) return `${parts.scheme}${parts.rest.replace(/[?#][\s\S]*$/, '')}`;
  if (parts.userInfo === undefined) return parts.rest;
  const user = parts.userInfo.split(':')[0];
  return user ? `${user}@${parts.rest}` : parts.rest;
}

/**
 * The secrets one URL holds, for the redactor: its user info with the `@` (as typed, and percent-encoded as the proxy
 * agent gets it), and the password alone. A bare user name (`git@`, `bot@`) is no secret, and masking it would mangle
 * the scp form; a long one without a password usually is a token (`https://ghp_…@github.com/…`), masked with its `@`.
 */
export function urlSecrets(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const { scheme } = splitUrl(raw);
  const info = userInfoOf(raw);
  if (!info) return [];
  if (info.password === undefined && (!scheme || info.user.length < MIN_SECRET_LENGTH)) return [];
  const found = [`${info.userInfo}@`, encodedUserInfo(info)];
  if (info.password !== undefined) found.push(info.password);
  return [...new Set(found)].filter((secret) => secret !== '' && secret !== '@');
}

/** `user:password@` percent-encoded, so that any password survives a URL parser (the proxy agent's). */
function encodedUserInfo(info: { user: string; password?: string }): string {
  const encode = (part: string) => encodeURIComponent(safeDecode(part));
  return `${encode(info.user)}${info.password === undefined ? '' : `:${encode(info.password)}`}@`;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // not valid percent-encoding: a literal `%`
  }
}

/**
 * `scheme://user:password@` in free text, for URLs no configuration named (a URL inside an answer or an error). The
 * user name stops at `:`, `/`, `?`, `#`, `@`; the password runs to the last `@` before a host within one word (no
 * whitespace or quotes, so a JSON result keeps its strings apart). A password with a space is caught only as a known
 * secret, which every URL dora reads is.
 */
// The lookbehind starts a scheme only where a run of scheme characters starts: without it, a long word with no `://`
// would be scanned again from each of its characters (quadratic: a 1 MB value took minutes).
const USER_INFO_IN_TEXT =
  /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s/?#@:"'<>`]*(?::[^\s"'<>`]*)?@(?=[\p{L}\p{N}[])/gu;

export function removeUserInfoInText(text: string): string {
  return text.replace(USER_INFO_IN_TEXT, '$1');
}

// Proxies.

export interface ProxyUrl {
  /** What the proxy agent gets: user info percent-encoded, so any password travels intact. */
  url: string;
  /** For messages: user info removed. */
  display: string;
  hasCredentials: boolean;
}

/** The example names no credentials: text shaped like `scheme://user:password@host` is masked wherever dora prints it. */
const NOT_A_PROXY_URL =
  'is not a proxy URL such as http://proxy.example:3128 (credentials, when it needs them, go before the host as ' +
  'user:password@).';

/**
 * `http://host:port`, `https://…` and, like curl, a bare `host:port` (taken as http). User info is cut at the last
 * `@` and percent-encoded again, so a password holding a space, `#`, `/` or `@` works as typed. A bare value needs
 * its port: without one, a key pasted into HTTPS_PROXY would be taken for a host name and named by every DNS error.
 * Returns why the value is unusable otherwise (the caller names the variable; nothing here echoes the value).
 */
export function parseProxyUrl(raw: string): ProxyUrl | string {
  const text = raw.trim();
  const given = SCHEME.exec(text)?.[0];
  const scheme = (given ?? 'http://').slice(0, -3).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return 'must be an http:// or https:// proxy URL.';
  const parts = splitUrl(given ? text : `http://${text}`);
  if (parts.userInfo !== undefined && hostOf(parts) === undefined) {
    return 'holds user info (user:password@) but no proxy host.';
  }
  const host = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?\/?$/.exec(parts.rest);
  if (!host) return NOT_A_PROXY_URL;
  if (!given && host[2] === undefined) return 'has neither a scheme nor a port: give it as http://proxy.example:3128.';
  const info = parts.userInfo === undefined ? undefined : splitUserInfo(parts.userInfo);
  let url: URL;
  try {
    url = new URL(`${scheme}://${info ? encodedUserInfo(info) : ''}${host[1]}${host[2] ?? ''}`);
  } catch {
    return NOT_A_PROXY_URL;
  }
  if (!url.hostname) return NOT_A_PROXY_URL;
  if (!url.port && keyAsHost(url.hostname)) {
    return 'names a host (not shown: it may be a credential) that is no host name: give it as http://proxy.example:3128.';
  }
  return { url: url.href.replace(/\/$/, ''), display: `${scheme}://${url.host}`, hasCredentials: info !== undefined };
}

/**
 * A long single-label host (no dot; the callers add: no port) that may be a credential: a key pasted after `http://`
 * (`https://$DD_API_KEY`) would otherwise be looked up, and named by every DNS error. Real single-label hosts are
 * short (`proxy`, `squid01`, `localhost`), and usually given with a port.
 */
function keyAsHost(hostname: string): boolean {
  return hostname.length >= 16 && !/[.[]/.test(hostname) && mayBeCredential(hostname);
}

// The API base URL.

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * The API base URL given by `--api-url` / `DORA_API_URL`, checked: https (http only to this machine), no user info
 * (the key travels as a header), no query or fragment, not already holding dora's `/api/…` paths. Returned without a
 * trailing slash. `label` names where it came from in the refusals, which never echo user info.
 */
export function parseApiUrl(raw: string, label = '--api-url / DORA_API_URL'): string {
  const text = raw.trim();
  const parts = splitUrl(text);
  if (parts.userInfo !== undefined) {
    const noHost = hostOf(parts) === undefined ? ', and names no host' : '';
    throw new UsageError(
      `${label} must not carry user info (user:password@)${noHost}; the API key is sent as a header.`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${label}: ${echoValue(text)} is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${label} must start with https:// (or http:// for a local gateway).`);
  }
  if (!url.port && keyAsHost(url.hostname)) {
    throw new UsageError(
      `${label}: its host (not shown: it may be a credential) is no host name such as gw.example.com.`,
    );
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    throw new UsageError(
      `${label}: plain http:// is accepted only for this machine (localhost, 127.x, [::1]); ` +
        'elsewhere the API key would cross the network in clear text. Use https://.',
    );
  }
  // A bare trailing '?' or '#' leaves url.search and url.hash empty, so look at the text itself.
  if (url.search || url.hash || /[?#]/.test(text)) {
    throw new UsageError(`${label} must not carry a query or a fragment.`);
  }
  // dora adds /api/v2/dora/… itself: a URL that already has it would be doubled.
  const api = /\/api(\/|$)/.exec(url.pathname);
  if (api) {
    const base = `${url.origin}${url.pathname.slice(0, api.index)}`;
    throw new UsageError(
      `${label} must be the base URL, without ${url.pathname.slice(api.index).replace(/\/$/, '')}: dora adds ` +
        `the API's paths itself. Give ${base} instead.`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

// Repository URLs.

/** Datadog's limit for a repository URL, whatever the source. */
export const MAX_REPOSITORY_URL_LENGTH = 2048;

/** Schemes git uses for remotes Datadog can link to. */
const REMOTE_URL = /^(?:https?|ssh|git|git\+ssh|ssh\+git):\/\/[^/?#\s]+(?:[/?#]\S*)?$/i;
/** scp style `user@host:path` (git's own short form for ssh). */
const SCP_URL = /^[^@\s/:]+@[^@\s/:]+:\S+$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * True for a remote that is a folder on this machine (`/srv/git/shop.git`, `../shop`, `file:///…`, `C:\\repos\\shop`):
 * git clones from those, but Datadog cannot link a commit to them. Anything with a scheme or an scp-style
 * `host:` is a URL.
 */
export function isLocalPath(raw: string): boolean {
  const url = raw.trim();
  if (/^file:\/\//i.test(url) || WINDOWS_DRIVE.test(url)) return true;
  return !SCHEME.test(url) && !/^[^/\\]*:/.test(url);
}

/**
 * Why `raw` cannot be sent as a repository URL, or undefined when it can. Judged on what would be sent (user info,
 * query and fragment removed), so `bot:TOKEN@host:org/repo` is accepted as `bot@host:org/repo`. The caller names
 * where the value came from, and decides whether that is a refusal (given by the user) or a warning (found).
 */
export function repositoryUrlProblem(raw: string): string | undefined {
  const parts = splitUrl(raw);
  if (parts.userInfo !== undefined && hostOf(parts) === undefined)
    return 'holds user info (user:password@) but no host';
  const url = displayUrl(raw);
  if (url === '') return 'is empty';
  if (CONTROL.test(url)) return 'holds control characters (a newline or a terminal escape)';
  if (url.length > MAX_REPOSITORY_URL_LENGTH) return `is longer than ${MAX_REPOSITORY_URL_LENGTH} characters`;
  if (isLocalPath(url)) return 'is a folder on this machine, not a repository URL Datadog can link to';
  if (!REMOTE_URL.test(url) && !SCP_URL.test(url)) {
    return 'is not a repository URL (such as https://github.com/org/repo or git@github.com:org/repo.git)';
  }
  return undefined;
}

/** Hosts whose owner and repository names are case-insensitive (`github.com/Org/Repo` is `github.com/org/repo`). */
const CASE_INSENSITIVE_HOSTS = ['github.com', 'gitlab.com', 'bitbucket.org'];

/**
 * The hosts where owner and repository names compare case-insensitively: GitHub, GitLab and Bitbucket's own, and the
 * GitHub or GitLab server the CI provider names (GitHub Enterprise: GITHUB_SERVER_URL; self-managed GitLab:
 * CI_SERVER_URL, CI_SERVER_HOST), which treat names the same way.
 */
export function caseInsensitiveHosts(vars: Vars): string[] {
  const named = [vars.GITHUB_SERVER_URL, vars.CI_SERVER_URL, vars.CI_SERVER_HOST]
    .filter((value): value is string => value !== undefined && value.trim() !== '')
    .map((value) => (SCHEME.test(value.trim()) ? value : `https://${value}`))
    .map((value) =>
      hostOf(splitUrl(displayUrl(value)))
        ?.replace(/:\d*$/, '')
        .toLowerCase(),
    )
    .filter((host): host is string => host !== undefined && host !== '');
  return [...new Set([...CASE_INSENSITIVE_HOSTS, ...named])];
}

/**
 * The repository a URL names, for comparing two spellings: host (lowercase, no user info, no port) and path, without
 * scheme, `.git` or trailing slashes; on `ignoreCase` hosts the path is lowercased too.
 * `git@github.com:Org/X.git` and `https://github.com/org/x` give the same key.
 */
export function repositoryKey(raw: string, ignoreCase: readonly string[] = CASE_INSENSITIVE_HOSTS): string {
  const parts = splitUrl(displayUrl(raw));
  let host: string;
  let path: string;
  if (parts.scheme) {
    const slash = parts.rest.indexOf('/');
    host = slash === -1 ? parts.rest : parts.rest.slice(0, slash);
    path = slash === -1 ? '' : parts.rest.slice(slash);
  } else {
    const colon = parts.rest.indexOf(':');
    host = colon === -1 ? parts.rest : parts.rest.slice(0, colon);
    path = colon === -1 ? '' : parts.rest.slice(colon + 1);
  }
  // Ports differ between the ssh and https spellings of one repository, so they are not part of its name.
  host = host.replace(/:\d*$/, '').toLowerCase();
  path = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '');
  return `${host}/${ignoreCase.includes(host) ? path.toLowerCase() : path}`;
}
