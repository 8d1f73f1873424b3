-- 0016 sign-in windows: attempts per client address and minute, counted in the database so that every web node enforces
-- one shared limit.

CREATE TABLE "sign_in_windows" (
    "Client" TEXT NOT NULL,
    "WindowStart" INTEGER NOT NULL,
    "Attempts" INTEGER NOT NULL,
    CONSTRAINT "PK_sign_in_windows" PRIMARY KEY ("Client", "WindowStart")
);

CREATE INDEX "IX_sign_in_windows_WindowStart" ON "sign_in_windows" ("WindowStart");
