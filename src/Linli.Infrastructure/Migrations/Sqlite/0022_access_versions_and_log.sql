-- 0022 one card, part two (issue 12): every change of a credential or gate gets the next number of one access version,
-- set by triggers so no write path can forget it. Web nodes rebuild their decision snapshot from the rows whose version
-- is past theirs; an offline controller's whitelist is the same rows past the version it acknowledged. Phone codes'
-- last accepted step per credential (each step opens once, on any node), the controllers' sync state, and the access log.

ALTER TABLE "credentials" ADD COLUMN "Version" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "gates" ADD COLUMN "Version" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "access_versions" (
    "Id" INTEGER NOT NULL PRIMARY KEY CHECK ("Id" = 1),
    "Value" INTEGER NOT NULL
);
INSERT INTO "access_versions" ("Id", "Value") VALUES (1, 0);

-- SQLite's BEFORE triggers cannot change the row: AFTER triggers number it (EF is told not to use RETURNING on these tables).
CREATE TRIGGER "credentials_version_on_insert" AFTER INSERT ON "credentials"
BEGIN
    UPDATE "access_versions" SET "Value" = "Value" + 1 WHERE "Id" = 1;
    UPDATE "credentials" SET "Version" = (SELECT "Value" FROM "access_versions" WHERE "Id" = 1) WHERE "Id" = NEW."Id";
END;

CREATE TRIGGER "credentials_version_on_update" AFTER UPDATE ON "credentials" WHEN NEW."Version" = OLD."Version"
BEGIN
    UPDATE "access_versions" SET "Value" = "Value" + 1 WHERE "Id" = 1;
    UPDATE "credentials" SET "Version" = (SELECT "Value" FROM "access_versions" WHERE "Id" = 1) WHERE "Id" = NEW."Id";
END;

CREATE TRIGGER "gates_version_on_insert" AFTER INSERT ON "gates"
BEGIN
    UPDATE "access_versions" SET "Value" = "Value" + 1 WHERE "Id" = 1;
    UPDATE "gates" SET "Version" = (SELECT "Value" FROM "access_versions" WHERE "Id" = 1) WHERE "Id" = NEW."Id";
END;

CREATE TRIGGER "gates_version_on_update" AFTER UPDATE ON "gates" WHEN NEW."Version" = OLD."Version"
BEGIN
    UPDATE "access_versions" SET "Value" = "Value" + 1 WHERE "Id" = 1;
    UPDATE "gates" SET "Version" = (SELECT "Value" FROM "access_versions" WHERE "Id" = 1) WHERE "Id" = NEW."Id";
END;

-- Rows written before this migration get their numbers too (an update that leaves Version alone fires the trigger).
UPDATE "credentials" SET "Version" = "Version";
UPDATE "gates" SET "Version" = "Version";

CREATE INDEX "IX_credentials_Version" ON "credentials" ("Version");
CREATE INDEX "IX_gates_Version" ON "gates" ("Version");

CREATE TABLE "credential_code_steps" (
    "CredentialId" INTEGER NOT NULL PRIMARY KEY,
    "Step" INTEGER NOT NULL
);

CREATE TABLE "access_controllers" (
    "DeviceId" INTEGER NOT NULL PRIMARY KEY,
    "AckedVersion" INTEGER NOT NULL,
    "LastSyncAt" INTEGER NULL,
    "LastUploadAt" INTEGER NULL,
    "UploadedEvents" INTEGER NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE TABLE "access_log" (
    "Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "At" INTEGER NOT NULL,
    "GateId" INTEGER NOT NULL,
    "BuildingId" INTEGER NULL,
    "ControllerId" INTEGER NULL,
    "CredentialId" INTEGER NULL,
    "PassId" INTEGER NULL,
    "Kind" TEXT NOT NULL,
    "Allowed" INTEGER NOT NULL,
    "Reason" TEXT NULL,
    "Direction" TEXT NOT NULL,
    "Offline" INTEGER NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE INDEX "IX_access_log_GateId_At" ON "access_log" ("GateId", "At");
CREATE INDEX "IX_access_log_CredentialId_At" ON "access_log" ("CredentialId", "At");
CREATE INDEX "IX_access_log_CommunityId_At" ON "access_log" ("CommunityId", "At");

-- The key visitor passes are signed with (ECDSA P-256): controllers get the public half and check passes offline; the
-- private half is kept encrypted like personal data. One row, made by the first node that needs it.
CREATE TABLE access_signing_keys (
    "Id" integer NOT NULL PRIMARY KEY,
    "PrivateKeyProtected" text NOT NULL,
    "PublicKey" text NOT NULL
);
