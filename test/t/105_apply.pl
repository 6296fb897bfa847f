#
# 105_apply.pl: schemadrift_apply on a second cluster.
#
# "local" (the source) has schemadrift and postgres_fdw; "remote" (the
# target) has schemadrift too (its audit log records a rename) and asks
# role regress_apply_deployer for a password (scram-sha-256).  The
# non-superuser regress_deploy applies through a user mapping with that
# password: the script runs and the re-diff is exactly the skipped steps; a
# column renamed on the target is renamed back, its data kept; a script is
# refused once the target changed after planning (the detail names the
# change); a failing statement leaves the target unchanged; a non-superuser
# whose mapping has no password is refused; a create script runs on a new
# database of the remote cluster (once: a second apply, or one to a
# database with a table more, is refused); the password appears in no
# output and no server log.
#
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use SdTest;

my $secret = 'S3cr3t-tap-apply';

my $remote = PostgreSQL::Test::Cluster->new('remote');
$remote->init;
require_password($remote, 'regress_apply_deployer');
$remote->append_conf('postgresql.conf', "log_connections = on\nlog_min_messages = debug1\n");
$remote->start;
$remote->safe_psql('postgres', qq{
SET log_statement = 'none';
CREATE ROLE regress_apply_deployer LOGIN SUPERUSER PASSWORD '$secret';
CREATE DATABASE app;
});
$remote->safe_psql('app', q{
CREATE EXTENSION schemadrift;
CREATE SCHEMA shop;
CREATE TABLE shop.merchants (id int PRIMARY KEY, name text, nickname text, legacy text);
INSERT INTO shop.merchants VALUES (1, 'Ada', 'ada', 'x'), (2, 'Bob', 'bob', NULL);
CREATE TABLE shop.tags (id int, label text);
INSERT INTO shop.tags VALUES (1, 'x'), (2, 'y');
ALTER TABLE shop.merchants RENAME COLUMN nickname TO alias;
});

my $local = PostgreSQL::Test::Cluster->new('local');
$local->init;
$local->append_conf('postgresql.conf', "log_min_messages = debug1\n");
$local->start;
$local->safe_psql('postgres', 'CREATE DATABASE app');
$local->safe_psql('app', q{
CREATE EXTENSION schemadrift;
CREATE EXTENSION postgres_fdw;
CREATE SCHEMA shop;
CREATE TABLE shop.merchants (id int PRIMARY KEY, name text, nickname text, email text);
CREATE INDEX merchants_email ON shop.merchants (email);
CREATE VIEW shop.named AS SELECT id, name FROM shop.merchants;
CREATE TABLE shop.tags (id int, label text);
CREATE ROLE regress_deploy LOGIN;
CREATE ROLE regress_nopw LOGIN;
GRANT EXECUTE ON FUNCTION schemadrift_apply(text, text, jsonb) TO regress_deploy, regress_nopw;
});
my $rhost = $remote->host;
my $rport = $remote->port;
$local->safe_psql('app', qq{
SET log_statement = 'none';
CREATE SERVER prod FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$rhost', port '$rport', dbname 'app');
GRANT USAGE ON FOREIGN SERVER prod TO regress_deploy, regress_nopw;
CREATE USER MAPPING FOR regress_deploy SERVER prod OPTIONS (user 'regress_apply_deployer', password '$secret');
CREATE USER MAPPING FOR regress_nopw SERVER prod OPTIONS (user 'regress_apply_deployer');
});

# (this side's extension, server and user mappings are not the target's)
my $opts = q{'{"include_schemas": ["shop"], "ignore": ["owner"], "exclude": ["postgres_fdw", "prod"]}'};
my @outputs;

# run sql on local's app database as user; returns (stdout, stderr)
sub run
{
	my ($sql, $user) = @_;
	my ($ret, $out, $err) = $local->psql('app', $sql,
		extra_params => [ '-U', $user || 'regress_deploy' ]);
	push @outputs, $out, $err;
	return ($out, $err);
}

