--
-- audit_redaction: statements that carry passwords are stored with the
-- secret replaced by ***; the secret S3cr3t appears in no row
--
SELECT coalesce(max(id), 0) AS base FROM schemadrift_ddl_log \gset
CREATE FOREIGN DATA WRAPPER regress_schemadrift_fdw;
CREATE SERVER regress_schemadrift_srv FOREIGN DATA WRAPPER regress_schemadrift_fdw
	OPTIONS (host 'db.example', password 'S3cr3t-server', "sslpassword" 'S3cr3t-ssl');
ALTER SERVER regress_schemadrift_srv OPTIONS (SET password 'S3cr3t-alter-server');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_schemadrift_srv
	OPTIONS (user 'app', password 'S3cr3t''quoted');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_schemadrift_srv
	OPTIONS (SET password E'S3cr3t\'escaped');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_schemadrift_srv
	OPTIONS (ADD "PassWord" $q$S3cr3t-dollar$q$);
SET client_min_messages = error;
CREATE SUBSCRIPTION regress_schemadrift_sub
	CONNECTION 'host=db.example password=S3cr3t-conninfo dbname=app'
	PUBLICATION p WITH (connect = false);
RESET client_min_messages;
ALTER SUBSCRIPTION regress_schemadrift_sub
	CONNECTION 'host=db.example password = ''S3cr3t quoted conninfo'' dbname=app';
-- a role's password reaches the log only inside a DO block or function body,
-- or through the ProcessUtility hook (the library is loaded by now), which
-- records role commands: masked either way
CREATE ROLE regress_schemadrift_pw;
DO $$BEGIN
	EXECUTE 'ALTER ROLE regress_schemadrift_pw PASSWORD ''S3cr3t-role''';
	CREATE TABLE in_do_block ();
END$$;
-- words that merely contain "password" are left alone
CREATE TABLE accounts (password_hash text, password text DEFAULT 'not-a-secret');
COMMENT ON COLUMN accounts.password IS 'the column, not a secret';

SELECT id - :base AS n, command_tag, object_type, statement
FROM schemadrift_ddl_log WHERE id > :base ORDER BY id;

-- the proof: no stored text contains the secret
SELECT count(*) AS rows_with_secret
FROM schemadrift_ddl_log l
WHERE l::text LIKE '%S3cr3t%';

ALTER SUBSCRIPTION regress_schemadrift_sub DISABLE;
ALTER SUBSCRIPTION regress_schemadrift_sub SET (slot_name = NONE);
DROP SUBSCRIPTION regress_schemadrift_sub;
DROP USER MAPPING FOR CURRENT_USER SERVER regress_schemadrift_srv;
DROP SERVER regress_schemadrift_srv;
DROP FOREIGN DATA WRAPPER regress_schemadrift_fdw;
DROP TABLE accounts, in_do_block;
DROP ROLE regress_schemadrift_pw;
