-- 0017 import jobs: an uploaded file on its way into the registry, kept in the database so that any web node may take the
-- upload, run it and answer its polls. The node running a job claims it ("ClaimedBy" until "ClaimedUntil", renewed with
-- the progress, a conditional UPDATE); a claim that runs out is taken over. Finished jobs are deleted after an hour.

CREATE TABLE import_jobs (
    "Id" character varying(32) NOT NULL,
    "Kind" character varying(20) NOT NULL,
    "FileName" character varying(255) NOT NULL,
    "FileKey" character varying(80),
    "CommunityId" integer NOT NULL,
    "UserId" integer NOT NULL,
    "UserName" character varying(40) NOT NULL,
    "ScopeLevel" character varying(20) NOT NULL,
    "ScopeId" integer NOT NULL,
    "ScopeHouseholdBuildingId" integer NOT NULL,
    "ScopeCommunityId" integer NOT NULL,
    "State" character varying(20) NOT NULL,
    "ProcessedRows" integer NOT NULL,
    "TotalRows" integer NOT NULL,
    "Errors" text NOT NULL,
    "ErrorsCount" integer NOT NULL,
    "ImportedRooms" integer,
    "ImportedResidents" integer,
    "Message" character varying(400),
    "CreatedAt" timestamp with time zone NOT NULL,
    "UpdatedAt" timestamp with time zone NOT NULL,
    "FinishedAt" timestamp with time zone,
    "ClaimedBy" character varying(80),
    "ClaimedUntil" timestamp with time zone,
    "Attempts" integer NOT NULL,
    CONSTRAINT "PK_import_jobs" PRIMARY KEY ("Id")
);

CREATE INDEX "IX_import_jobs_FinishedAt" ON import_jobs ("FinishedAt");
CREATE INDEX "IX_import_jobs_State_ClaimedUntil" ON import_jobs ("State", "ClaimedUntil");
