import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { KIND_LABELS, PROFILE_KINDS, type ProfileKind } from "@/lib/profiles/schema";
import { KIND_DESCRIPTIONS, PROFILE_FORM } from "@/lib/profiles/fields";
import { PageHeader } from "@/components/ui/card";
import { ProfileForm } from "@/components/profiles/profile-form";
import { KindBadge } from "@/components/profiles/badges";
import { checkProfileDraftAction, createProfileAction } from "../actions";

export const metadata: Metadata = { title: "New profile" };

export default async function NewProfilePage({ searchParams }: { searchParams: Promise<{ kind?: string }> }) {
  await requireAdmin();
  const { kind } = await searchParams;
  const selected = PROFILE_KINDS.includes(kind as ProfileKind) ? (kind as ProfileKind) : undefined;
  if (!selected) {
    return (
      <>
        <PageHeader title="New profile" description="Choose how this profile authenticates. The kind decides which fields, tokens and exports apply." breadcrumb={<Link href="/profiles" className="hover:underline">Profiles</Link>} />
        <ul className="grid grid-cols-1 gap-4 md:grid-cols-2" aria-label="Profile kinds">
          {PROFILE_KINDS.map((k) => (
            <li key={k}>
              <Link href={`/profiles/new?kind=${k}`} className="flex h-full flex-col gap-2 rounded-lg border border-slate-200 bg-white p-4 shadow-sm transition hover:border-indigo-400 hover:shadow dark:border-slate-800 dark:bg-slate-900 dark:hover:border-indigo-500">
                <span className="flex items-center justify-between gap-2">
                  <span className="font-medium">{KIND_LABELS[k]}</span>
                  <KindBadge kind={k} />
                </span>
                <span className="text-sm text-slate-600 dark:text-slate-400">{KIND_DESCRIPTIONS[k]}</span>
              </Link>
            </li>
          ))}
        </ul>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title={`New profile: ${KIND_LABELS[selected]}`}
        description={KIND_DESCRIPTIONS[selected]}
        breadcrumb={
          <>
            <Link href="/profiles" className="hover:underline">Profiles</Link> / <Link href="/profiles/new" className="hover:underline">Choose kind</Link>
          </>
        }
      />
      <ProfileForm kind={selected} sections={PROFILE_FORM[selected]} action={createProfileAction.bind(null, selected)} check={checkProfileDraftAction} submitLabel="Create profile" cancelHref="/profiles" />
    </>
  );
}
