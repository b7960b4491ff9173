-- Relay daily quota taken atomically per device (lib/relay/devices.ts takeDailyQuota): the day
-- (UTC, "YYYY-MM-DD") and the messages taken on it.
ALTER TABLE "RelayDevice" ADD COLUMN "quotaDay" TEXT NOT NULL DEFAULT '';
ALTER TABLE "RelayDevice" ADD COLUMN "quotaUsed" INTEGER NOT NULL DEFAULT 0;
