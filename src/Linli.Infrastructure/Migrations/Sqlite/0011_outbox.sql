-- 0011 outbox: domain events written in the transaction of the change that raised them, delivered after the commit.
-- A row is leased to the node that wrote it; when the lease runs out undelivered (a crash), any node takes it over.

CREATE TABLE "outbox_messages" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_outbox_messages" PRIMARY KEY AUTOINCREMENT,
    "Type" TEXT NOT NULL,
    "Payload" TEXT NOT NULL,
    "OccurredAt" INTEGER NOT NULL,
    "LockedUntil" INTEGER NOT NULL,
    "Attempts" INTEGER NOT NULL
);

CREATE INDEX "IX_outbox_messages_LockedUntil" ON "outbox_messages" ("LockedUntil");
