import "server-only";
import { requireAdmin } from "@/lib/auth/session";
import { getProfileDiagnosis, getProfileSetupGuide } from "@/lib/setup-guide/service";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DoctorFindings, type FindingActions } from "./findings";

/**
 * The profile page's doctor: every rule run against the stored profile (and its cached token's
 * claims), grouped by severity, each finding linked to the setup-guide step (`#step-<id>`) that
 * fixes it. Server component; reads through the DAL as the signed-in admin.
 */
export async function DoctorPanel({ profileId, actions }: { profileId: string; actions: FindingActions }) {
  const admin = await requireAdmin();
  const [diagnosis, guide] = await Promise.all([getProfileDiagnosis(admin, profileId), getProfileSetupGuide(admin, profileId)]);
  const stepTitles = Object.fromEntries(guide.steps.map((s) => [s.id, s.title]));
  const open = diagnosis.findings.filter((f) => !f.acknowledged);
  const errors = open.filter((f) => f.severity === "error").length;
  return (
    <Card>
      <CardHeader
        id="doctor"
        title="Doctor"
        description="Every known misconfiguration, checked against this profile's values and its cached token. Each fix links to the setup step."
        actions={
          errors ? <Badge tone="danger">{errors} to fix</Badge> : open.some((f) => f.severity === "warning") ? <Badge tone="warning">Review</Badge> : <Badge tone="success">Healthy</Badge>
        }
      />
      <CardBody>
        <DoctorFindings findings={diagnosis.findings} stepTitles={stepTitles} actions={actions} passedText="All checks passed: nothing known to break this profile." />
      </CardBody>
    </Card>
  );
}
