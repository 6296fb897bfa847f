#
# 060_upgrade.pl: a database that installed schemadrift 0.1.0 reaches the
# current version with ALTER EXTENSION schemadrift UPDATE, and loses nothing.
#
#  - 0.1.0 is installed from its committed script; its declarations work
#    against the current library (one library serves every installed version);
#  - DDL is captured, part of it sealed, part left pending;
#  - after the update: every audit row kept as it was, the chain verifies
#    across the update, capture still writes and seals, a user view over a
#    schemadrift function survives, and a snapshot taken by schemadrift
#    0.1.0 itself (test/fixtures/snapshot-0.1.0.json) still loads and
#    compares equal;
#  - the upgraded extension's member objects equal a fresh install's, by
#    definition: functions (arguments, results, properties, body), tables
#    (columns, constraints, indexes), sequences, triggers, event triggers,
#    grants and initial privileges, config-dump registrations, comments;
#  - pg_dump + pg_restore of the upgraded database keep the log and chain.
#
use strict;
use warnings;
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $fixtures = dirname(__FILE__) . '/../fixtures';

# the version this checkout installs, from the control file
open(my $control, '<', dirname(__FILE__) . '/../../schemadrift.control')
  or die "cannot read schemadrift.control: $!";
my ($current) = map { /^default_version\s*=\s*'([^']+)'/ ? $1 : () } <$control>;
close($control);
ok(defined $current && $current ne '0.1.0', "the current version is $current");

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE upg');
$node->safe_psql('postgres', 'CREATE DATABASE fresh');

# --- 0.1.0, from its committed install script ------------------------------
$node->safe_psql('upg', "CREATE EXTENSION schemadrift VERSION '0.1.0'");
is($node->safe_psql('upg', "SELECT extversion FROM pg_extension WHERE extname = 'schemadrift'"),
	'0.1.0', '0.1.0 installs from its own script');

# DDL captured under 0.1.0: the schema of the 0.1.0 snapshot fixture ...
$node->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('upg'),
	  '-f', "$fixtures/upgrade_schema.sql" ],
	'the fixture schema loads under 0.1.0');
# ... sealed; a snapshot of it (by the current library, through 0.1.0's
# declaration); then more DDL, left pending
my $sealed = $node->safe_psql('upg', 'SELECT schemadrift_ddl_log_seal()');
ok($sealed > 20, "$sealed rows sealed under 0.1.0");
my $opts = q{'{"include_schemas": ["upg"], "ignore": ["owner"]}'};
$node->safe_psql('upg', "CREATE TABLE public.snap AS SELECT schemadrift_snapshot($opts) AS s");
$node->safe_psql('upg', q{
SET schemadrift.change_reason = 'CHG-7: tax ids';
ALTER TABLE upg.merchants ADD COLUMN tax_id text;
CREATE INDEX merchants_tax_id ON upg.merchants (tax_id);
});
is($node->safe_psql('upg', 'SELECT count(*) FROM schemadrift_ddl_log WHERE chain_hash IS NULL'),
	'3', 'three rows pending before the update (the snapshot table, the column, the index)');

# 0.1.0's declarations against the current library: every column filled
is($node->safe_psql('upg',
		"SELECT kind, identity, change, attribute, source_value IS NULL, target_value IS NOT NULL, note "
		  . "FROM schemadrift_diff(source => (SELECT s FROM public.snap), options => $opts) ORDER BY identity"),
	"table column|upg.merchants.tax_id|extra|whole object|t|t|\n"
	  . "index|upg.merchants_tax_id|extra|whole object|t|t|",
	'0.1.0\'s schemadrift_diff declaration (7 columns) works against the current library');
is($node->safe_psql('upg', "SELECT count(*) FROM schemadrift_objects($opts) WHERE identity LIKE 'upg.merchants%'"),
	'12', '0.1.0\'s schemadrift_objects works');
is($node->safe_psql('upg', "SELECT schemadrift_fingerprint($opts) <> (SELECT s->>'fingerprint' FROM public.snap)"),
	't', '0.1.0\'s schemadrift_fingerprint works');

# a user view over a schemadrift function
$node->safe_psql('upg',
	"CREATE VIEW public.drift AS SELECT kind, identity, change FROM schemadrift_diff(options => $opts)");

my $log_rows = 'SELECT id, occurred_at, transaction_id, backend_pid, session_user_name, '
  . 'current_user_name, client_addr, client_port, application_name, database_name, '
  . 'event, command_tag, object_type, schema_name, object_identity, creating_extension, '
  . 'is_drop, statement, change_reason, detail, chain_hash FROM schemadrift_ddl_log';
