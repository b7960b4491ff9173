-- The Relay page at 100,000 queued (npm run bench -- --relay-only): the oldest deferred message,
-- a state's queue page newest first, delivered in 24 h, and the hourly chart without row lookups.
-- DropIndex
DROP INDEX "RelayAttempt_at_idx";

-- CreateIndex
CREATE INDEX "RelayMessage_state_receivedAt_idx" ON "RelayMessage"("state", "receivedAt");

-- CreateIndex
CREATE INDEX "RelayMessage_deliveredAt_idx" ON "RelayMessage"("deliveredAt");

-- CreateIndex
CREATE INDEX "RelayAttempt_at_outcome_idx" ON "RelayAttempt"("at", "outcome");

