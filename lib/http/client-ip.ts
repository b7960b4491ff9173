import net from "node:net";

/**
 * Which address a request came from. The socket's peer address unless TRUST_PROXY says a reverse
 * proxy is in front: then X-Forwarded-For is read from the right, skipping only the hops that
 * are trusted. A client can put anything into X-Forwarded-For, so without TRUST_PROXY the header
 * is ignored entirely. Every result is a validated, canonical IP address (or "unknown").
 */

/** No proxy; N trusted hops; or the addresses / CIDR ranges of the trusted proxies. */
export type TrustProxy = { kind: "none" } | { kind: "hops"; hops: number } | { kind: "list"; list: net.BlockList; text: string };

/** A canonical IP address for a value that is one (IPv4-mapped IPv6 becomes IPv4), else null. */
export function normalizeIp(value: string | null | undefined): string | null {
  if (!value) return null;
  let v = value.trim();
  if (v.length === 0 || v.length > 64) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed) v = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(":"));
  v = v.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(v);
  if (mapped) v = mapped[1];
  const family = net.isIP(v);
  if (family === 4) return v;
  if (family === 6) {
    // Canonical form through the URL parser (compresses zeros, lowercases).
    try {
      return new URL(`http://[${v}]/`).hostname.slice(1, -1);
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Parses TRUST_PROXY: empty/"false" → none; a whole number → that many hops; otherwise a comma
 * list of IP addresses and CIDR ranges ("loopback" stands for 127.0.0.0/8 and ::1).
 * Throws an Error naming the bad entry.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const text = (raw ?? "").trim();
  if (text === "" || text === "false" || text === "0") return { kind: "none" };
  if (/^\d+$/.test(text)) return { kind: "hops", hops: Number(text) };
  const list = new net.BlockList();
  for (const entryRaw of text.split(",")) {
    const entry = entryRaw.trim();
    if (entry === "loopback") {
      list.addSubnet("127.0.0.0", 8, "ipv4");
      list.addAddress("::1", "ipv6");
      continue;
    }
    const [addr, bits, extra] = entry.split("/");
    const ip = normalizeIp(addr);
    const family = ip ? (net.isIP(ip) === 4 ? "ipv4" : "ipv6") : null;
    const prefix = bits === undefined ? null : Number(bits);
    if (!ip || !family || extra !== undefined || (prefix !== null && (!/^\d+$/.test(bits!) || prefix > (family === "ipv4" ? 32 : 128)))) {
      throw new Error(`"${entry.slice(0, 60)}" is not an IP address or CIDR range (expected e.g. 1, 10.0.0.0/8, 127.0.0.1, loopback)`);
    }
    if (prefix === null) list.addAddress(ip, family);
    else list.addSubnet(ip, prefix, family);
  }
  return { kind: "list", list, text };
}

function isTrusted(list: net.BlockList, ip: string): boolean {
  return list.check(ip, net.isIP(ip) === 4 ? "ipv4" : "ipv6");
}

/** The client address of a request that arrived on a socket from `socketAddress`. */
export function resolveClientIp(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trust: TrustProxy): string {
  const peer = normalizeIp(socketAddress);
  if (trust.kind === "none" || !peer) return peer ?? "unknown";
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  // Closest hop last: [client?, proxy1, …, peer]. A malformed entry stops the walk there.
  const hops = header.length > 4096 ? [] : header.split(",").map((h) => h.trim()).filter(Boolean);
  const chain = [...hops, peer];
  if (trust.kind === "hops") {
    const pick = chain[Math.max(0, chain.length - 1 - trust.hops)];
    return normalizeIp(pick) ?? "unknown";
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const ip = normalizeIp(chain[i]);
    if (!ip) return "unknown";
    if (i === 0 || !isTrusted(trust.list, ip)) return ip;
  }
  return "unknown";
}
