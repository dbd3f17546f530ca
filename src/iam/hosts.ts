/**
 * DNS rebinding: with no access keys configured (development) the admin endpoints and operations
 * are open to whoever reaches the port, which is loopback only (server.ts) — but a web page the
 * developer visits can reach loopback too, by DNS rebinding: the page's own name
 * (attacker.example) is made to resolve to 127.0.0.1, and the browser then lets the page read the
 * answers, as same-origin. Such a request always carries the attacker's name in its Host header, so
 * without keys the admin endpoints (/_incognito/*, the console, /metrics) and the admin JSON
 * operations (those Cognito authorizes with IAM) answer only requests whose Host is:
 *  - an IP address (no DNS: a page can only be served from that address, never rebound to it);
 *  - localhost or a name under .localhost (browsers resolve these to loopback themselves);
 *  - the host of --public-url, the --host name;
 *  - or a name of --admin-hosts (e.g. a Docker Compose service name).
 * A request without a Host header (HTTP/1.0; never a browser's) is served.
 *
 * The same endpoints answer with `Access-Control-Allow-Origin: *` (the public operations must be
 * callable from browser apps), so a page of any site could also call them at 127.0.0.1 directly.
 * Without keys, an admin request that carries an Origin (a browser's cross-origin request) is
 * therefore served only when that origin is on a loopback name or address, or one of the names
 * above, or the request's own Host (a page this server served; IP addresses other than loopback are
 * not enough here: a page can be served from any).
 */
import { isIP } from 'node:net';
import type { Config } from '../config.js';

/** The host name of a Host header (port and IPv6 brackets removed, lower case, no trailing dot). */
function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  const name = h.startsWith('[') ? h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']')) : h.replace(/:\d*$/, '');
  return name.replace(/\.$/, '');
}

/** The names besides IP addresses and localhost an admin request may be addressed to (no keys). */
export function adminHostNames(config: Pick<Config, 'host' | 'publicUrl' | 'adminHosts'>): Set<string> {
  const names = new Set<string>();
  names.add(hostName(config.host));
  if (config.publicUrl) {
    try {
      names.add(hostName(new URL(config.publicUrl).host));
    } catch {
      // A malformed --public-url names no host.
    }
  }
  for (const n of (config.adminHosts ?? '').split(',')) if (n.trim()) names.add(hostName(n));
  return names;
}

/** Whether a request with this Host header may reach an admin endpoint when no keys are configured. */
export function adminHostAllowed(header: string | undefined, names: Set<string>): boolean {
  if (header === undefined) return true;
  const name = hostName(header);
  if (name === '') return false;
  return isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') || names.has(name);
}

/** Whether a request with this Origin header (a browser's) may reach an admin endpoint when no keys are configured. */
export function adminOriginAllowed(origin: string | undefined, names: Set<string>): boolean {
  if (origin === undefined) return true;
  let name: string;
  try {
    name = hostName(new URL(origin).host);
  } catch {
    return false; // `null` (a sandboxed frame, a file), or garbage
  }
  return isLoopbackName(name) || names.has(name);
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** localhost, a name under .localhost, 127.0.0.0/8, ::1. */
function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) || /^::ffff:127\./.test(name);
}

/** Why a request without keys is refused (hosts.ts), or undefined when it may be served. */
export function openAdminRefusal(headers: { host?: string | undefined; origin?: string | undefined }, names: Set<string>): string | undefined {
  if (!adminHostAllowed(headers.host, names)) return rebindingMessage(headers.host);
  // The console's own pages post with an Origin of the Host they were served from.
  const sameOrigin = headers.origin !== undefined && headers.host !== undefined && originHost(headers.origin) === headers.host.toLowerCase();
  if (!sameOrigin && !adminOriginAllowed(headers.origin, names)) {
    return (
      `Refused: a web page of ${headers.origin} may not use the admin endpoints or operations of this server: with no access keys configured, ` +
      `only pages on localhost, a loopback address, the host of --public-url, --host or a name of --admin-hosts may. ` +
      `Add the page's host to --admin-hosts, or configure access keys.`
    );
  }
  return undefined;
}

/** What a refused request is told (403). */
export function rebindingMessage(header: string | undefined): string {
  return (
    `Refused: this request is addressed to the host '${header ?? ''}', which is not this server's name. With no access keys configured, ` +
    `the admin endpoints, the web console and the admin operations only answer requests addressed to an IP address (127.0.0.1, ::1), ` +
    `localhost, the host of --public-url, --host or a name of --admin-hosts; this keeps web pages from reaching them by DNS rebinding. ` +
    `Use http://127.0.0.1:PORT or http://localhost:PORT, add the name to --admin-hosts, or configure access keys.`
  );
}
