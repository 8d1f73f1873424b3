-- 0015 webhook delivery claim: the web node delivering to a receiver and until when its claim holds, so that with several
-- nodes each delivery goes out once and in order (the claim is taken with a conditional UPDATE, a row lock).

ALTER TABLE webhooks ADD COLUMN "DeliveringBy" character varying(80);
ALTER TABLE webhooks ADD COLUMN "DeliveringUntil" timestamp with time zone;
