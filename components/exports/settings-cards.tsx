import type { SettingsCard } from "@/lib/export/settings-cards";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";

/**
 * The webMethods / Airlock settings cards (lib/export/settings-cards.ts): each field with the
 * product's own label and a Copy button. Server-rendered; only the Copy buttons are client code.
 */
export function SettingsCards({ cards }: { cards: SettingsCard[] }) {
  return (
    <>
      {cards.map((card) => (
        <Card key={card.id}>
          <CardHeader id={`settings-card-${card.id}`} title={card.title} description={card.where} />
          <CardBody>
            <dl className="divide-y divide-slate-200 dark:divide-slate-800" data-testid={`settings-card-${card.id}`}>
              {card.fields.map((f) => (
                <div key={f.label} className="grid gap-1 py-2.5 sm:grid-cols-[14rem_minmax(0,1fr)_auto] sm:items-start sm:gap-3">
                  <dt className="text-sm font-medium text-slate-800 dark:text-slate-200">{f.label}</dt>
                  <dd className="min-w-0 text-sm">
                    {f.value !== null ? <code className="block font-mono text-xs text-slate-900 [overflow-wrap:anywhere] dark:text-slate-100">{f.value}</code> : <span className="text-slate-500 dark:text-slate-400">{f.secret ? "Not shown (secret)" : "—"}</span>}
                    {f.note && <span className="mt-0.5 block text-xs text-slate-500 dark:text-slate-400">{f.note}</span>}
                  </dd>
                  <dd className="sm:justify-self-end">{f.value !== null && <CopyButton text={f.value} ariaLabel={`Copy ${card.product} ${f.label}`} />}</dd>
                </div>
              ))}
            </dl>
            {card.notes.length > 0 && (
              <ul className="mt-3 list-disc space-y-1 pl-5 text-xs text-slate-600 dark:text-slate-400">
                {card.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            )}
          </CardBody>
        </Card>
      ))}
    </>
  );
}
