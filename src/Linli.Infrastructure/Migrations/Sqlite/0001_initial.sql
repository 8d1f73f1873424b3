-- 0001 initial: registry (nodes, buildings, rooms, occupancies, residents, facilities, organizations) and identity (users, audit, one-time codes, data-protection keys).
CREATE TABLE "audit_entries" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_audit_entries" PRIMARY KEY AUTOINCREMENT,
    "At" INTEGER NOT NULL,
    "UserId" INTEGER NOT NULL,
    "UserName" TEXT NOT NULL,
    "Action" TEXT NOT NULL,
    "SubjectType" TEXT NOT NULL,
    "SubjectId" INTEGER NOT NULL,
    "Detail" TEXT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);


CREATE TABLE "buildings" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_buildings" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Units" INTEGER NOT NULL,
    "Floors" INTEGER NOT NULL,
    "RoomsPerFloor" INTEGER NOT NULL,
    "PlanX" INTEGER NOT NULL,
    "PlanY" INTEGER NOT NULL,
    "PlanWidth" INTEGER NOT NULL,
    "PlanHeight" INTEGER NOT NULL,
    "Latitude" REAL NOT NULL,
    "Longitude" REAL NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);


CREATE TABLE "data_protection_keys" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_data_protection_keys" PRIMARY KEY AUTOINCREMENT,
    "FriendlyName" TEXT NOT NULL,
    "Xml" TEXT NOT NULL
);


CREATE TABLE "facilities" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_facilities" PRIMARY KEY AUTOINCREMENT,
    "Category" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Address" TEXT NULL,
    "Phone" TEXT NULL,
    "Latitude" REAL NOT NULL,
    "Longitude" REAL NOT NULL,
    "PlanX" INTEGER NULL,
    "PlanY" INTEGER NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);


CREATE TABLE "nodes" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_nodes" PRIMARY KEY AUTOINCREMENT,
    "ParentId" INTEGER NULL,
    "Kind" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Code" TEXT NOT NULL,
    "Latitude" REAL NOT NULL,
    "Longitude" REAL NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);


CREATE TABLE "one_time_codes" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_one_time_codes" PRIMARY KEY AUTOINCREMENT,
    "PhoneIndex" TEXT NOT NULL,
    "CodeHash" TEXT NOT NULL,
    "ExpiresAt" INTEGER NOT NULL,
    "Attempts" INTEGER NOT NULL,
    "Used" INTEGER NOT NULL
);


CREATE TABLE "organizations" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_organizations" PRIMARY KEY AUTOINCREMENT,
    "Kind" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "ContactName" TEXT NULL,
    "Phone" TEXT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);


CREATE TABLE "users" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_users" PRIMARY KEY AUTOINCREMENT,
    "UserName" TEXT NOT NULL,
    "DisplayName" TEXT NOT NULL,
    "PasswordHash" TEXT NOT NULL,
    "Role" TEXT NOT NULL,
    "NodeId" INTEGER NOT NULL,
    "ResidentId" INTEGER NULL,
    "OrganizationId" INTEGER NULL,
    "PhoneIndex" TEXT NULL,
    "PhoneProtected" TEXT NULL,
    "FailedSignIns" INTEGER NOT NULL,
    "LockedUntil" INTEGER NULL
);


CREATE TABLE "rooms" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_rooms" PRIMARY KEY AUTOINCREMENT,
    "BuildingId" INTEGER NOT NULL,
    "UnitNo" INTEGER NOT NULL,
    "Floor" INTEGER NOT NULL,
    "Number" TEXT NOT NULL,
    "AreaM2" TEXT NOT NULL,
    "Occupancy" TEXT NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL,
    CONSTRAINT "FK_rooms_buildings_BuildingId" FOREIGN KEY ("BuildingId") REFERENCES "buildings" ("Id") ON DELETE RESTRICT
);


CREATE TABLE "residents" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_residents" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Gender" TEXT NOT NULL,
    "BirthDate" TEXT NOT NULL,
    "RoomId" INTEGER NULL,
    "Relation" TEXT NULL,
    "Labels" INTEGER NOT NULL,
    "IdNumberProtected" TEXT NOT NULL,
    "IdNumberMasked" TEXT NOT NULL,
    "IdNumberIndex" TEXT NOT NULL,
    "IdNumberLast4" TEXT NOT NULL,
    "PhoneProtected" TEXT NULL,
    "PhoneMasked" TEXT NULL,
    "PhoneIndex" TEXT NULL,
    "PhoneLast4" TEXT NULL,
    "EmergencyContactName" TEXT NULL,
    "EmergencyContactPhoneProtected" TEXT NULL,
    "EmergencyContactPhoneMasked" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL,
    CONSTRAINT "FK_residents_rooms_RoomId" FOREIGN KEY ("RoomId") REFERENCES "rooms" ("Id") ON DELETE RESTRICT
);


