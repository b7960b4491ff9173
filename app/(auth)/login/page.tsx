import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { connection } from "next/server";
import { hasAnyAdmin } from "@/lib/auth/admins";
import { getCurrentAdmin } from "@/lib/auth/session";
import { Card, CardBody } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { safeNextPath } from "@/lib/auth/next-path";
import { LoginForm } from "@/components/auth/login-form";
import { signInAction } from "./actions";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; reason?: string }> }) {
  // Rendered per request: whether an admin exists is a fact of the database, not of the build.
  await connection();
  if (!(await hasAnyAdmin())) redirect("/setup");
  const { next: rawNext, reason } = await searchParams;
  const next = rawNext ? safeNextPath(rawNext) : undefined;
  if (await getCurrentAdmin()) redirect(next ?? "/");
  return (
    <Card>
      <CardBody className="space-y-5 py-6">
        {reason === "expired" && (
          <Alert tone="warning" role="status" title="Session expired">
            You were signed out after a period of inactivity. Sign in again{next && next !== "/" ? " to return to the page you were on; a form you submitted is filled in again (except secrets)" : ""}.
          </Alert>
        )}
        {reason === "signed-out" && (
          <Alert tone="success" role="status" title="Signed out">
            Your session has ended on this browser.
          </Alert>
        )}
        <div>
          <h1 className="text-xl font-semibold">Sign in</h1>
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">Administrators only. Failed attempts are limited and logged.</p>
        </div>
        <LoginForm action={signInAction} next={next} />
      </CardBody>
    </Card>
  );
}
