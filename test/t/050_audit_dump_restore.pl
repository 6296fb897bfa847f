#
# 050_audit_dump_restore.pl: pg_dump + pg_restore of a database that has
# schemadrift.  The restore works, the DDL log comes back with its ids and
# hashes (pg_extension_config_dump), the restore's own DDL is captured after
# the restored rows, and the restored chain verifies.
#
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
CREATE EXTENSION schemadrift;
CREATE TABLE merchants (id integer PRIMARY KEY, name text);
ALTER TABLE merchants ADD COLUMN tax_id text;
CREATE VIEW merchant_names AS SELECT id, name FROM merchants;
});

# seal what is there, then leave one row pending at dump time
is($node->safe_psql('src', 'SELECT ok, sealed_rows, pending_rows FROM schemadrift_ddl_log_verify()'),
	't|4|0', 'source chain verifies');
$node->safe_psql('src', 'CREATE INDEX merchants_tax_id_idx ON merchants (tax_id)');

my $rows = 'SELECT id, event, command_tag, object_identity, statement, chain_hash '
  . 'FROM schemadrift_ddl_log';
my $before = $node->safe_psql('src', "$rows ORDER BY id");
my $last_id = $node->safe_psql('src', 'SELECT max(id) FROM schemadrift_ddl_log');
is($last_id, '5', 'five rows before the dump');

my $dump = $node->basedir . '/src.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('src') ],
	'pg_dump of a database with schemadrift');

$node->safe_psql('postgres', 'CREATE DATABASE dst');
# the TAP framework sets PGAPPNAME; let pg_restore name itself
delete local $ENV{PGAPPNAME};
$node->command_ok(
	[ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst'), $dump ],
	'pg_restore into a fresh database succeeds');

is($node->safe_psql('dst', "$rows WHERE id <= $last_id ORDER BY id"),
	$before, 'restored rows keep their ids, contents and hashes');

# the restore's own DDL is captured after the restored rows
my $restored = $node->safe_psql('dst',
	"SELECT count(*) > 0, bool_and(application_name = 'pg_restore'), "
	  . "bool_and(chain_hash IS NULL) FROM schemadrift_ddl_log WHERE id > $last_id");
is($restored, 't|t|t',
	'the restore\'s DDL is recorded after the restored rows, marked pg_restore, pending');
# (a newer pg_dump sets a view's owner with ALTER VIEW, an older one with
# ALTER TABLE: the log must record the command the dump holds)
my ($script) = run_command([ 'pg_restore', '-f', '-', $dump ]);
like($script, qr/^ALTER (?:VIEW|TABLE) public\.merchant_names OWNER TO /m,
	'the dump sets the view\'s owner');
my $view_owner_tag =
  $script =~ /^ALTER VIEW public\.merchant_names OWNER TO /m ? 'ALTER VIEW' : 'ALTER TABLE';
is($node->safe_psql('dst',
		"SELECT string_agg(command_tag || ' ' || object_identity, ', ' ORDER BY id) "
		  . "FROM schemadrift_ddl_log WHERE id > $last_id AND command_tag <> 'COMMENT'"),
	'CREATE TABLE public.merchants, ALTER TABLE public.merchants, '
	  . "CREATE VIEW public.merchant_names, $view_owner_tag public.merchant_names, "
	  . 'ALTER TABLE public.merchants, CREATE INDEX public.merchants_tax_id_idx',
	'the replayed commands');

# the restored chain verifies, and seals the restore's rows behind it
is($node->safe_psql('dst', 'SELECT ok, problem, pending_rows FROM schemadrift_ddl_log_verify()'),
	't||0', 'restored chain verifies');

# new DDL continues after every restored id
$node->safe_psql('dst', 'CREATE TABLE after_restore ()');
is($node->safe_psql('dst',
		"SELECT id > (SELECT max(id) FROM schemadrift_ddl_log WHERE object_identity <> 'public.after_restore') "
		  . "FROM schemadrift_ddl_log WHERE object_identity = 'public.after_restore'"),
	't', 'new rows get ids after the restored ones');

# and tampering in the restored copy is still caught
$node->safe_psql('dst', q{
ALTER TABLE schemadrift_ddl_log DISABLE TRIGGER schemadrift_ddl_log_protect;
UPDATE schemadrift_ddl_log SET statement = 'nothing happened' WHERE id = 2;
ALTER TABLE schemadrift_ddl_log ENABLE ALWAYS TRIGGER schemadrift_ddl_log_protect;
});
is($node->safe_psql('dst', 'SELECT ok, first_broken_id FROM schemadrift_ddl_log_verify()'),
	'f|2', 'an edit of a restored row is detected');

$node->stop;
done_testing();
