-- 0021 one card (issue 12): gates with their readers' controllers, credentials (a card's UID only as a keyed hash, a
-- phone code's secret encrypted, a plate) with their rights as JSON, and residents' visitor passes.

CREATE TABLE "gates" (
    "Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "Code" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "BuildingId" INTEGER NULL,
    "Unit" INTEGER NULL,
    "FacilityId" INTEGER NULL,
    "ControllerId" INTEGER NULL,
    "Disabled" INTEGER NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE UNIQUE INDEX "IX_gates_Code" ON "gates" ("Code");
CREATE INDEX "IX_gates_CommunityId_Kind" ON "gates" ("CommunityId", "Kind");
CREATE INDEX "IX_gates_ControllerId" ON "gates" ("ControllerId");

CREATE TABLE "credentials" (
    "Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "Kind" TEXT NOT NULL,
    "Holder" TEXT NOT NULL,
    "ResidentId" INTEGER NULL,
    "HolderName" TEXT NOT NULL,
    "Identifier" TEXT NOT NULL,
    "SecretProtected" TEXT NULL,
    "Status" TEXT NOT NULL,
    "IssuedAt" INTEGER NOT NULL,
    "ValidFrom" INTEGER NULL,
    "ValidUntil" INTEGER NULL,
    "StatusChangedAt" INTEGER NULL,
    "StatusReason" TEXT NULL,
    "ReplacedById" INTEGER NULL,
    "Grants" TEXT NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE INDEX "IX_credentials_Kind_Identifier" ON "credentials" ("Kind", "Identifier");
CREATE INDEX "IX_credentials_ResidentId" ON "credentials" ("ResidentId");
CREATE INDEX "IX_credentials_CommunityId_Status" ON "credentials" ("CommunityId", "Status");

CREATE TABLE "visitor_passes" (
    "Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "HostResidentId" INTEGER NOT NULL,
    "VisitorName" TEXT NOT NULL,
    "VisitorPhoneProtected" TEXT NULL,
    "VisitorPhoneMasked" TEXT NULL,
    "ValidFrom" INTEGER NOT NULL,
    "ValidUntil" INTEGER NOT NULL,
    "AllowedEntries" INTEGER NOT NULL,
    "UsedEntries" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "CancelledAt" INTEGER NULL,
    "Grants" TEXT NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE INDEX "IX_visitor_passes_HostResidentId_ValidUntil" ON "visitor_passes" ("HostResidentId", "ValidUntil");
CREATE INDEX "IX_visitor_passes_CommunityId_ValidUntil" ON "visitor_passes" ("CommunityId", "ValidUntil");
