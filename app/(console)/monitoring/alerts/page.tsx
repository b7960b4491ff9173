import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { listAlerts } from "@/lib/monitor/alerts";
import { Card, CardBody, PageHeader } from "@/components/ui/card";
import { Pagination } from "@/components/ui/pagination";
import { AlertHistory } from "@/components/monitor/alert-history";

export const metadata: Metadata = { title: "Alert history" };
const PAGE_SIZE = 50;

export default async function AlertHistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const admin = await requireAdmin();
  const sp = await searchParams;
  const page = Math.max(1, Number.parseInt(sp.page ?? "1", 10) || 1);
  const alerts = await listAlerts(admin, { page, pageSize: PAGE_SIZE });
  return (
    <>
      <PageHeader title="Alert history" breadcrumb={<Link href="/monitoring" className="hover:underline">Monitoring</Link>} description="Every alert raised, with what each channel did with it. Alerts are also in the activity log (action alert.*)." />
      <Card>
        <CardBody>
          <AlertHistory alerts={alerts.items} />
          <Pagination page={alerts.page} pageSize={alerts.pageSize} total={alerts.total} basePath="/monitoring/alerts" params={{}} />
        </CardBody>
      </Card>
    </>
  );
}
