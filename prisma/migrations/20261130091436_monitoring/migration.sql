-- CreateTable
CREATE TABLE "Check" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "type" TEXT NOT NULL,
    "profileId" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "intervalMinutes" INTEGER NOT NULL,
    "config" TEXT NOT NULL DEFAULT '{}',
    "nextRunAt" DATETIME NOT NULL,
    "lastRunAt" DATETIME,
    "lastStatus" TEXT NOT NULL DEFAULT 'pending',
    "lastMessage" TEXT NOT NULL DEFAULT '',
    "lastHint" TEXT NOT NULL DEFAULT '',
    "lastDurationMs" INTEGER,
    "alertState" TEXT NOT NULL DEFAULT 'ok',
    "failingSince" DATETIME,
    "lastAlertAt" DATETIME,
    "warned" TEXT NOT NULL DEFAULT '{}',
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    CONSTRAINT "Check_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CheckRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "checkId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "latencyMs" INTEGER,
    "trigger" TEXT NOT NULL DEFAULT 'schedule',
    CONSTRAINT "CheckRun_checkId_fkey" FOREIGN KEY ("checkId") REFERENCES "Check" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AlertChannel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "format" TEXT NOT NULL DEFAULT '',
    "target" TEXT NOT NULL DEFAULT '',
    "profileId" TEXT,
    "secrets" TEXT,
    "status" TEXT NOT NULL DEFAULT 'untested',
    "statusDetail" TEXT NOT NULL DEFAULT '',
    "lastDeliveredAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL DEFAULT ''
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL,
    "event" TEXT NOT NULL,
    "checkId" TEXT,
    "checkType" TEXT NOT NULL DEFAULT '',
    "profileId" TEXT,
    "profileName" TEXT,
    "status" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "hint" TEXT NOT NULL DEFAULT ''
);

-- CreateTable
CREATE TABLE "AlertDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "alertId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "lastError" TEXT NOT NULL DEFAULT '',
    "deliveredAt" DATETIME,
    "leaseUntil" DATETIME,
    CONSTRAINT "AlertDelivery_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "Alert" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AlertDelivery_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "AlertChannel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Check_nextRunAt_idx" ON "Check"("nextRunAt");

-- CreateIndex
CREATE INDEX "Check_profileId_idx" ON "Check"("profileId");

-- CreateIndex
CREATE INDEX "CheckRun_checkId_at_idx" ON "CheckRun"("checkId", "at");

-- CreateIndex
CREATE INDEX "CheckRun_at_idx" ON "CheckRun"("at");

-- CreateIndex
CREATE UNIQUE INDEX "AlertChannel_name_key" ON "AlertChannel"("name");

-- CreateIndex
CREATE INDEX "Alert_at_idx" ON "Alert"("at");

-- CreateIndex
CREATE INDEX "AlertDelivery_state_nextAttemptAt_idx" ON "AlertDelivery"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "AlertDelivery_alertId_idx" ON "AlertDelivery"("alertId");

