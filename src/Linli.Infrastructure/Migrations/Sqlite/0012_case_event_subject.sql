-- 0012 case event subject: whom a timeline entry concerns (the person sent on a dispatch), kept apart from the staff's
-- note so the reporter reads the name and never the note.

ALTER TABLE "case_events" ADD COLUMN "Subject" TEXT NULL;
