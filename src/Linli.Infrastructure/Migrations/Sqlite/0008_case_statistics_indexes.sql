-- 0008 case statistics: the cases reported in a period, read through the caller's own scope key (the query adds it as
-- an equality next to the scope filter), so a community's month is one index range however large the table grows.
-- A district (one per database in production) reads the plain "ReportedAt" index of 0007.
CREATE INDEX "IX_cases_CommunityId_ReportedAt" ON "cases" ("CommunityId", "ReportedAt");

CREATE INDEX "IX_cases_StreetId_ReportedAt" ON "cases" ("StreetId", "ReportedAt");
