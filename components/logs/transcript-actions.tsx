"use client";
import { CopyButton } from "@/components/ui/copy-button";
import { Button } from "@/components/ui/button";
import { downloadBlob } from "@/components/exports/download";

/** Copy and download of a (redacted) transcript, from the text already on the page. */
export function TranscriptActions({ text, filename }: { text: string; filename: string }) {
  return (
    <>
      <CopyButton text={text} label="Copy transcript" />
      <Button type="button" variant="secondary" onClick={() => downloadBlob(text, filename, "text/plain;charset=utf-8")}>
        Download .txt
      </Button>
    </>
  );
}
