-- 0010 monitoring: devices, raw readings and hourly roll-ups, alarm rules, alarms with their timeline and escalation
-- timers, notification preferences, webhooks with their delivery outbox; residents' medical notes for SOS responders.

ALTER TABLE residents ADD "MedicalNotesProtected" TEXT NULL;

CREATE TABLE "alarm_rules" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_alarm_rules" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Severity" TEXT NOT NULL,
    "DeviceType" TEXT NULL,
    "DeviceId" INTEGER NULL,
    "ConditionJson" TEXT NOT NULL,
    "AutoClear" INTEGER NOT NULL,
    "AckWithinSeconds" INTEGER NOT NULL,
    "OpensCase" INTEGER NOT NULL,
    "Enabled" INTEGER NOT NULL,
    "Version" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE TABLE "alarms" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_alarms" PRIMARY KEY AUTOINCREMENT,
    "Kind" TEXT NOT NULL,
    "Severity" TEXT NOT NULL,
    "Title" TEXT NOT NULL,
    "Detail" TEXT NULL,
    "RuleId" INTEGER NULL,
    "DeviceId" INTEGER NULL,
    "ResidentId" INTEGER NULL,
    "RoomId" INTEGER NULL,
    "BuildingId" INTEGER NULL,
    "FacilityId" INTEGER NULL,
    "PlanX" INTEGER NOT NULL,
    "PlanY" INTEGER NOT NULL,
    "PlaceLabel" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "Open" INTEGER NOT NULL,
    "RaisedAt" INTEGER NOT NULL,
    "LastRaisedAt" INTEGER NOT NULL,
    "RepeatCount" INTEGER NOT NULL,
    "AcknowledgedAt" INTEGER NULL,
    "AcknowledgedBy" TEXT NULL,
    "AssignedUserId" INTEGER NULL,
    "AssignedName" TEXT NULL,
    "ClearedAt" INTEGER NULL,
    "ClosedAt" INTEGER NULL,
    "ClosedBy" TEXT NULL,
    "Level" TEXT NOT NULL,
    "Reminders" INTEGER NOT NULL,
    "AckWithinSeconds" INTEGER NOT NULL,
    "Round" INTEGER NOT NULL,
    "CaseId" INTEGER NULL,
    "Version" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE TABLE "device_reading_hours" (
    "DeviceId" INTEGER NOT NULL,
    "Metric" TEXT NOT NULL,
    "Hour" INTEGER NOT NULL,
    "Count" INTEGER NOT NULL,
    "Min" REAL NOT NULL,
    "Max" REAL NOT NULL,
    "Sum" REAL NOT NULL,
    CONSTRAINT "PK_device_reading_hours" PRIMARY KEY ("DeviceId", "Metric", "Hour")
);

CREATE TABLE "device_readings" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_device_readings" PRIMARY KEY AUTOINCREMENT,
    "DeviceId" INTEGER NOT NULL,
    "At" INTEGER NOT NULL,
    "Metric" TEXT NOT NULL,
    "Value" REAL NOT NULL,
    "Text" TEXT NULL,
    "IsEvent" INTEGER NOT NULL
);

CREATE TABLE "devices" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_devices" PRIMARY KEY AUTOINCREMENT,
    "Code" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Type" TEXT NOT NULL,
    "BuildingId" INTEGER NULL,
    "Unit" INTEGER NULL,
    "RoomId" INTEGER NULL,
    "FacilityId" INTEGER NULL,
    "PlanX" INTEGER NOT NULL,
    "PlanY" INTEGER NOT NULL,
    "GatewayId" INTEGER NULL,
    "SecretHash" TEXT NOT NULL,
    "SecretIssuedAt" INTEGER NOT NULL,
    "Disabled" INTEGER NOT NULL,
    "LastSeenAt" INTEGER NULL,
    "Health" TEXT NOT NULL,
    "RejectedMessages" INTEGER NOT NULL,
    "LastRejectReason" TEXT NULL,
    "LastRejectedAt" INTEGER NULL,
    "CreatedAt" INTEGER NOT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE TABLE "notification_preferences" (
    "UserId" INTEGER NOT NULL CONSTRAINT "PK_notification_preferences" PRIMARY KEY,
    "LiveMinSeverity" TEXT NULL,
    "SmsMinSeverity" TEXT NULL,
    "MutedKinds" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);

CREATE TABLE "webhooks" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_webhooks" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Url" TEXT NOT NULL,
    "SecretProtected" TEXT NOT NULL,
    "MinSeverity" TEXT NOT NULL,
    "Active" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ConsecutiveFailures" INTEGER NOT NULL,
    "LastDeliveredAt" INTEGER NULL,
    "LastError" TEXT NULL,
    "DistrictId" INTEGER NOT NULL,
    "StreetId" INTEGER NOT NULL,
    "CommunityId" INTEGER NOT NULL,
    "GridId" INTEGER NOT NULL
);

