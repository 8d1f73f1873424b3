-- 0005 cases: categories, cases with their timeline, durable SLA timers, me-too followers and photos.
CREATE TABLE "case_categories" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_case_categories" PRIMARY KEY AUTOINCREMENT,
    "Code" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Group" TEXT NOT NULL,
    "Description" TEXT NULL,
    "DefaultKind" TEXT NOT NULL,
    "Level" TEXT NOT NULL,
    "Mode" TEXT NOT NULL,
    "ResponseMinutes" INTEGER NOT NULL,
    "ResolutionMinutes" INTEGER NOT NULL,
    "InHome" INTEGER NOT NULL,
    "Active" INTEGER NOT NULL
);

CREATE TABLE "cases" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_cases" PRIMARY KEY AUTOINCREMENT,
    "CategoryId" INTEGER NOT NULL,
    "Kind" TEXT NOT NULL,
    "Source" TEXT NOT NULL,
    "Title" TEXT NOT NULL,
    "Description" TEXT NULL,
    "Status" TEXT NOT NULL,
    "Finished" INTEGER NOT NULL,
    "Level" TEXT NOT NULL,
    "Mode" TEXT NOT NULL,
    "OrganizationId" INTEGER NULL,
    "AssigneeUserId" INTEGER NULL,
    "AssigneeName" TEXT NULL,
    "Address" TEXT NOT NULL,
    "BuildingId" INTEGER NULL,
    "RoomId" INTEGER NULL,
    "FacilityId" INTEGER NULL,
    "Latitude" REAL NULL,
    "Longitude" REAL NULL,
    "Private" INTEGER NOT NULL,
    "ReporterUserId" INTEGER NULL,
    "ReporterRoomId" INTEGER NULL,
    "ReporterName" TEXT NOT NULL,
    "ReporterPhoneMasked" TEXT NULL,
    "ReporterPhoneProtected" TEXT NULL,
    "ExternalClient" TEXT NULL,
    "ReportedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "AcceptedAt" INTEGER NULL,
    "HandledAt" INTEGER NULL,
    "ClosedAt" INTEGER NULL,
    "ResponseDueAt" INTEGER NOT NULL,
    "ResolutionDueAt" INTEGER NOT NULL,
    "OverdueSince" INTEGER NULL,
    "ResponseBreached" INTEGER NOT NULL,
    "ResolutionBreached" INTEGER NOT NULL,
    "SlaRound" INTEGER NOT NULL,
    "Resolution" TEXT NULL,
    "RejectReason" TEXT NULL,
    "Rating" INTEGER NULL,
    "RatingComment" TEXT NULL,
    "LastRemindedAt" INTEGER NULL,
    "RemindCount" INTEGER NOT NULL,
    "EscalationCount" INTEGER NOT NULL,
    "ReopenCount" INTEGER NOT NULL,
    "MeTooCount" INTEGER NOT NULL,
    "ReportPhotos" INTEGER NOT NULL,
    "HandlingPhotos" INTEGER NOT NULL,
    "Version" INTEGER NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL,
    CONSTRAINT "FK_cases_case_categories_CategoryId" FOREIGN KEY ("CategoryId") REFERENCES "case_categories" ("Id") ON DELETE RESTRICT
);

CREATE TABLE "case_attachments" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_case_attachments" PRIMARY KEY AUTOINCREMENT,
    "CaseId" INTEGER NOT NULL,
    "Stage" TEXT NOT NULL,
    "StoragePath" TEXT NOT NULL,
    "ContentType" TEXT NOT NULL,
    "Length" INTEGER NOT NULL,
    "UploadedBy" INTEGER NOT NULL,
    "At" INTEGER NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL,
    CONSTRAINT "FK_case_attachments_cases_CaseId" FOREIGN KEY ("CaseId") REFERENCES "cases" ("Id") ON DELETE CASCADE
);

CREATE TABLE "case_events" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_case_events" PRIMARY KEY AUTOINCREMENT,
    "CaseId" INTEGER NOT NULL,
    "At" INTEGER NOT NULL,
    "ActorUserId" INTEGER NOT NULL,
    "ActorName" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "FromStatus" TEXT NULL,
    "ToStatus" TEXT NULL,
    "Note" TEXT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL,
    CONSTRAINT "FK_case_events_cases_CaseId" FOREIGN KEY ("CaseId") REFERENCES "cases" ("Id") ON DELETE CASCADE
);

CREATE TABLE "case_followers" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_case_followers" PRIMARY KEY AUTOINCREMENT,
    "CaseId" INTEGER NOT NULL,
    "UserId" INTEGER NOT NULL,
    "RoomId" INTEGER NULL,
    "At" INTEGER NOT NULL,
    CONSTRAINT "FK_case_followers_cases_CaseId" FOREIGN KEY ("CaseId") REFERENCES "cases" ("Id") ON DELETE CASCADE
);

CREATE TABLE "case_timers" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_case_timers" PRIMARY KEY AUTOINCREMENT,
    "CaseId" INTEGER NOT NULL,
    "Kind" TEXT NOT NULL,
    "DueAt" INTEGER NOT NULL,
    "Round" INTEGER NOT NULL,
    CONSTRAINT "FK_case_timers_cases_CaseId" FOREIGN KEY ("CaseId") REFERENCES "cases" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_case_attachments_CaseId" ON "case_attachments" ("CaseId");

CREATE UNIQUE INDEX "IX_case_categories_Code" ON "case_categories" ("Code");

CREATE INDEX "IX_case_events_CaseId_At" ON "case_events" ("CaseId", "At");

CREATE UNIQUE INDEX "IX_case_followers_CaseId_UserId" ON "case_followers" ("CaseId", "UserId");

CREATE INDEX "IX_case_followers_RoomId" ON "case_followers" ("RoomId");

CREATE INDEX "IX_case_timers_CaseId" ON "case_timers" ("CaseId");

CREATE INDEX "IX_case_timers_DueAt" ON "case_timers" ("DueAt");

CREATE INDEX "IX_cases_AssigneeUserId_Status" ON "cases" ("AssigneeUserId", "Status");

CREATE INDEX "IX_cases_BuildingId_CategoryId_ReportedAt" ON "cases" ("BuildingId", "CategoryId", "ReportedAt");

CREATE INDEX "IX_cases_CategoryId" ON "cases" ("CategoryId");

CREATE INDEX "IX_cases_CommunityId_Finished_ResolutionDueAt" ON "cases" ("CommunityId", "Finished", "ResolutionDueAt");

CREATE INDEX "IX_cases_DistrictId_Finished_ResolutionDueAt" ON "cases" ("DistrictId", "Finished", "ResolutionDueAt");

CREATE INDEX "IX_cases_GridId_Finished_ResolutionDueAt" ON "cases" ("GridId", "Finished", "ResolutionDueAt");

CREATE INDEX "IX_cases_ReporterRoomId_ReportedAt" ON "cases" ("ReporterRoomId", "ReportedAt");

CREATE INDEX "IX_cases_ReporterUserId_ReportedAt" ON "cases" ("ReporterUserId", "ReportedAt");

CREATE INDEX "IX_cases_StreetId_Finished_ResolutionDueAt" ON "cases" ("StreetId", "Finished", "ResolutionDueAt");
