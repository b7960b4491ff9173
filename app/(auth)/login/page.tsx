import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { connection } from "next/server";
import { hasAnyAdmin } from "@/lib/auth/admins";
import { getCurrentAdmin } from "@/lib/auth/session";
import { Card, CardBody } from "@/components/ui/card";
import { LoginForm } from "@/components/auth/login-form";
import { signInAction } from "./actions";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  // Rendered per request: whether an admin exists is a fact of the database, not of the build.
  await connection();
  if (!(await hasAnyAdmin())) redirect("/setup");
  if (await getCurrentAdmin()) redirect("/");
  const { next } = await searchParams;
  return (
    <Card>
      <CardBody className="space-y-5 py-6">
        <div>
          <h1 className="text-xl font-semibold">Sign in</h1>
          <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">Administrators only. Failed attempts are limited and logged.</p>
        </div>
        <LoginForm action={signInAction} next={next} />
      </CardBody>
    </Card>
  );
}
