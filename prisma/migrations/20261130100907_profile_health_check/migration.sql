-- Profile health records which check set it and when (lib/profiles/health-status.ts).
ALTER TABLE "Profile" ADD COLUMN "statusCheck" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Profile" ADD COLUMN "statusAt" DATETIME;

-- Which check set the status of existing profiles, from the wording those checks used.
UPDATE "Profile" SET "statusCheck" = CASE
    WHEN "statusDetail" LIKE 'Token%' THEN 'token'
    WHEN "statusDetail" LIKE 'Authorized%' THEN 'authorization'
    WHEN "statusDetail" LIKE 'IMAP%' THEN 'imap'
    WHEN "statusDetail" LIKE 'Send%' OR "statusDetail" LIKE 'Test send%' THEN 'send'
    ELSE '' END
WHERE "status" <> 'untested';
