import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/session";
import { IMPORT_FORMATS } from "@/lib/export/import";
import { PageHeader } from "@/components/ui/card";
import { ImportFormLazy as ImportForm } from "@/components/exports/import-form-lazy";
import { checkImportAction, importProfileAction } from "./actions";

export const metadata: Metadata = { title: "Import" };

export default async function ImportPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader
        title="Import"
        description="Create a profile from the file a system already uses: iMail's config, the IBM i JSON credential file, a Google key, system properties or a console backup. Check shows what was read and what the doctor finds before anything is saved."
      />
      <ImportForm formats={IMPORT_FORMATS} checkAction={checkImportAction} importAction={importProfileAction} />
    </>
  );
}
