/**
 * Scenario 5: first-load JS per route, gzip. Next.js 16 (Turbopack) no longer prints sizes in
 * the build log, so they are computed here, two ways:
 *
 *  A. "html" (reported): the JavaScript a browser fetches on a first visit = every distinct
 *     /_next/static/**.js URL that the server-rendered HTML of the route references (its
 *     <script src>, script preloads, and the client-component chunks named in the inlined RSC
 *     payload), minus the nomodule polyfill chunk that modern browsers skip. The HTML comes from
 *     the running built app, signed in.
 *  B. "manifest" (cross-check, no server needed): build-manifest.json rootMainFiles plus the
 *     union of entryJSFiles in .next/server/app/<route>/page_client-reference-manifest.js.
 *
 * Each file is read from .next/static and gzipped on its own with zlib level 9 (as the old
 * Next.js build table did); the sizes are summed.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { ROOT } from "./server";

export type ChunkSizes = { files: number; rawBytes: number; gzipBytes: number; chunks: string[] };

const STATIC_PREFIX = "/_next/static/";

function polyfillFiles(): Set<string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, ".next/build-manifest.json"), "utf8")) as { polyfillFiles?: string[] };
  return new Set((manifest.polyfillFiles ?? []).map((f) => `/_next/${f}`));
}

export function sizeOf(urls: Iterable<string>): ChunkSizes {
  const chunks = [...new Set(urls)].sort();
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const url of chunks) {
    const file = path.join(ROOT, ".next/static", url.slice(STATIC_PREFIX.length));
    const data = fs.readFileSync(file);
    rawBytes += data.length;
    gzipBytes += zlib.gzipSync(data, { level: 9 }).length;
  }
  return { files: chunks.length, rawBytes, gzipBytes, chunks };
}

/** Method A: the scripts a first visit loads, from the route's HTML. */
export function firstLoadFromHtml(html: string): ChunkSizes {
  const skip = polyfillFiles();
  const urls = new Set<string>();
  for (const m of html.matchAll(/\/_next\/static\/[A-Za-z0-9_\-./~]+?\.js/g)) {
    if (!skip.has(m[0])) urls.add(m[0]);
  }
  return sizeOf(urls);
}

/** Method B: root main files + the route's client entry chunks, from the build's manifests. */
export function firstLoadFromManifest(appPage: string): ChunkSizes {
  const build = JSON.parse(fs.readFileSync(path.join(ROOT, ".next/build-manifest.json"), "utf8")) as { rootMainFiles: string[] };
  const file = path.join(ROOT, ".next/server/app", appPage, "page_client-reference-manifest.js");
  const text = fs.readFileSync(file, "utf8");
  const sandbox = { globalThis: {} as { __RSC_MANIFEST?: Record<string, { entryJSFiles?: Record<string, string[]> }> } };
  new Function("globalThis", text)(sandbox.globalThis);
  const manifest = Object.values(sandbox.globalThis.__RSC_MANIFEST ?? {})[0];
  const urls = new Set<string>(build.rootMainFiles.map((f) => `/_next/${f}`));
  for (const list of Object.values(manifest?.entryJSFiles ?? {})) for (const f of list) urls.add(`/_next/${f}`);
  return sizeOf(urls);
}