my $before = $node->safe_psql('upg', "$log_rows ORDER BY id");
my $last_id = $node->safe_psql('upg', 'SELECT max(id) FROM schemadrift_ddl_log');
my $chain_before = $node->safe_psql('upg', 'SELECT * FROM schemadrift_ddl_log_chain');

# --- the update ---------------------------------------------------------------
# 0.2.0 changes schemadrift_diff's result columns (fix_sql): the view over it
# stops the update with the view's name and what to do, and nothing changes
my ($rc, $out, $err) = $node->psql('upg', 'ALTER EXTENSION schemadrift UPDATE');
isnt($rc, 0, 'a user view over a function the update changes stops the update');
like($err, qr/cannot update schemadrift to 0\.2\.0 while objects of yours use functions it changes/,
	'the error says why');
like($err, qr/view public\.drift \(uses schemadrift_diff\(text,text,jsonb\)\)/,
	'and names the view and the function it uses');
like($err, qr/HINT:  Save their definitions/, 'and what to do');
is($node->safe_psql('upg', "SELECT extversion FROM pg_extension WHERE extname = 'schemadrift'"),
	'0.1.0', 'the failed update changed nothing');
is($node->safe_psql('upg', "$log_rows ORDER BY id"), $before, 'nor the audit log');

# as the hint says: save the view, drop it, update, create it again
my $view_def = $node->safe_psql('upg', "SELECT pg_get_viewdef('public.drift')");
$node->safe_psql('upg', 'DROP VIEW public.drift');
$node->safe_psql('upg', 'ALTER EXTENSION schemadrift UPDATE');
$node->safe_psql('upg', "CREATE VIEW public.drift AS $view_def");
is($node->safe_psql('upg', "SELECT extversion FROM pg_extension WHERE extname = 'schemadrift'"),
	$current, "ALTER EXTENSION schemadrift UPDATE reaches $current");
is($node->safe_psql('upg', 'SELECT library_version, extension_version FROM schemadrift_version()'),
	"$current|$current", 'schemadrift_version() reports the library and the installed version');

is($node->safe_psql('upg', "$log_rows WHERE id <= $last_id ORDER BY id"),
	$before, 'every audit row is kept as it was');
is($node->safe_psql('upg', 'SELECT * FROM schemadrift_ddl_log_chain'),
	$chain_before, 'the chain state is kept as it was');
is($node->safe_psql('upg',
		"SELECT command_tag FROM schemadrift_ddl_log WHERE id > $last_id "
		  . "AND NOT (command_tag = 'ALTER EXTENSION' OR creating_extension) "
		  . "GROUP BY command_tag ORDER BY min(id)"),
	"DROP VIEW\nCREATE VIEW",
	'the update adds audit rows of its own only (and the view dropped and created around it is recorded)');
is($node->safe_psql('upg',
		"SELECT count(*) FROM schemadrift_ddl_log WHERE id > $last_id AND command_tag = 'ALTER EXTENSION'"),
	'1', 'the update is recorded');
is($node->safe_psql('upg', 'SELECT ok, problem, pending_rows FROM schemadrift_ddl_log_verify()'),
	't||0', 'the chain verifies across the update, and seals the rows pending before it');

# capture still writes, and seals
$node->safe_psql('upg', 'CREATE TABLE upg.after_update (id int)');
is($node->safe_psql('upg',
		"SELECT count(*), bool_and(id > $last_id) FROM schemadrift_ddl_log WHERE object_identity = 'upg.after_update'"),
	'1|t', 'DDL after the update is captured, after every earlier row');
my $rows_now = $node->safe_psql('upg', 'SELECT count(*) FROM schemadrift_ddl_log');
is($node->safe_psql('upg', 'SELECT ok, sealed_rows, pending_rows FROM schemadrift_ddl_log_verify()'),
	"t|$rows_now|0", 'and sealed into the same chain');
$node->safe_psql('upg', 'DROP TABLE upg.after_update');

is($node->safe_psql('upg', 'SELECT count(*) FROM public.drift'),
	'0', 'the user view over schemadrift_diff, created again, works after the update');

