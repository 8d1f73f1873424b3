-- 0021 reading ids handed out a thousand at a time per connection: the ingestion writer copies through two connections
-- at once, and taking each id from the shared sequence one by one (a buffer lock per row, a WAL record every 32) was
-- part of what a copied row cost. Ids stay unique; across connections they are no longer in commit order, which the
-- roll-up already allows for (TelemetryRetention's IdMargin is a million).
ALTER TABLE device_readings ALTER COLUMN "Id" SET CACHE 1000;
