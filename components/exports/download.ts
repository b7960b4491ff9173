"use client";

/**
 * Saves text as a file from memory: a Blob behind a one-time object URL, so content with secrets
 * never travels in a URL, never enters the HTTP cache, and the URL is revoked right after.
 */
export function downloadText(content: string, filename: string, contentType: string): void {
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