# a snapshot taken by schemadrift 0.1.0 itself (its library and SQL) loads,
# verifies, and compares equal to the schema it was taken of.  0.1.0 read
# with object model 1, this library reads with model 2: the diff says so in
# a NOTICE, and would mark rows of the kinds model 2 changed (the fixture has
# none of them: it holds one object of each kind model 1 knows, and model 2
# changed none of those, so no row is there to mark)
my $snap010 = slurp_file("$fixtures/snapshot-0.1.0.json");
$node->safe_psql('upg', 'DROP TABLE public.snap; ALTER TABLE upg.merchants DROP COLUMN tax_id');
# (the fixture was taken on PostgreSQL 15: on another major, view
# definitions print differently and are marked as version noise)
my ($ret, $stdout, $stderr) = $node->psql('upg',
	"SELECT count(*) FROM schemadrift_diff(source => \$snap\$$snap010\$snap\$::jsonb, options => $opts) "
	  . "WHERE note IS NULL OR note NOT LIKE 'may be version noise%'");
is($ret, 0, 'a snapshot of schemadrift 0.1.0 loads (its stored fingerprint verifies on load)');
is($stdout, '0', 'and compares equal to the schema it was taken of');
like($stderr,
	qr/NOTICE:  comparing a schema read with object model 1 with one read with object model 2$/m,
	'with a notice naming both object models');
is(scalar(() = $stderr =~ /NOTICE:  comparing a schema read with object model/g), 1,
	'once');

# with the same kinds on both sides, nothing is marked as coming from the
# model change, but a schema with a publication (a kind model 2 added) is
($ret, $stdout, $stderr) = $node->psql('upg',
	"SELECT count(*) FROM schemadrift_diff(source => \$snap\$$snap010\$snap\$::jsonb, options => $opts)"
	  . " WHERE note LIKE '%may come from the object model change%'");
is($stdout, '0', 'no row marked when no kind of the schema changed');
$node->safe_psql('upg',
	"SET client_min_messages = error; CREATE PUBLICATION regress_upg_pub FOR TABLE upg.requests");
is($node->safe_psql('upg',
		"SELECT kind, identity, change, note FROM schemadrift_diff(source => \$snap\$$snap010\$snap\$::jsonb, options => $opts)"
		  . " WHERE kind LIKE 'publication%'"),
	"publication|regress_upg_pub|extra|with 1 table; may come from the object model change: "
	  . "the source was read with model 1, the target with model 2",
	'a publication (model 2) is marked as coming from the model change');
$node->safe_psql('upg', 'DROP PUBLICATION regress_upg_pub');

# the fingerprint of the same schema is not 0.1.0's any more: a fingerprint
# of model 2 covers the model version (and model 2 covers kinds model 1 only
# counted), so fingerprints of different models never compare equal, on
# PostgreSQL 15 as on any other major; the 0.1.0 snapshot's own fingerprint
# still verified when it loaded, above
is($node->safe_psql('upg',
		"SELECT schemadrift_fingerprint($opts) <> (\$snap\$$snap010\$snap\$::jsonb)->>'fingerprint'"),
	't', 'the live fingerprint differs from 0.1.0\'s: the object model moved');

# --- the upgraded extension equals a fresh install -----------------------------
$node->safe_psql('fresh', 'CREATE EXTENSION schemadrift');