# --- plan and apply: the re-diff is exactly the skipped steps ----------------------
my ($script, $err) = run("SELECT schemadrift_sync_sql('prod', options => $opts)");
is($err, '', 'a non-superuser plans against the remote');
like($script, qr/^-- schemadrift-plan: \{/m, 'the script has a plan line');
like($script, qr/ALTER TABLE shop\.merchants RENAME COLUMN alias TO nickname;/,
	'the column renamed on the target (its audit log says so) is renamed back');
like($script, qr/-- DROP TABLE|-- ALTER TABLE shop\.merchants DROP COLUMN IF EXISTS legacy;/,
	'the extra column\'s drop is left as a comment');
$local->safe_psql('app', "CREATE TABLE public.plan (script text)");
$local->safe_psql('app', "GRANT ALL ON public.plan TO regress_deploy, regress_nopw");
run("INSERT INTO public.plan SELECT schemadrift_sync_sql('prod', options => $opts)");

my ($out, $err2) = run(q{SELECT statements > 0, fingerprint_before <> fingerprint_after, as_planned,
	(SELECT string_agg(r->>'change' || ' ' || (r->>'identity') || ' ' || (r->>'skipped_by_the_script'), ', ')
	 FROM jsonb_array_elements(remaining) r)
FROM public.plan, schemadrift_apply('prod', plan.script)});
is($err2, '', 'the apply succeeds');
is($out, 't|t|t|extra shop.merchants.legacy true',
	'it ran, changed the target, and only the skipped drop remains');
($out) = run("SELECT change || ' ' || identity FROM schemadrift_diff('prod', options => $opts)");
is($out, 'extra shop.merchants.legacy', 'a diff agrees: exactly the skipped step is left');
is($remote->safe_psql('app', 'SELECT string_agg(nickname, \',\' ORDER BY id) FROM shop.merchants'),
	'ada,bob', 'the renamed column kept its data');

# --- refused when the target changed after planning ------------------------------------
$local->safe_psql('app', 'ALTER TABLE shop.tags ADD COLUMN note text; TRUNCATE public.plan');
run("INSERT INTO public.plan SELECT schemadrift_sync_sql('prod', options => $opts)");
$remote->safe_psql('app', 'CREATE TABLE shop.sneaked_in (id int)');
($out, $err) = run('SELECT * FROM public.plan, schemadrift_apply(\'prod\', plan.script)');
like($err, qr/ERROR:  server "prod" has changed since the script was planned/,
	'a target changed after planning is refused');
like($err, qr/DETAIL: .*Differences from the plan: now extra table shop\.sneaked_in/s,
	'the detail names the change');
is($remote->safe_psql('app', q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'shop.tags'::regclass AND attname = 'note'}),
	'0', 'nothing of the refused script ran');
$remote->safe_psql('app', 'DROP TABLE shop.sneaked_in');

# --- a failing statement leaves the target unchanged -----------------------------------
# (data only, after the plan: duplicates break a new unique index)
$local->safe_psql('app', 'CREATE UNIQUE INDEX tags_label ON shop.tags (label); TRUNCATE public.plan');
run("INSERT INTO public.plan SELECT schemadrift_sync_sql('prod', options => $opts)");
$remote->safe_psql('app', q{INSERT INTO shop.tags VALUES (3, 'x')});
my ($before) = run("SELECT schemadrift_fingerprint($opts, server => 'prod')");
($out, $err) = run('SELECT * FROM public.plan, schemadrift_apply(\'prod\', plan.script)');
like($err, qr/ERROR:  could not create unique index "tags_label"/, 'a failing statement fails the apply with the target\'s error');
like($err, qr/the transaction it ran in was rolled back.*nothing was committed before it: the target is unchanged/s,
	'the context says what the failure left');
($out) = run("SELECT schemadrift_fingerprint($opts, server => 'prod')");
is($out, $before, 'the target is unchanged');
is($remote->safe_psql('app', q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'shop.tags'::regclass AND attname = 'note'}),
	'0', 'the column added before the failing statement was rolled back');

# --- a non-superuser without a password in the mapping -----------------------------------
($out, $err) = run('SELECT * FROM public.plan, schemadrift_apply(\'prod\', plan.script)', 'regress_nopw');
like($err, qr/ERROR:  password is required to connect to server "prod"/,
	'a non-superuser whose mapping has no password is refused');
