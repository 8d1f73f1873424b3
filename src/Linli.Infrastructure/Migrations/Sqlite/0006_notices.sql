-- 0006 notices (信息发布): notices placed at a node of the hierarchy, the buildings they are sent to, and read receipts
-- (one per account and notice, placed where the reader lives or works).
CREATE TABLE "notices" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_notices" PRIMARY KEY AUTOINCREMENT,
    "NodeId" INTEGER NOT NULL,
    "FromName" TEXT NOT NULL,
    "AuthorId" INTEGER NOT NULL,
    "AuthorName" TEXT NOT NULL,
    "Title" TEXT NOT NULL,
    "Body" TEXT NOT NULL,
    "PublishAt" INTEGER NOT NULL,
    "ExpiresAt" INTEGER NULL,
    "Pinned" INTEGER NOT NULL,
    "Urgent" INTEGER NOT NULL,
    "Groups" INTEGER NOT NULL,
    "RoleMask" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "WithdrawnAt" INTEGER NULL,
    "WithdrawnById" INTEGER NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL,
    CONSTRAINT "FK_notices_nodes_NodeId" FOREIGN KEY ("NodeId") REFERENCES "nodes" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_notices_users_AuthorId" FOREIGN KEY ("AuthorId") REFERENCES "users" ("Id") ON DELETE RESTRICT
);
CREATE TABLE "notice_buildings" (
    "BuildingId" INTEGER NOT NULL,
    "NoticeId" INTEGER NOT NULL,
    CONSTRAINT "PK_notice_buildings" PRIMARY KEY ("NoticeId", "BuildingId"),
    CONSTRAINT "FK_notice_buildings_buildings_BuildingId" FOREIGN KEY ("BuildingId") REFERENCES "buildings" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_notice_buildings_notices_NoticeId" FOREIGN KEY ("NoticeId") REFERENCES "notices" ("Id") ON DELETE CASCADE
);
CREATE TABLE "notice_reads" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_notice_reads" PRIMARY KEY AUTOINCREMENT,
    "NoticeId" INTEGER NOT NULL,
    "UserId" INTEGER NOT NULL,
    "ResidentId" INTEGER NULL,
    "RoomId" INTEGER NULL,
    "BuildingId" INTEGER NULL,
    "At" INTEGER NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL,
    CONSTRAINT "FK_notice_reads_notices_NoticeId" FOREIGN KEY ("NoticeId") REFERENCES "notices" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_notice_reads_users_UserId" FOREIGN KEY ("UserId") REFERENCES "users" ("Id") ON DELETE RESTRICT
);
CREATE INDEX "IX_notice_buildings_BuildingId" ON "notice_buildings" ("BuildingId");
CREATE INDEX "IX_notice_reads_NoticeId_RoomId" ON "notice_reads" ("NoticeId", "RoomId");
CREATE UNIQUE INDEX "IX_notice_reads_NoticeId_UserId" ON "notice_reads" ("NoticeId", "UserId");
CREATE INDEX "IX_notice_reads_UserId" ON "notice_reads" ("UserId");
CREATE INDEX "IX_notices_AuthorId" ON "notices" ("AuthorId");
CREATE INDEX "IX_notices_CommunityId" ON "notices" ("CommunityId");
CREATE INDEX "IX_notices_DistrictId_PublishAt" ON "notices" ("DistrictId", "PublishAt");
CREATE INDEX "IX_notices_GridId" ON "notices" ("GridId");
CREATE INDEX "IX_notices_NodeId" ON "notices" ("NodeId");
CREATE INDEX "IX_notices_StreetId" ON "notices" ("StreetId");
