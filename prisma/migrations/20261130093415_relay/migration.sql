-- CreateTable
CREATE TABLE "RelayDevice" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "allowedSenders" TEXT NOT NULL DEFAULT '[]',
    "allowedIps" TEXT NOT NULL DEFAULT '[]',
    "rateLimit" INTEGER,
    "dailyQuota" INTEGER,
    "allowPlainAuth" BOOLEAN NOT NULL DEFAULT false,
    "allowNoAuth" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME,
    "lastSeenIp" TEXT,
    "acceptedCount" INTEGER NOT NULL DEFAULT 0,
    "rejectedCount" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "RelayMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deviceId" TEXT,
    "deviceName" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "mailFrom" TEXT NOT NULL,
    "rcptTo" TEXT NOT NULL,
    "rcptCount" INTEGER NOT NULL,
    "firstRcpt" TEXT NOT NULL DEFAULT '',
    "size" INTEGER NOT NULL,
    "messageId" TEXT NOT NULL,
    "subject" TEXT NOT NULL DEFAULT '',
    "sha256" TEXT NOT NULL,
    "clientIp" TEXT NOT NULL DEFAULT '',
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "lastErrorCode" TEXT,
    "lastError" TEXT,
    "lastRemote" TEXT,
    "deliveredAt" DATETIME,
    "remoteReply" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RelayAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "messageId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "worker" TEXT NOT NULL DEFAULT '',
    "ok" BOOLEAN NOT NULL,
    "outcome" TEXT NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "errorCode" TEXT,
    "summary" TEXT NOT NULL,
    "cause" TEXT,
    "fix" TEXT,
    "remoteReply" TEXT,
    "transcript" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "RelayAttempt_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "RelayMessage" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "RelayDevice_name_key" ON "RelayDevice"("name");

-- CreateIndex
CREATE INDEX "RelayDevice_profileId_idx" ON "RelayDevice"("profileId");

-- CreateIndex
CREATE INDEX "RelayMessage_state_nextAttemptAt_idx" ON "RelayMessage"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "RelayMessage_receivedAt_idx" ON "RelayMessage"("receivedAt");

-- CreateIndex
CREATE INDEX "RelayMessage_deviceId_receivedAt_idx" ON "RelayMessage"("deviceId", "receivedAt");

-- CreateIndex
CREATE INDEX "RelayMessage_messageId_idx" ON "RelayMessage"("messageId");

-- CreateIndex
CREATE INDEX "RelayAttempt_messageId_at_idx" ON "RelayAttempt"("messageId", "at");

-- CreateIndex
CREATE INDEX "RelayAttempt_at_idx" ON "RelayAttempt"("at");

