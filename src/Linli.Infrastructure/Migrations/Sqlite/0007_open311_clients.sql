-- 0007 Open311: the api_keys of outside apps (hashed) with their daily use, what each app sent with a report, and cases by report time.
CREATE TABLE "open311_clients" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_open311_clients" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "KeyHash" TEXT NOT NULL,
    "KeyPrefix" TEXT NOT NULL,
    "Active" INTEGER NOT NULL,
    "DailyLimit" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "CreatedByUserId" INTEGER NOT NULL,
    "RevokedAt" INTEGER NULL,
    "UsedOn" TEXT NULL,
    "UsedToday" INTEGER NOT NULL,
    "LastUsedAt" INTEGER NULL
);

CREATE TABLE "open311_submissions" (
    "CaseId" INTEGER NOT NULL CONSTRAINT "PK_open311_submissions" PRIMARY KEY,
    "ClientId" INTEGER NOT NULL,
    "AccountId" TEXT NULL,
    "MediaUrl" TEXT NULL,
    "SubmittedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_open311_submissions_cases_CaseId" FOREIGN KEY ("CaseId") REFERENCES "cases" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_open311_submissions_open311_clients_ClientId" FOREIGN KEY ("ClientId") REFERENCES "open311_clients" ("Id") ON DELETE RESTRICT
);

CREATE UNIQUE INDEX "IX_open311_clients_KeyHash" ON "open311_clients" ("KeyHash");

CREATE INDEX "IX_open311_submissions_ClientId" ON "open311_submissions" ("ClientId");

-- The public list of requests reads by requested_datetime across the installation.
CREATE INDEX "IX_cases_ReportedAt" ON "cases" ("ReportedAt");
