"use client";
import { CopyButton } from "@/components/ui/copy-button";

/** A device password, shown once after it was generated (never stored, never shown again). */
export function PasswordOnce({ name, password, message }: { name: string; password: string; message: string }) {
  return (
    <div role="status" className="space-y-2 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950/40">
      <p>{message}</p>
      <p className="flex flex-wrap items-center gap-2">
        <span>
          Username <code className="font-mono">{name}</code>, password
        </span>
        <code data-testid="device-password" className="select-all rounded bg-white px-2 py-1 font-mono dark:bg-slate-900">
          {password}
        </code>
        <CopyButton text={password} ariaLabel="Copy the password" />
      </p>
    </div>
  );
}
