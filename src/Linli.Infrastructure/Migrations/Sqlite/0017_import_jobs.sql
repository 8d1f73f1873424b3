-- 0017 import jobs: an uploaded file on its way into the registry, kept in the database so that any web node may take the
-- upload, run it and answer its polls. The node running a job claims it ("ClaimedBy" until "ClaimedUntil", renewed with
-- the progress); a claim that runs out is taken over. Finished jobs are deleted after an hour.

CREATE TABLE "import_jobs" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_import_jobs" PRIMARY KEY,
    "Kind" TEXT NOT NULL,
    "FileName" TEXT NOT NULL,
    "FileKey" TEXT NULL,
    "CommunityId" INTEGER NOT NULL,
    "UserId" INTEGER NOT NULL,
    "UserName" TEXT NOT NULL,
    "ScopeLevel" TEXT NOT NULL,
    "ScopeId" INTEGER NOT NULL,
    "ScopeHouseholdBuildingId" INTEGER NOT NULL,
    "ScopeCommunityId" INTEGER NOT NULL,
    "State" TEXT NOT NULL,
    "ProcessedRows" INTEGER NOT NULL,
    "TotalRows" INTEGER NOT NULL,
    "Errors" TEXT NOT NULL,
    "ErrorsCount" INTEGER NOT NULL,
    "ImportedRooms" INTEGER NULL,
    "ImportedResidents" INTEGER NULL,
    "Message" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "FinishedAt" INTEGER NULL,
    "ClaimedBy" TEXT NULL,
    "ClaimedUntil" INTEGER NULL,
    "Attempts" INTEGER NOT NULL
);

CREATE INDEX "IX_import_jobs_FinishedAt" ON "import_jobs" ("FinishedAt");
CREATE INDEX "IX_import_jobs_State_ClaimedUntil" ON "import_jobs" ("State", "ClaimedUntil");
