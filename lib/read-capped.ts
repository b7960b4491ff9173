/**
 * Reads a web body stream to the end, holding at most `max` bytes: null as soon as it is larger
 * (the reader is cancelled, the rest is never read). A dependency-free leaf, shared by the token
 * transport (IdP responses) and the API routes (request bodies).
 */
export async function readCappedBytes(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}
