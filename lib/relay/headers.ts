import addressparser from "nodemailer/lib/addressparser";

/**
 * Just enough header parsing for the relay's policy and queue views: the header block, the From
 * addresses, Message-ID and Subject (RFC 2047 encoded words decoded). The message itself is
 * relayed byte for byte.
 */

const MAX_HEADER_BYTES = 256 * 1024;

/** Offset just past the blank line that ends the header block, or -1 when none within the cap. */
export function headerEnd(raw: Buffer): number {
  const limit = Math.min(raw.length, MAX_HEADER_BYTES);
  for (let i = 0; i < limit; i++) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return i + 2;
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

export function headerBlock(raw: Buffer): string {
  const end = headerEnd(raw);
  return raw.subarray(0, end < 0 ? Math.min(raw.length, 64 * 1024) : end).toString("utf8").replace(/\r?\n$/, "").replace(/\r?\n$/, "");
}

export function parseHeaders(block: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length) out[out.length - 1].value += " " + line.trim();
    else {
      const i = line.indexOf(":");
      if (i > 0) out.push({ name: line.slice(0, i).trim().toLowerCase(), value: line.slice(i + 1).trim() });
    }
  }
  return out;
}

function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (all, charset: string, enc: string, text: string) => {
    try {
      const bytes = enc.toUpperCase() === "B" ? Buffer.from(text, "base64") : Buffer.from(text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1");
      return new TextDecoder(charset.toLowerCase().replace(/\*.*$/, ""), { fatal: false }).decode(bytes);
    } catch {
      return all;
    }
  }).replace(/\?=\s+=\?/g, "?==?");
}

export type HeaderFacts = { messageId?: string; subject?: string; from: string[]; headerBytes: number };

export function parseHeaderFacts(raw: Buffer): HeaderFacts {
  const end = headerEnd(raw);
  const headers = parseHeaders(raw.subarray(0, end < 0 ? Math.min(raw.length, MAX_HEADER_BYTES) : end).toString("utf8"));
  const get = (n: string) => headers.find((h) => h.name === n)?.value;
  const from = headers
    .filter((h) => h.name === "from")
    .flatMap((h) => addressparser(h.value, { flatten: true }))
    .map((a) => (a.address ?? "").toLowerCase())
    .filter(Boolean);
  const subject = get("subject");
  return { messageId: get("message-id")?.match(/<[^>]+>/)?.[0] ?? get("message-id"), subject: subject === undefined ? undefined : decodeWords(subject), from, headerBytes: end < 0 ? 0 : end };
}
