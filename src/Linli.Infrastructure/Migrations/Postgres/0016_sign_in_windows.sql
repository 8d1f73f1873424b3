-- 0016 sign-in windows: attempts per client address and minute, counted in the database so that every web node enforces
-- one shared limit.

CREATE TABLE sign_in_windows (
    "Client" character varying(64) NOT NULL,
    "WindowStart" timestamp with time zone NOT NULL,
    "Attempts" integer NOT NULL,
    CONSTRAINT "PK_sign_in_windows" PRIMARY KEY ("Client", "WindowStart")
);

CREATE INDEX "IX_sign_in_windows_WindowStart" ON sign_in_windows ("WindowStart");
