-- 0003 list indexes: a partial index for the people living alone (the welfare list, and its count, stay small at
-- district scale) and a covering birth-date index for age-band lists across a district.
CREATE INDEX "IX_residents_LivingAlone" ON residents ("CommunityId", "Name", "GridId", "StreetId", "DistrictId") WHERE ("Labels" & 1) <> 0 AND "RoomId" IS NOT NULL;
CREATE INDEX "IX_residents_BirthDate_RoomId_DistrictId_StreetId_CommunityId_~" ON residents ("BirthDate", "RoomId", "DistrictId", "StreetId", "CommunityId", "GridId");