CREATE TABLE "alarm_events" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_alarm_events" PRIMARY KEY AUTOINCREMENT,
    "AlarmId" INTEGER NOT NULL,
    "At" INTEGER NOT NULL,
    "Kind" TEXT NOT NULL,
    "UserId" INTEGER NULL,
    "ActorName" TEXT NOT NULL,
    "Note" TEXT NULL,
    CONSTRAINT "FK_alarm_events_alarms_AlarmId" FOREIGN KEY ("AlarmId") REFERENCES "alarms" ("Id") ON DELETE CASCADE
);

CREATE TABLE "alarm_timers" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_alarm_timers" PRIMARY KEY AUTOINCREMENT,
    "AlarmId" INTEGER NOT NULL,
    "DueAt" INTEGER NOT NULL,
    "Round" INTEGER NOT NULL,
    CONSTRAINT "FK_alarm_timers_alarms_AlarmId" FOREIGN KEY ("AlarmId") REFERENCES "alarms" ("Id") ON DELETE CASCADE
);

CREATE TABLE "webhook_deliveries" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY AUTOINCREMENT,
    "WebhookId" INTEGER NOT NULL,
    "EventType" TEXT NOT NULL,
    "Payload" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "Attempts" INTEGER NOT NULL,
    "NextAttemptAt" INTEGER NOT NULL,
    "DeliveredAt" INTEGER NULL,
    "LastStatus" INTEGER NULL,
    "LastError" TEXT NULL,
    CONSTRAINT "FK_webhook_deliveries_webhooks_WebhookId" FOREIGN KEY ("WebhookId") REFERENCES "webhooks" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_alarm_events_AlarmId_At" ON "alarm_events" ("AlarmId", "At");

CREATE INDEX "IX_alarm_rules_DistrictId_StreetId_CommunityId" ON "alarm_rules" ("DistrictId", "StreetId", "CommunityId");

CREATE INDEX "IX_alarm_timers_AlarmId" ON "alarm_timers" ("AlarmId");

CREATE INDEX "IX_alarm_timers_DueAt" ON "alarm_timers" ("DueAt");

CREATE INDEX "IX_alarms_CommunityId_Open_RaisedAt" ON "alarms" ("CommunityId", "Open", "RaisedAt");

CREATE INDEX "IX_alarms_DeviceId_RaisedAt" ON "alarms" ("DeviceId", "RaisedAt");

CREATE INDEX "IX_alarms_DistrictId_Open_RaisedAt" ON "alarms" ("DistrictId", "Open", "RaisedAt");

CREATE INDEX "IX_alarms_GridId_Open_RaisedAt" ON "alarms" ("GridId", "Open", "RaisedAt");

CREATE INDEX "IX_alarms_RoomId_RaisedAt" ON "alarms" ("RoomId", "RaisedAt");

CREATE UNIQUE INDEX "IX_alarms_RuleId_DeviceId" ON "alarms" ("RuleId", "DeviceId") WHERE "Open";

CREATE INDEX "IX_alarms_StreetId_Open_RaisedAt" ON "alarms" ("StreetId", "Open", "RaisedAt");

CREATE INDEX "IX_device_reading_hours_Hour" ON "device_reading_hours" ("Hour");

CREATE INDEX "IX_device_readings_DeviceId_Metric_At" ON "device_readings" ("DeviceId", "Metric", "At");

CREATE UNIQUE INDEX "IX_devices_Code" ON "devices" ("Code");

CREATE INDEX "IX_devices_CommunityId_Type" ON "devices" ("CommunityId", "Type");

CREATE INDEX "IX_devices_DistrictId_Health" ON "devices" ("DistrictId", "Health");

CREATE INDEX "IX_devices_GridId_Type" ON "devices" ("GridId", "Type");

CREATE INDEX "IX_devices_RoomId" ON "devices" ("RoomId");

CREATE INDEX "IX_devices_StreetId_Health" ON "devices" ("StreetId", "Health");

CREATE INDEX "IX_webhook_deliveries_DeliveredAt_NextAttemptAt" ON "webhook_deliveries" ("DeliveredAt", "NextAttemptAt");

CREATE INDEX "IX_webhook_deliveries_WebhookId_CreatedAt" ON "webhook_deliveries" ("WebhookId", "CreatedAt");

CREATE INDEX "IX_webhooks_DistrictId_StreetId_CommunityId" ON "webhooks" ("DistrictId", "StreetId", "CommunityId");
