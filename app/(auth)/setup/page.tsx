import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { connection } from "next/server";
import { hasAnyAdmin } from "@/lib/auth/admins";
import { Card, CardBody } from "@/components/ui/card";
import { SetupForm } from "@/components/auth/setup-form";
import { setupAdminAction } from "./actions";

export const metadata: Metadata = { title: "Set up" };

export default async function SetupPage() {
  // Rendered per request: whether an admin exists is a fact of the database, not of the build.
  await connection();
  if (await hasAnyAdmin()) redirect("/login");
  return (
    <Card>
      <CardBody className="space-y-5 py-6">
        <div>
          <h1 className="text-xl font-semibold">Welcome</h1>
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">Create the first administrator with the one-time setup code from the server log. More admins can be added later from Settings or the CLI.</p>
        </div>
        <SetupForm action={setupAdminAction} />
      </CardBody>
    </Card>
  );
}
