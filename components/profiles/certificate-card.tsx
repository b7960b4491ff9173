import type { CertificateInfo } from "@/lib/crypto/certificate";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";

/** Thumbprints in every form the Azure portal and JWT headers use, to match the uploaded certificate. */
export function CertificateCard({ cert, now }: { cert: CertificateInfo; now: Date }) {
  const daysLeft = Math.floor((new Date(cert.notAfter).getTime() - now.getTime()) / 86_400_000);
  const rows: [string, string][] = [
    ["SHA-1 thumbprint (Azure portal)", cert.sha1Hex],
    ["SHA-256 thumbprint", cert.sha256Hex],
    ["x5t (SHA-1, base64url)", cert.sha1Base64Url],
    ["x5t#S256 (SHA-256, base64url)", cert.sha256Base64Url],
  ];
  return (
    <Card>
      <CardHeader
        title="Certificate"
        description={cert.subject}
        actions={<Badge tone={daysLeft < 0 ? "danger" : daysLeft <= 30 ? "warning" : "success"}>{daysLeft < 0 ? "expired" : `expires in ${daysLeft} days`}</Badge>}
      />
      <CardBody>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[16rem_1fr]">
          <dt className="text-slate-500">Valid</dt>
          <dd>{formatDateTime(cert.notBefore)} → {formatDateTime(cert.notAfter)}</dd>
          {rows.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-slate-500">{label}</dt>
              <dd className="flex items-center gap-2">
                <code className="break-all font-mono text-xs" data-testid={`thumb-${label.split(" ")[0]}`}>{value}</code>
                <CopyButton text={value} />
              </dd>
            </div>
          ))}
        </dl>
      </CardBody>
    </Card>
  );
}
