"use client";
import { useEffect, useRef, type RefObject } from "react";
import type { ActionResult } from "@/lib/action-result";

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

/**
 * After a ZIP action answered: save the ZIP once and empty the password field, or put the focus
 * back on the password field when it was refused. Shared by "Export all" and "Download all formats".
 */
export function useZipDownload<T extends { zipBase64: string; filename: string }>(state: ActionResult<T>, passwordRef: RefObject<HTMLInputElement | null>): void {
  const handled = useRef<ActionResult<T> | null>(null);
  const passwordRefused = state.status === "error" && Boolean(state.fieldErrors?.password);
  useEffect(() => {
    if (handled.current === state) return;
    handled.current = state;
    if (state.status === "success" && state.data) {
      if (passwordRef.current) passwordRef.current.value = "";
      downloadBase64(state.data.zipBase64, state.data.filename, "application/zip");
    } else if (passwordRefused) {
      passwordRef.current?.focus();
    }
  }, [state, passwordRefused, passwordRef]);
}
