-- 0023 parking (停车导航): car parks with their space counts and tariff versions as JSON, numbered spaces with the plates of
-- the resident they are assigned to (a JSON array), monthly passes, black- and whitelists, and the stays from the entry
-- barrier to the exit barrier with their payments as JSON. One stay inside per plate and lot, held by a partial index.

CREATE TABLE "parking_lots" (
    "Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "Code" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "FacilityId" INTEGER NULL,
    "OwnedSpaces" INTEGER NOT NULL,
    "RentedSpaces" INTEGER NOT NULL,
    "VisitorSpaces" INTEGER NOT NULL,
    "UnpaidExit" TEXT NOT NULL,
    "Tariffs" TEXT NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE UNIQUE INDEX "IX_parking_lots_CommunityId_Code" ON "parking_lots" ("CommunityId", "Code");

CREATE TABLE "parking_spaces" (
    "Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "LotId" INTEGER NOT NULL,
    "Number" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "ResidentId" INTEGER NULL,
    "Plates" TEXT NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE UNIQUE INDEX "IX_parking_spaces_LotId_Number" ON "parking_spaces" ("LotId", "Number");
CREATE INDEX "IX_parking_spaces_ResidentId" ON "parking_spaces" ("ResidentId");

CREATE TABLE "monthly_passes" (
    "Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "LotId" INTEGER NOT NULL,
    "Plate" TEXT NOT NULL,
    "ResidentId" INTEGER NULL,
    "ValidFrom" TEXT NOT NULL,
    "ValidUntil" TEXT NOT NULL,
    "Price" TEXT NOT NULL,
    "CancelledAt" INTEGER NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE INDEX "IX_monthly_passes_LotId_Plate" ON "monthly_passes" ("LotId", "Plate");
CREATE INDEX "IX_monthly_passes_ResidentId" ON "monthly_passes" ("ResidentId");

CREATE TABLE "parking_plate_lists" (
    "Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "LotId" INTEGER NOT NULL,
    "Plate" TEXT NOT NULL,
    "List" TEXT NOT NULL,
    "Reason" TEXT NOT NULL,
    "AddedAt" INTEGER NOT NULL,
    "Until" INTEGER NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE INDEX "IX_parking_plate_lists_LotId_Plate" ON "parking_plate_lists" ("LotId", "Plate");

CREATE TABLE "parking_sessions" (
    "Id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "LotId" INTEGER NOT NULL,
    "Plate" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "State" TEXT NOT NULL,
    "EntryAt" INTEGER NOT NULL,
    "ExitAt" INTEGER NULL,
    "LeaveBy" INTEGER NULL,
    "Charged" TEXT NOT NULL,
    "Due" TEXT NOT NULL,
    "Payments" TEXT NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE UNIQUE INDEX "IX_parking_sessions_inside_LotId_Plate" ON "parking_sessions" ("LotId", "Plate") WHERE "State" <> 'Closed';
CREATE INDEX "IX_parking_sessions_LotId_State_Kind" ON "parking_sessions" ("LotId", "State", "Kind");
CREATE INDEX "IX_parking_sessions_LotId_EntryAt" ON "parking_sessions" ("LotId", "EntryAt");
CREATE INDEX "IX_parking_sessions_Plate_EntryAt" ON "parking_sessions" ("Plate", "EntryAt");
CREATE INDEX "IX_parking_sessions_CommunityId_EntryAt" ON "parking_sessions" ("CommunityId", "EntryAt");
