import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdmin } from "@/lib/auth/session";
import { getActivityDetail } from "@/lib/activity/dal";
import { Card, CardBody, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Transcript" };

export default async function ActivityDetailPage({ params }: { params: Promise<{ activityId: string }> }) {
  const admin = await requireAdmin();
  const { activityId } = await params;
  const detail = await getActivityDetail(admin, activityId);
  if (detail === null) notFound();
  return (
    <>
      <PageHeader title="Redacted transcript" breadcrumb={<Link href="/logs" className="hover:underline">Logs</Link>} description="Tokens, passwords, secrets and assertions are removed; message bodies are truncated." />
      <Card>
        <CardBody>
          <pre className="max-h-[70vh] overflow-auto whitespace-pre-wrap break-all font-mono text-xs leading-relaxed">{detail}</pre>
        </CardBody>
      </Card>
    </>
  );
}
