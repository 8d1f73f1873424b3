-- 0002 statistics indexes: covering indexes in the order the statistics group by, with the scope keys (and RoomId, for
-- "living here") inside, so each statistics answer is one index-only pass; and lease ends for "leases ending soon".
DROP INDEX "IX_residents_CommunityId_GridId_BirthDate_Gender_Labels";
CREATE INDEX "IX_residents_CommunityId_GridId_Gender_Labels_BirthDate_RoomId~" ON residents ("CommunityId", "GridId", "Gender", "Labels", "BirthDate", "RoomId", "StreetId", "DistrictId");

DROP INDEX "IX_rooms_CommunityId_Occupancy";
CREATE INDEX "IX_rooms_CommunityId_GridId_BuildingId_Occupancy_StreetId_Dist~" ON rooms ("CommunityId", "GridId", "BuildingId", "Occupancy", "StreetId", "DistrictId");

CREATE INDEX "IX_room_occupancies_LeaseEnd" ON room_occupancies ("LeaseEnd");
