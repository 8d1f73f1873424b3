-- 0019 exchange with the higher platform: the link the web nodes share (who pushes now, when statistics are next due),
-- the upward outbox (each message once by its id, its attempts for the push log), and the tasks and notices that came
-- down (kept by message id, so a repeated message creates nothing twice).

CREATE TABLE "hierarchy_links" (
    "Name" TEXT NOT NULL CONSTRAINT "PK_hierarchy_links" PRIMARY KEY,
    "PushingBy" TEXT NULL,
    "PushingUntil" INTEGER NULL,
    "StatisticsDueAt" INTEGER NOT NULL
);

CREATE TABLE "upstream_pushes" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_upstream_pushes" PRIMARY KEY AUTOINCREMENT,
    "MessageId" TEXT NOT NULL,
    "Type" TEXT NOT NULL,
    "Subject" TEXT NOT NULL,
    "Payload" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "Attempts" INTEGER NOT NULL,
    "NextAttemptAt" INTEGER NOT NULL,
    "DeliveredAt" INTEGER NULL,
    "LastStatus" INTEGER NULL,
    "LastError" TEXT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE UNIQUE INDEX "IX_upstream_pushes_MessageId" ON "upstream_pushes" ("MessageId");
CREATE INDEX "IX_upstream_pushes_DeliveredAt_Id" ON "upstream_pushes" ("DeliveredAt", "Id");
CREATE INDEX "IX_upstream_pushes_DistrictId_StreetId_CommunityId" ON "upstream_pushes" ("DistrictId", "StreetId", "CommunityId");

CREATE TABLE "inbound_messages" (
    "MessageId" TEXT NOT NULL CONSTRAINT "PK_inbound_messages" PRIMARY KEY,
    "Type" TEXT NOT NULL,
    "Reference" TEXT NOT NULL,
    "BodyHash" TEXT NOT NULL,
    "ReceivedAt" INTEGER NOT NULL,
    "CaseId" INTEGER NULL,
    "NoticeId" INTEGER NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE INDEX "IX_inbound_messages_CaseId" ON "inbound_messages" ("CaseId");
CREATE INDEX "IX_inbound_messages_DistrictId_StreetId_CommunityId" ON "inbound_messages" ("DistrictId", "StreetId", "CommunityId");
