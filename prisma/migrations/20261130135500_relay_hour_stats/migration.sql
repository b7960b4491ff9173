-- CreateTable
CREATE TABLE "RelayHourStat" (
    "hour" TEXT NOT NULL PRIMARY KEY,
    "accepted" INTEGER NOT NULL DEFAULT 0,
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "deferred" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0
);

-- CreateIndex
CREATE INDEX "RelayMessage_deviceName_receivedAt_idx" ON "RelayMessage"("deviceName", "receivedAt");


-- The hourly chart's counters follow every insert and delete, in the same transaction (triggers
-- see every write path: the relay's raw prepared statements, Prisma, the spool recovery, and the
-- cascade that deletes a message's attempts). Hour = the first 13 characters of the stored UTC
-- time stamp ("YYYY-MM-DDTHH"), as the chart computed it from the rows before.
CREATE TRIGGER "RelayHourStat_message_insert" AFTER INSERT ON "RelayMessage" BEGIN
    INSERT INTO "RelayHourStat" ("hour", "accepted") VALUES (substr(NEW."receivedAt", 1, 13), 1)
        ON CONFLICT("hour") DO UPDATE SET "accepted" = "accepted" + 1;
END;

CREATE TRIGGER "RelayHourStat_message_delete" AFTER DELETE ON "RelayMessage" BEGIN
    UPDATE "RelayHourStat" SET "accepted" = "accepted" - 1 WHERE "hour" = substr(OLD."receivedAt", 1, 13);
END;

CREATE TRIGGER "RelayHourStat_attempt_insert" AFTER INSERT ON "RelayAttempt" WHEN NEW."outcome" IN ('delivered', 'deferred', 'failed') BEGIN
    INSERT INTO "RelayHourStat" ("hour", "delivered", "deferred", "failed")
        VALUES (substr(NEW."at", 1, 13), NEW."outcome" = 'delivered', NEW."outcome" = 'deferred', NEW."outcome" = 'failed')
        ON CONFLICT("hour") DO UPDATE SET
            "delivered" = "delivered" + (NEW."outcome" = 'delivered'),
            "deferred" = "deferred" + (NEW."outcome" = 'deferred'),
            "failed" = "failed" + (NEW."outcome" = 'failed');
END;

CREATE TRIGGER "RelayHourStat_attempt_delete" AFTER DELETE ON "RelayAttempt" WHEN OLD."outcome" IN ('delivered', 'deferred', 'failed') BEGIN
    UPDATE "RelayHourStat" SET
        "delivered" = "delivered" - (OLD."outcome" = 'delivered'),
        "deferred" = "deferred" - (OLD."outcome" = 'deferred'),
        "failed" = "failed" - (OLD."outcome" = 'failed')
    WHERE "hour" = substr(OLD."at", 1, 13);
END;

-- What is already queued and attempted.
INSERT INTO "RelayHourStat" ("hour", "accepted", "delivered", "deferred", "failed")
SELECT "hour", SUM("accepted"), SUM("delivered"), SUM("deferred"), SUM("failed") FROM (
    SELECT substr("receivedAt", 1, 13) AS "hour", 1 AS "accepted", 0 AS "delivered", 0 AS "deferred", 0 AS "failed" FROM "RelayMessage"
    UNION ALL
    SELECT substr("at", 1, 13), 0, "outcome" = 'delivered', "outcome" = 'deferred', "outcome" = 'failed' FROM "RelayAttempt" WHERE "outcome" IN ('delivered', 'deferred', 'failed')
) GROUP BY "hour";