($out, $err) = run('SELECT * FROM public.plan, schemadrift_apply(NULL, plan.script)', 'regress_nopw');
like($err, qr/ERROR:  permission denied to apply a script to this database through a loopback connection/,
	'and may not apply to this database through the loopback');

# --- a create script on a new database of the remote cluster ------------------------------
# (CREATE DATABASE makes schema public and plpgsql: the script takes them
# over, with the source's privileges and comment)
$local->safe_psql('postgres', 'CREATE DATABASE shopsrc');
$local->safe_psql('shopsrc', q{
CREATE EXTENSION schemadrift;
CREATE TABLE public.orders (id int PRIMARY KEY, total numeric DEFAULT 0);
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id int PRIMARY KEY, order_id int REFERENCES public.orders);
REVOKE USAGE ON SCHEMA public FROM PUBLIC;
COMMENT ON SCHEMA public IS 'orders live here';
});
my $create = $local->safe_psql('shopsrc', 'SELECT schemadrift_create_sql()');
my $source_fp = $local->safe_psql('shopsrc', 'SELECT schemadrift_fingerprint()');
like($create, qr/^CREATE SCHEMA IF NOT EXISTS public;$/m, 'the create script creates public only if it is not there');
like($create, qr/^REVOKE USAGE ON SCHEMA public FROM PUBLIC;$/m, 'and revokes what a new database grants and the source does not');
$remote->safe_psql('postgres', 'CREATE DATABASE fresh');
$remote->safe_psql('postgres', 'CREATE DATABASE busy');
$remote->safe_psql('busy', 'CREATE TABLE public.leftover (id int)');
$local->safe_psql('app', qq{
SET log_statement = 'none';
CREATE SERVER fresh FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$rhost', port '$rport', dbname 'fresh');
CREATE SERVER busy FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$rhost', port '$rport', dbname 'busy');
GRANT USAGE ON FOREIGN SERVER fresh, busy TO regress_deploy;
CREATE USER MAPPING FOR regress_deploy SERVER fresh OPTIONS (user 'regress_apply_deployer', password '$secret');
CREATE USER MAPPING FOR regress_deploy SERVER busy OPTIONS (user 'regress_apply_deployer', password '$secret');
TRUNCATE public.plan;
INSERT INTO public.plan VALUES (\$sd_create\$$create\$sd_create\$);
});
($out, $err) = run('SELECT statements > 0, as_planned, fingerprint_after FROM public.plan, schemadrift_apply(\'fresh\', plan.script)');
is($err, '', 'the create script is applied to a new database of the remote cluster');
is($out, "t|t|$source_fp", 'as planned, and the target has the source\'s fingerprint');
is($remote->safe_psql('fresh', q{SELECT has_schema_privilege('public', 'public', 'USAGE'), obj_description('public'::regnamespace)}),
	'f|orders live here', 'public has the source\'s privileges and comment');
($out, $err) = run('SELECT * FROM public.plan, schemadrift_apply(\'fresh\', plan.script)');
like($err, qr/ERROR:  server "fresh" is neither empty nor a new database/, 'applied twice, the second is refused');
($out, $err) = run('SELECT * FROM public.plan, schemadrift_apply(\'busy\', plan.script)');
like($err, qr/ERROR:  server "busy" is neither empty nor a new database.*DETAIL: .*Differences from a new database: extra table public\.leftover\./s,
	'a database with one table more than a new one is refused, the table named');
is($remote->safe_psql('busy', q{SELECT count(*) FROM pg_namespace WHERE nspname = 'billing'}),
	'0', 'nothing of the refused script ran');

# --- the password is nowhere --------------------------------------------------------------
my $leaks = grep { defined $_ && index($_, $secret) >= 0 } @outputs;
is($leaks, 0, 'no output or error holds the password');
for my $node ($local, $remote)
{
	my $log = slurp_file($node->logfile);
	unlike($log, qr/\Q$secret\E/, 'the server log of ' . $node->name . ' does not hold the password');
}
my $secret_hex = unpack('H*', $secret);
is($remote->safe_psql('app',
		"SELECT count(*) FROM schemadrift_ddl_log l WHERE strpos(l::text, convert_from(decode('$secret_hex', 'hex'), 'UTF8')) > 0"),
	'0', 'no audit row of the target holds the password');

$local->stop;
$remote->stop;
done_testing();
