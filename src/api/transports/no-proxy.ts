/**
 * Which proxy a request goes through, NO_PROXY applied: the one reading both the transport and `dora doctor` use, so
 * doctor reports what a send really does.
 *
 * NO_PROXY entries are split on commas and spaces, compared without regard to case, and may be:
 * - `*`: no proxy for any host;
 * - a host name, which also covers its subdomains; a leading `.` or `*.` is dropped (`.example.com` = `example.com`);
 *   an IP address has no subdomains, so `.0.0.1` matches no address;
 * - an IPv4 or IPv6 address, bare (`::1`) or bracketed (`[::1]`), matching that address only;
 * - any of these with `:port` (an IPv6 address then in brackets: `[::1]:8443`), matching that port only;
 * - an address range in CIDR notation (`10.0.0.0/8`, `fd00::/8`), matching addresses given as such in the URL.
 */
import type { BlockList } from 'node:net';
import type { ProxySettings, ProxyUrl } from '../../config.js';

// node:net on demand: `dora doctor` imports this module on a path that must not load more than it uses.
const isIP = (text: string) => process.getBuiltinModule('node:net').isIP(text);

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * The proxy for `url`, or undefined for a direct connection. HTTPS goes through HTTPS_PROXY, else HTTP_PROXY (behind
 * a corporate proxy a lone HTTP_PROXY usually means every request); plain HTTP through HTTP_PROXY.
 */
export function proxyFor(url: string | URL, settings: ProxySettings): ProxyUrl | undefined {
  const target = typeof url === 'string' ? new URL(url) : url;
  const proxy = target.protocol === 'https:' ? (settings.httpsProxy ?? settings.httpProxy) : settings.httpProxy;
  if (proxy === undefined) return undefined;
  return noProxyExempts(settings.noProxy, target.href) === undefined ? proxy : undefined;
}

/** The NO_PROXY entry that exempts `url` from the proxy, as written, or undefined when none does. */
export function noProxyExempts(noProxy: string | undefined, url: string): string | undefined {
  if (noProxy === undefined) return undefined;
  const target = new URL(url);
  const host = bare(target.hostname);
  const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0;
  for (const raw of noProxy.split(/[\s,]+/)) {
    if (!raw) continue;
    if (raw === '*') return raw;
    const entry = parseEntry(raw);
    if (entry === undefined || (entry.port !== undefined && entry.port !== port)) continue;
    if (entry.kind === 'range' ? inRange(entry.list, host) : matches(entry, host)) return raw;
  }
  return undefined;
}

type Entry =
  | { kind: 'address'; host: string; port?: number }
  | { kind: 'name'; host: string; port?: number }
  | { kind: 'range'; list: BlockList; port?: undefined };

function parseEntry(raw: string): Entry | undefined {
  const text = raw.toLowerCase();
  const slash = text.indexOf('/');
  if (slash !== -1) {
    const address = bare(text.slice(0, slash));
    const prefix = Number(text.slice(slash + 1));
    const family = isIP(address);
    if (family === 0 || !Number.isInteger(prefix)) return undefined;
    const list = new (process.getBuiltinModule('node:net').BlockList)();
    try {
      list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    } catch {
      return undefined; // a prefix out of range
    }
    return { kind: 'range', list };
  }
  // `[v6]` or `[v6]:port`
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return withPort({ kind: 'address', host: canonical(bracketed[1] as string) }, bracketed[2]);
  // A bare IPv6 address has colons of its own, so it never carries a port.
  if (isIP(text) === 6) return { kind: 'address', host: canonical(text) };
  const hostPort = /^(.*):(\d+)$/.exec(text);
  const name = (hostPort ? (hostPort[1] as string) : text).replace(/^\*?\./, '').replace(/\.$/, '');
  if (!name) return undefined;
  const entry: Entry = isIP(name) ? { kind: 'address', host: canonical(name) } : { kind: 'name', host: name };
  return withPort(entry, hostPort?.[2]);
}

function withPort(entry: Entry, port: string | undefined): Entry {
  return port === undefined ? entry : ({ ...entry, port: Number.parseInt(port, 10) } as Entry);
}

function matches(entry: Extract<Entry, { host: string }>, host: string): boolean {
  if (entry.kind === 'address') return isIP(host) !== 0 && canonical(host) === entry.host;
  // A name covers its subdomains; an IP address has none (`.0.0.1` names no domain of 127.0.0.1).
  return host === entry.host || (isIP(host) === 0 && host.endsWith(`.${entry.host}`));
}

function inRange(list: BlockList, host: string): boolean {
  const family = isIP(host);
  return family !== 0 && list.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

/** A URL's host name without IPv6 brackets or a trailing dot, in lower case. */
function bare(hostname: string): string {
  return hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** One spelling per address (`0:0::1` and `::1` are the same), as the URL parser writes it. */
function canonical(address: string): string {
  try {
    return bare(new URL(`http://${isIP(address) === 6 ? `[${address}]` : address}/`).hostname);
  } catch {
    return address;
  }
}
