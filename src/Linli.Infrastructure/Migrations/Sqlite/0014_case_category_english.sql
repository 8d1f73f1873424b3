-- 0014 case category English: the name, group and description of a category in English, for residents and staff who
-- read the pages in English (empty: they read the Chinese). The default categories still named as shipped get theirs; one
-- the operators renamed keeps only its Chinese until they give it English words.

ALTER TABLE "case_categories" ADD COLUMN "NameEn" TEXT NULL;
ALTER TABLE "case_categories" ADD COLUMN "GroupEn" TEXT NULL;
ALTER TABLE "case_categories" ADD COLUMN "DescriptionEn" TEXT NULL;

UPDATE "case_categories" SET "NameEn" = 'Water and power at home', "GroupEn" = 'Repairs', "DescriptionEn" = 'Leaks, blockages, tripped switches and other problems inside the home' WHERE "Code" = 'plumbing' AND "Name" = '室内水电维修';
UPDATE "case_categories" SET "NameEn" = 'Doors, windows and entry system', "GroupEn" = 'Repairs', "DescriptionEn" = NULL WHERE "Code" = 'door-lock' AND "Name" = '门窗门禁故障';
UPDATE "case_categories" SET "NameEn" = 'Lift fault', "GroupEn" = 'Repairs', "DescriptionEn" = 'If someone is trapped, call on the emergency phone inside the lift' WHERE "Code" = 'lift' AND "Name" = '电梯故障';
UPDATE "case_categories" SET "NameEn" = 'Public lighting', "GroupEn" = 'Repairs', "DescriptionEn" = NULL WHERE "Code" = 'lighting' AND "Name" = '公共照明';
UPDATE "case_categories" SET "NameEn" = 'Leaking shared pipes', "GroupEn" = 'Repairs', "DescriptionEn" = NULL WHERE "Code" = 'leak-public' AND "Name" = '公共管道漏水';
UPDATE "case_categories" SET "NameEn" = 'Cleanliness', "GroupEn" = 'Environment', "DescriptionEn" = NULL WHERE "Code" = 'sanitation' AND "Name" = '环境卫生';
UPDATE "case_categories" SET "NameEn" = 'Trees and green spaces', "GroupEn" = 'Environment', "DescriptionEn" = NULL WHERE "Code" = 'greenery' AND "Name" = '绿化养护';
UPDATE "case_categories" SET "NameEn" = 'Badly parked vehicles', "GroupEn" = 'Public order', "DescriptionEn" = NULL WHERE "Code" = 'parking' AND "Name" = '车辆乱停';
UPDATE "case_categories" SET "NameEn" = 'Fire hazard', "GroupEn" = 'Safety', "DescriptionEn" = 'Blocked fire exits, e-bikes charged in the stairwell and the like' WHERE "Code" = 'fire-safety' AND "Name" = '消防安全隐患';
UPDATE "case_categories" SET "NameEn" = 'Dispute between neighbours', "GroupEn" = 'Mediation', "DescriptionEn" = NULL WHERE "Code" = 'neighbour-dispute' AND "Name" = '邻里纠纷';
UPDATE "case_categories" SET "NameEn" = 'Noise nuisance', "GroupEn" = 'Mediation', "DescriptionEn" = NULL WHERE "Code" = 'noise' AND "Name" = '噪音扰民';
UPDATE "case_categories" SET "NameEn" = 'Unauthorised building work', "GroupEn" = 'City management', "DescriptionEn" = NULL WHERE "Code" = 'illegal-construction' AND "Name" = '违章搭建';
UPDATE "case_categories" SET "NameEn" = 'Damaged public facilities', "GroupEn" = 'City management', "DescriptionEn" = 'Roads, street lights, manhole covers and the like outside the estate' WHERE "Code" = 'public-facility' AND "Name" = '市政设施损坏';
UPDATE "case_categories" SET "NameEn" = 'Comments and suggestions', "GroupEn" = 'Suggestions', "DescriptionEn" = NULL WHERE "Code" = 'suggestion' AND "Name" = '意见建议';
UPDATE "case_categories" SET "NameEn" = 'Grid patrol finding', "GroupEn" = 'Grid events', "DescriptionEn" = NULL WHERE "Code" = 'patrol' AND "Name" = '网格巡查发现';
UPDATE "case_categories" SET "NameEn" = 'Device alarm', "GroupEn" = 'Devices', "DescriptionEn" = NULL WHERE "Code" = 'device-alarm' AND "Name" = '设备告警';
