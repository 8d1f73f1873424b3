-- 0009 staff queues on a million cases (bench/README.md, "Cases"): each scope key with the open/finished flag, then
-- the category and the deadline, for a queue filtered by category (both databases otherwise went through the category
-- index: 170,000 rows for the commonest category to count one street's open cases of it; a grid's few hundred open
-- cases need none); and each scope key with the flag and the report time, for finished cases newest first (otherwise
-- every closed case of the area was read and sorted).
CREATE INDEX "IX_cases_CommunityId_Finished_CategoryId_ResolutionDueAt" ON "cases" ("CommunityId", "Finished", "CategoryId", "ResolutionDueAt");

CREATE INDEX "IX_cases_StreetId_Finished_CategoryId_ResolutionDueAt" ON "cases" ("StreetId", "Finished", "CategoryId", "ResolutionDueAt");

CREATE INDEX "IX_cases_DistrictId_Finished_CategoryId_ResolutionDueAt" ON "cases" ("DistrictId", "Finished", "CategoryId", "ResolutionDueAt");

CREATE INDEX "IX_cases_CommunityId_Finished_ReportedAt" ON "cases" ("CommunityId", "Finished", "ReportedAt");

CREATE INDEX "IX_cases_StreetId_Finished_ReportedAt" ON "cases" ("StreetId", "Finished", "ReportedAt");

CREATE INDEX "IX_cases_DistrictId_Finished_ReportedAt" ON "cases" ("DistrictId", "Finished", "ReportedAt");

CREATE INDEX "IX_cases_GridId_Finished_ReportedAt" ON "cases" ("GridId", "Finished", "ReportedAt");
