-- 0018 device owner: the web node that last took a device's messages and holds its rule state, so that with several
-- nodes exactly one of them watches the device's clock ("no data for 30 minutes") and a node taking it over knows to
-- rebuild its state from the stored readings first.

ALTER TABLE devices ADD COLUMN "OwnerNode" character varying(80);
