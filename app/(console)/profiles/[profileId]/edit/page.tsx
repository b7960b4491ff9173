import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdmin } from "@/lib/auth/session";
import { findProfile } from "@/lib/profiles/dal";
import { KIND_LABELS } from "@/lib/profiles/schema";
import { PageHeader } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { ProfileForm } from "@/components/profiles/profile-form";
import { PROFILE_FORM } from "@/lib/profiles/fields";
import { checkProfileDraftAction, updateProfileAction } from "../../actions";

export const metadata: Metadata = { title: "Edit profile" };

export default async function EditProfilePage({ params, searchParams }: { params: Promise<{ profileId: string }>; searchParams: Promise<{ duplicated?: string }> }) {
  const admin = await requireAdmin();
  const { profileId } = await params;
  const { duplicated } = await searchParams;
  const profile = await findProfile(admin, profileId);
  if (!profile) notFound();
  return (
    <>
      <PageHeader
        title={`Edit ${profile.name}`}
        description={`${KIND_LABELS[profile.kind]}. Leave a secret blank to keep the stored value.`}
        breadcrumb={
          <>
            <Link href="/profiles" className="hover:underline">Profiles</Link> / <Link href={`/profiles/${profile.id}`} className="hover:underline">{profile.name}</Link>
          </>
        }
      />
      {duplicated && <Alert tone="success" role="status" className="mb-6">Duplicated with all settings and secrets. Give the copy its own name and adjust what differs.</Alert>}
      <ProfileForm
        check={checkProfileDraftAction}
        sections={PROFILE_FORM[profile.kind]}
        kind={profile.kind}
        action={updateProfileAction.bind(null, profile.id)}
        settings={profile.settings as Record<string, unknown>}
        secretsSet={profile.secretsSet}
        version={profile.version}
        submitLabel="Save changes"
        cancelHref={`/profiles/${profile.id}`}
      />
    </>
  );
}
