"use client";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";

/**
 * "Show transcript": the redacted protocol dialogue of a test, on demand. The library removed
 * tokens, XOAUTH2 blobs, passwords and secrets and truncated the body before it got here.
 */
export function TranscriptToggle({ transcript, what = "transcript" }: { transcript: string; what?: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  if (!transcript) return null;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="secondary" className="px-2.5 py-1 text-xs" aria-expanded={open} aria-controls={id} onClick={() => setOpen((v) => !v)}>
          {open ? "Hide transcript" : "Show transcript"}
        </Button>
        {open && <CopyButton text={transcript} label="Copy transcript" />}
        <span className="text-xs text-slate-500 dark:text-slate-400">Redacted: tokens, passwords and secrets are removed; the body is truncated.</span>
      </div>
      <div id={id} hidden={!open}>
        {open && (
          <pre aria-label={`Redacted ${what}`} tabIndex={0} data-testid="transcript" className="max-h-96 overflow-auto whitespace-pre-wrap break-all rounded-md bg-slate-950 px-4 py-3 font-mono text-xs leading-relaxed text-slate-100 ring-1 ring-slate-800 dark:bg-black/60">
            {transcript}
          </pre>
        )}
      </div>
    </div>
  );
}
