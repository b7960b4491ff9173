"use client";
import { useState } from "react";
import { IBM_TIME_ZONE_NAMES, resolveTimeZone } from "@/lib/export/time-zone";
import { inputClass } from "@/components/ui/field";
import { cn } from "@/components/ui/cn";

type Props = {
  id: string;
  name: string;
  defaultValue: string;
  placeholder?: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
};

/**
 * The IBM i time zone picker: type or pick a QTIMZON name (QN0600CST, what DSPSYSVAL QTIMZON
 * shows) or an IANA name; the line under it shows both — offset, IANA zone, daylight saving — or
 * what is wrong, with the rule the server applies on save (lib/export/time-zone.ts).
 */
export function TimeZoneInput({ id, name, defaultValue, placeholder, ...aria }: Props) {
  const [value, setValue] = useState(defaultValue);
  const [iana, setIana] = useState<string[]>([]);
  // The IANA list comes from the browser itself (no data shipped), once the field is used.
  const loadIana = () => {
    if (!iana.length && typeof Intl.supportedValuesOf === "function") setIana(Intl.supportedValuesOf("timeZone"));
  };
  const resolved = value.trim() ? resolveTimeZone(value) : null;
  const listId = `${id}-options`;
  const statusId = `${id}-resolved`;
  const describedBy = [aria["aria-describedby"], statusId].filter(Boolean).join(" ");
  return (
    <>
      <input
        id={id}
        name={name}
        type="text"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onFocus={loadIana}
        list={listId}
        placeholder={placeholder ?? "QN0600CST or America/Chicago"}
        autoComplete="off"
        spellCheck={false}
        className={cn(inputClass, "font-mono")}
        aria-invalid={aria["aria-invalid"] || (resolved && !resolved.ok) || undefined}
        aria-describedby={describedBy}
      />
      <datalist id={listId}>
        {IBM_TIME_ZONE_NAMES.map((n) => (
          <option key={n} value={n} />
        ))}
        {iana.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <p id={statusId} aria-live="polite" data-testid="time-zone-resolved" className={cn("text-xs", resolved && !resolved.ok ? "text-rose-700 dark:text-rose-400" : "text-slate-600 dark:text-slate-400")}>
        {resolved ? (resolved.ok ? resolved.description : resolved.message) : "UTC when empty."}
      </p>
    </>
  );
}
