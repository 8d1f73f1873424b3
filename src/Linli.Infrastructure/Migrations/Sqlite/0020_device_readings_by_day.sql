-- 0020 raw telemetry by day on SQLite (PostgreSQL's 0020 partitions by month). device_readings becomes a view over:
--   device_readings_inbox      what the ingestion writer has committed and not yet moved: no index but the row id, so a
--                              commit costs about the rows it adds, not a page of a large index per row;
--   device_readings_YYYYMMDD   one table per UTC day, each with its own (DeviceId, Metric, At) index, filled from the inbox
--                              in large sorted moves and dropped whole once the day is past retention;
--   device_readings_default    the readings stored before this migration, and readings of days no day table covers.
-- The writer and the retention job create day tables and rebuild the view (Persistence/SqliteReadingDays.cs). Ids keep
-- coming from the inbox's sequence, so they stay unique and increasing across every part.

ALTER TABLE "device_readings" RENAME TO "device_readings_default";

CREATE TABLE "device_readings_inbox" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_device_readings_inbox" PRIMARY KEY AUTOINCREMENT,
    "DeviceId" INTEGER NOT NULL,
    "At" INTEGER NOT NULL,
    "Metric" TEXT NOT NULL,
    "Value" REAL NOT NULL,
    "Text" TEXT NULL,
    "IsEvent" INTEGER NOT NULL
);

-- The inbox's ids continue above every id handed out so far (also those of rows already deleted).
INSERT INTO sqlite_sequence (name, seq) SELECT 'device_readings_inbox', MAX(
    COALESCE((SELECT MAX("Id") FROM "device_readings_default"), 0),
    COALESCE((SELECT MAX(seq) FROM sqlite_sequence WHERE name IN ('device_readings', 'device_readings_default')), 0));

CREATE VIEW "device_readings" AS
    SELECT "Id", "DeviceId", "At", "Metric", "Value", "Text", "IsEvent" FROM "device_readings_default"
    UNION ALL
    SELECT "Id", "DeviceId", "At", "Metric", "Value", "Text", "IsEvent" FROM "device_readings_inbox";