CREATE TABLE "room_occupancies" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_room_occupancies" PRIMARY KEY AUTOINCREMENT,
    "RoomId" INTEGER NOT NULL,
    "ResidentId" INTEGER NOT NULL,
    "Relation" TEXT NOT NULL,
    "MovedInOn" TEXT NOT NULL,
    "MovedOutOn" TEXT NULL,
    "LeaseEnd" TEXT NULL,
    CONSTRAINT "FK_room_occupancies_residents_ResidentId" FOREIGN KEY ("ResidentId") REFERENCES "residents" ("Id") ON DELETE RESTRICT,
    CONSTRAINT "FK_room_occupancies_rooms_RoomId" FOREIGN KEY ("RoomId") REFERENCES "rooms" ("Id") ON DELETE CASCADE
);


CREATE INDEX "IX_audit_entries_At" ON "audit_entries" ("At");


CREATE INDEX "IX_audit_entries_CommunityId" ON "audit_entries" ("CommunityId");


CREATE INDEX "IX_audit_entries_StreetId" ON "audit_entries" ("StreetId");


CREATE INDEX "IX_audit_entries_SubjectType_SubjectId" ON "audit_entries" ("SubjectType", "SubjectId");


CREATE INDEX "IX_buildings_CommunityId" ON "buildings" ("CommunityId");


CREATE INDEX "IX_buildings_GridId" ON "buildings" ("GridId");


CREATE INDEX "IX_buildings_StreetId" ON "buildings" ("StreetId");


CREATE INDEX "IX_facilities_CommunityId" ON "facilities" ("CommunityId");


CREATE INDEX "IX_facilities_GridId" ON "facilities" ("GridId");


CREATE INDEX "IX_facilities_StreetId" ON "facilities" ("StreetId");


CREATE UNIQUE INDEX "IX_nodes_Code" ON "nodes" ("Code");


CREATE INDEX "IX_nodes_CommunityId" ON "nodes" ("CommunityId");


CREATE INDEX "IX_nodes_GridId" ON "nodes" ("GridId");


CREATE INDEX "IX_nodes_ParentId" ON "nodes" ("ParentId");


CREATE INDEX "IX_nodes_StreetId" ON "nodes" ("StreetId");


CREATE INDEX "IX_one_time_codes_PhoneIndex" ON "one_time_codes" ("PhoneIndex");


CREATE INDEX "IX_organizations_CommunityId" ON "organizations" ("CommunityId");


CREATE INDEX "IX_organizations_GridId" ON "organizations" ("GridId");


CREATE INDEX "IX_organizations_StreetId" ON "organizations" ("StreetId");


CREATE INDEX "IX_residents_CommunityId_GridId_BirthDate_Gender_Labels" ON "residents" ("CommunityId", "GridId", "BirthDate", "Gender", "Labels");


CREATE INDEX "IX_residents_CommunityId_Name" ON "residents" ("CommunityId", "Name");


CREATE INDEX "IX_residents_GridId" ON "residents" ("GridId");


CREATE INDEX "IX_residents_GridId_Name" ON "residents" ("GridId", "Name");


CREATE UNIQUE INDEX "IX_residents_IdNumberIndex" ON "residents" ("IdNumberIndex");


CREATE INDEX "IX_residents_IdNumberLast4" ON "residents" ("IdNumberLast4");


CREATE INDEX "IX_residents_Name" ON "residents" ("Name");


CREATE INDEX "IX_residents_PhoneIndex" ON "residents" ("PhoneIndex");


CREATE INDEX "IX_residents_PhoneLast4" ON "residents" ("PhoneLast4");


CREATE INDEX "IX_residents_RoomId" ON "residents" ("RoomId");


CREATE INDEX "IX_residents_StreetId" ON "residents" ("StreetId");


CREATE INDEX "IX_room_occupancies_ResidentId" ON "room_occupancies" ("ResidentId");


CREATE INDEX "IX_room_occupancies_RoomId" ON "room_occupancies" ("RoomId");


CREATE UNIQUE INDEX "IX_rooms_BuildingId_UnitNo_Number" ON "rooms" ("BuildingId", "UnitNo", "Number");


CREATE INDEX "IX_rooms_CommunityId" ON "rooms" ("CommunityId");


CREATE INDEX "IX_rooms_CommunityId_Occupancy" ON "rooms" ("CommunityId", "Occupancy");


CREATE INDEX "IX_rooms_GridId" ON "rooms" ("GridId");


CREATE INDEX "IX_rooms_StreetId" ON "rooms" ("StreetId");


CREATE INDEX "IX_users_PhoneIndex" ON "users" ("PhoneIndex");


CREATE UNIQUE INDEX "IX_users_UserName" ON "users" ("UserName");



