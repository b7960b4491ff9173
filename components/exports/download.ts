"use client";

/**
 * Saves content as a file from memory: a Blob behind a one-time object URL, so content with
 * secrets never travels in a URL, never enters the HTTP cache, and the URL is revoked right after.
 */
export function downloadBlob(content: BlobPart, filename: string, contentType: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: contentType }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A base64 payload (a ZIP from a server action) saved as a file. */
export function downloadBase64(base64: string, filename: string, contentType: string): void {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  downloadBlob(bytes, filename, contentType);
}