# one line per property of every member object of the extension
my $members = q{
WITH x AS (SELECT oid, extconfig, extcondition FROM pg_extension WHERE extname = 'schemadrift'),
m AS (
	SELECT d.classid, d.objid, d.objsubid
	FROM pg_depend d, x
	WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = x.oid AND d.deptype = 'e'),
lines AS (
	-- every member, as PostgreSQL describes it, with its comment
	SELECT 'member ' || pg_describe_object(m.classid, m.objid, m.objsubid)
		   || ' comment=' || coalesce(obj_description(m.objid, c.relname), '-') AS line
	FROM m JOIN pg_class c ON c.oid = m.classid
	UNION ALL
	-- functions: arguments, result, properties, body, ACL
	SELECT format('function %s(%s) returns %s kind=%s lang=%s volatile=%s strict=%s '
				  'parallel=%s secdef=%s leakproof=%s config=%s src=%s bin=%s acl=%s',
				  p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
				  p.prokind, l.lanname, p.provolatile, p.proisstrict, p.proparallel,
				  p.prosecdef, p.proleakproof, p.proconfig, p.prosrc, p.probin, p.proacl)
	FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
	JOIN pg_language l ON l.oid = p.prolang
	UNION ALL
	-- tables and sequences: kind, options, ACL
	SELECT format('relation %s kind=%s persistence=%s options=%s acl=%s rls=%s',
				  c.relname, c.relkind, c.relpersistence, c.reloptions, c.relacl, c.relrowsecurity)
	FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	UNION ALL
	-- columns, as a set: name, type, not null, default, identity, generated
	SELECT format('column %s.%s %s notnull=%s default=%s identity=%s generated=%s collation=%s',
				  c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
				  pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated, a.attcollation)
	FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	UNION ALL
	SELECT format('constraint %s on %s: %s', co.conname, c.relname, pg_get_constraintdef(co.oid))
	FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	JOIN pg_constraint co ON co.conrelid = c.oid
	UNION ALL
	SELECT format('index %s', pg_get_indexdef(i.indexrelid))
	FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	JOIN pg_index i ON i.indrelid = c.oid
	UNION ALL
	SELECT format('sequence %s type=%s start=%s inc=%s min=%s max=%s cache=%s cycle=%s owned_by=%s',
				  c.relname, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
				  s.seqcache, s.seqcycle,
				  (SELECT d.refobjid::regclass || '.' || d.refobjsubid FROM pg_depend d
				   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
				     AND d.refclassid = 'pg_class'::regclass))
	FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	JOIN pg_sequence s ON s.seqrelid = c.oid
	UNION ALL
	SELECT format('trigger %s enabled=%s: %s', t.tgname, t.tgenabled, pg_get_triggerdef(t.oid))
	FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT format('event trigger %s on %s enabled=%s tags=%s function=%s owner_is_superuser=%s',
				  e.evtname, e.evtevent, e.evtenabled, e.evttags, e.evtfoid::regprocedure,
				  (SELECT rolsuper FROM pg_roles WHERE oid = e.evtowner))
	FROM m JOIN pg_event_trigger e ON m.classid = 'pg_event_trigger'::regclass AND e.oid = m.objid
	UNION ALL
	-- the privileges pg_dump restores for members (GRANT/REVOKE in the scripts)
	SELECT format('initprivs %s %s', pg_describe_object(ip.classoid, ip.objoid, ip.objsubid), ip.initprivs)
	FROM m JOIN pg_init_privs ip ON ip.classoid = m.classid AND ip.objoid = m.objid AND ip.privtype = 'e'
	UNION ALL
	-- config-dump registrations: which tables pg_dump dumps, with which filter
	SELECT format('config dump %s where %s', cfg.rel::regclass, coalesce(nullif(cfg.cond, ''), '(all rows)'))
	FROM x, unnest(x.extconfig, x.extcondition) AS cfg(rel, cond)
)
SELECT line FROM lines ORDER BY line COLLATE "C"
};
my $upgraded = $node->safe_psql('upg', $members);
my $fresh = $node->safe_psql('fresh', $members);
# the listing covers every kind of member (a listing that left some out
# would compare equal for the wrong reason)
for my $kind ('member function', 'member table', 'member sequence', 'member event trigger',
	'function ', 'relation ', 'column ', 'constraint ', 'index ', 'sequence ', 'trigger ',
	'event trigger ', 'initprivs ', 'config dump ')
{
	like($fresh, qr/^\Q$kind\E/m, "the member listing has lines of \"$kind\"");
}
is($upgraded, $fresh, 'the upgraded extension\'s objects equal a fresh install\'s, by definition');
if ($upgraded ne $fresh)
{
	# say what differs, line by line
	my %u = map { $_ => 1 } split /\n/, $upgraded;
	my %f = map { $_ => 1 } split /\n/, $fresh;
	diag("only after the update: $_") for grep { !$f{$_} } sort keys %u;
	diag("only in a fresh install: $_") for grep { !$u{$_} } sort keys %f;
}

# --- pg_dump + pg_restore of the upgraded database ------------------------------
$node->safe_psql('upg', 'SELECT schemadrift_ddl_log_seal()');
my $all_before_dump = $node->safe_psql('upg', "$log_rows ORDER BY id");
my $dump = $node->basedir . '/upg.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('upg') ],
	'pg_dump of the upgraded database');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
delete local $ENV{PGAPPNAME};
$node->command_ok(
	[ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored'), $dump ],
	'pg_restore of the upgraded database');
is($node->safe_psql('restored', "SELECT extversion FROM pg_extension WHERE extname = 'schemadrift'"),
	$current, "the restored database has schemadrift $current");
my $max_before_dump = $node->safe_psql('upg', 'SELECT max(id) FROM schemadrift_ddl_log');
is($node->safe_psql('restored', "$log_rows WHERE id <= $max_before_dump ORDER BY id"),
	$all_before_dump, 'the restored log holds every row, 0.1.0\'s and later, as it was');
is($node->safe_psql('restored', 'SELECT ok, problem, pending_rows FROM schemadrift_ddl_log_verify()'),
	't||0', 'and its chain verifies');

$node->stop;
done_testing();
