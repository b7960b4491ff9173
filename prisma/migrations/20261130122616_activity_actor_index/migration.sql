-- CreateIndex
CREATE INDEX "Activity_actor_at_idx" ON "Activity"("actor", "at");
