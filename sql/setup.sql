--
-- setup: the extension installs, and every function it creates is documented
--
CREATE EXTENSION schemadrift;

-- every schemadrift function has a comment
SELECT p.oid::regprocedure AS function, d.description IS NOT NULL AS documented
FROM pg_proc p
JOIN pg_depend dep ON dep.classid = 'pg_proc'::regclass AND dep.objid = p.oid AND dep.deptype = 'e'
JOIN pg_extension x ON x.oid = dep.refobjid AND x.extname = 'schemadrift'
LEFT JOIN pg_description d ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid
ORDER BY p.oid::regprocedure::text COLLATE "C";

-- the version comes from the control file
SELECT extversion FROM pg_extension WHERE extname = 'schemadrift';

-- the library serves the installed version; model and snapshot format
SELECT library_version = (SELECT extversion FROM pg_extension WHERE extname = 'schemadrift') AS library_matches,
	   extension_version, model_version, snapshot_format_version
FROM schemadrift_version();
