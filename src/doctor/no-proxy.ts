/**
 * Whether NO_PROXY exempts a URL, read the way undici's EnvHttpProxyAgent (the proxy transport) reads it, so doctor
 * reports what a send will really do: entries split on commas and spaces; `*` exempts everything; `host:port` only
 * that port; an entry matches its host and every subdomain; a leading `.` or `*.` is dropped.
 */
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

export function noProxyExempts(noProxy: string | undefined, url: string): string | undefined {
  if (noProxy === undefined) return undefined;
  const value = noProxy.trim();
  if (value === '*') return '*';
  const target = new URL(url);
  const hostname = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0;
  for (const raw of value.split(/[,\s]/)) {
    if (!raw) continue;
    const parsed = /^(.+):(\d+)$/.exec(raw);
    const host = (parsed ? (parsed[1] as string) : raw).replace(/^\*?\./, '').toLowerCase();
    const entryPort = parsed ? Number.parseInt(parsed[2] as string, 10) : 0;
    if (entryPort && entryPort !== port) continue;
    if (hostname === host || hostname.endsWith(`.${host}`)) return raw;
  }
  return undefined;
}
