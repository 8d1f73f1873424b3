-- 0004 the people living alone across a whole district: SQLite uses a partial index only through an equality on its
-- first column, so the district-wide list gets its own, led by the district (same index on both databases).
CREATE INDEX "IX_residents_LivingAlone_District" ON residents ("DistrictId", "Name", "StreetId", "CommunityId", "GridId") WHERE ("Labels" & 1) <> 0 AND "RoomId" IS NOT NULL;
