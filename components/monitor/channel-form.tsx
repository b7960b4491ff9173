"use client";
import { useState } from "react";
import type { ActionResult } from "@/lib/action-result";
import { Field, inputClass } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { Button } from "@/components/ui/button";
import { useFormAction } from "@/components/ui/use-form-action";

type Action = (prev: ActionResult, form: FormData) => Promise<ActionResult>;

/** 32 random bytes as hex, made in the browser: the server never echoes a secret back. */
function randomSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Add an alert channel: a webhook (generic signed JSON, Teams, Slack) or email through a profile. */
export function ChannelForm({ action, profiles }: { action: Action; profiles: { id: string; name: string }[] }) {
  const { state, pending, onSubmit } = useFormAction(action);
  const [type, setType] = useState<"webhook" | "email">("webhook");
  const [format, setFormat] = useState("generic");
  const [secret, setSecret] = useState("");
  const errors = state.status === "error" ? state.fieldErrors : undefined;
  const err = (k: string) => errors?.[k];
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Add alert channel">
      <FormMessage state={state} />
      <fieldset className="flex gap-4 text-sm">
        <legend className="sr-only">Channel type</legend>
        {(["webhook", "email"] as const).map((t) => (
          <label key={t} className="flex items-center gap-2">
            <input type="radio" name="type" value={t} checked={type === t} onChange={() => setType(t)} />
            {t === "webhook" ? "Webhook (generic, Teams, Slack)" : "Email through a profile"}
          </label>
        ))}
      </fieldset>
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <Field id="channel-name" label="Name" required error={err("name")}>
          <input id="channel-name" name="name" className={inputClass} maxLength={64} aria-invalid={Boolean(err("name")) || undefined} />
        </Field>
        {type === "webhook" ? (
          <>
            <Field id="channel-format" label="Format" error={err("format")}>
              <select id="channel-format" name="format" className={inputClass} value={format} onChange={(e) => setFormat(e.target.value)}>
                <option value="generic">Generic JSON (signed with HMAC-SHA256)</option>
                <option value="teams">Microsoft Teams (Workflows / incoming webhook)</option>
                <option value="slack">Slack incoming webhook</option>
              </select>
            </Field>
            <Field id="channel-url" label="Webhook URL" required error={err("url")} help="Stored encrypted and never shown again: Teams and Slack URLs carry the token that lets anyone post." className="md:col-span-2">
              <input id="channel-url" name="url" type="password" autoComplete="off" className={inputClass} aria-invalid={Boolean(err("url")) || undefined} />
            </Field>
            {format === "generic" && (
              <Field
                id="channel-secret"
                label="Signing secret"
                required
                error={err("signingSecret")}
                className="md:col-span-2"
                help="Requests carry X-OMC-Signature: sha256=HMAC-SHA256(secret, timestamp + '.' + body) and X-OMC-Timestamp. Copy the secret into your receiver before saving: it is stored encrypted and not shown again."
                aside={
                  <button type="button" className="text-xs text-indigo-700 hover:underline dark:text-indigo-300" onClick={() => setSecret(randomSecret())}>
                    Generate
                  </button>
                }
              >
                <input id="channel-secret" name="signingSecret" autoComplete="off" spellCheck={false} value={secret} onChange={(e) => setSecret(e.target.value)} className={`${inputClass} font-mono`} aria-invalid={Boolean(err("signingSecret")) || undefined} />
              </Field>
            )}
          </>
        ) : (
          <>
            <Field id="channel-to" label="Send to" required error={err("to")}>
              <input id="channel-to" name="to" type="email" className={inputClass} aria-invalid={Boolean(err("to")) || undefined} />
            </Field>
            <Field id="channel-profile" label="Send through profile" required error={err("profileId")} help="The console sends alert emails with one of its own profiles.">
              <select id="channel-profile" name="profileId" className={inputClass} defaultValue="">
                <option value="" disabled>
                  Choose a profile
                </option>
                {profiles.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </Field>
          </>
        )}
      </div>
      <Button type="submit" pending={pending} pendingLabel="Adding…">
        Add channel
      </Button>
    </form>
  );
}
