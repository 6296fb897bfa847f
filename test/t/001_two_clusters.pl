# Two clusters built from the same DDL in a different order, and a third
# database restored from the first's pg_dump --schema-only: equal
# fingerprints, and empty diffs between their snapshots in every direction
# and on either cluster.  A drift planted afterwards is found, alone.
use strict;
use warnings;
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $fixtures = dirname(__FILE__) . '/../fixtures';

my $prod = PostgreSQL::Test::Cluster->new('prod');
$prod->init;
$prod->start;
my $dev = PostgreSQL::Test::Cluster->new('dev');
$dev->init;
$dev->start;

# load the schema: in creation order on prod, in another order on dev
$prod->safe_psql('postgres', 'CREATE DATABASE app');
$dev->safe_psql('postgres', 'CREATE DATABASE app');
$dev->safe_psql('postgres', 'CREATE DATABASE restored');
$prod->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $prod->connstr('app'),
	  '-f', "$fixtures/app_schema.sql" ],
	'app_schema.sql loads on prod');
$dev->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $dev->connstr('app'),
	  '-f', "$fixtures/app_schema_reordered.sql" ],
	'app_schema_reordered.sql loads on dev');

# dev's "restored" database: prod's pg_dump --schema-only, across clusters
my $dump = $prod->basedir . '/app.sql';
$prod->command_ok(
	[ 'pg_dump', '--schema-only', '-f', $dump, '-d', $prod->connstr('app') ],
	'pg_dump --schema-only of prod');
# the roles the schema grants to are cluster-wide: create them on dev too
# (app_schema_reordered.sql already did); restore
$dev->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $dev->connstr('restored'),
	  '-f', $dump ],
	'prod restored into dev');

$prod->safe_psql('app', 'CREATE EXTENSION schemadrift');
$dev->safe_psql('app', 'CREATE EXTENSION schemadrift');
$dev->safe_psql('restored', 'CREATE EXTENSION schemadrift');

my $fp_prod = $prod->safe_psql('app', 'SELECT schemadrift_fingerprint()');
my $fp_dev = $dev->safe_psql('app', 'SELECT schemadrift_fingerprint()');
my $fp_restored = $dev->safe_psql('restored', 'SELECT schemadrift_fingerprint()');
like($fp_prod, qr/^[0-9a-f]{64}$/, 'fingerprint is a sha256');
is($fp_dev, $fp_prod, 'same fingerprint for the same schema built in another order');
is($fp_restored, $fp_prod, 'same fingerprint after pg_dump and restore into another cluster');

my $count = $prod->safe_psql('app', 'SELECT count(*) FROM schemadrift_objects()');
cmp_ok($count, '>', 300, "a few hundred objects compared ($count)");

# snapshots move between clusters as text
my $snap_prod = $prod->safe_psql('app', 'SELECT schemadrift_snapshot()');
my $snap_dev = $dev->safe_psql('app', 'SELECT schemadrift_snapshot()');
my $snap_restored = $dev->safe_psql('restored', 'SELECT schemadrift_snapshot()');

# run $sql on $node/$db with psql variables s0, s1, ... holding the snapshots
# (read from files: a snapshot is too long for a command-line argument)
my $nfile = 0;
sub diff_rows
{
	my ($node, $db, $sql, @snaps) = @_;
	my $prelude = '';
	foreach my $i (0 .. $#snaps)
	{
		my $file = $node->basedir . '/snapshot_' . $nfile++ . '.json';
		PostgreSQL::Test::Utils::append_to_file($file, $snaps[$i]);
		$prelude .= "\\set s$i `cat $file`\n";
	}
	my ($ret, $out, $err) = $node->psql($db, $prelude . $sql);
	is($ret, 0, "diff ran on " . $node->name . "/$db") or diag($err);
	return $out;
}

is(diff_rows($dev, 'app', q{SELECT count(*) FROM schemadrift_diff(source => :'s0'::jsonb)}, $snap_prod),
	'0', 'dev vs prod snapshot: no drift');
is(diff_rows($dev, 'app', q{SELECT count(*) FROM schemadrift_diff(target => :'s0'::jsonb)}, $snap_prod),
	'0', 'prod snapshot vs dev: no drift');
is(diff_rows($dev, 'restored', q{SELECT count(*) FROM schemadrift_diff(source => :'s0'::jsonb)}, $snap_prod),
	'0', 'restored vs prod snapshot: no drift');
is(diff_rows($prod, 'app',
		q{SELECT count(*) FROM schemadrift_diff(target => :'s0'::jsonb, source => :'s1'::jsonb)},
		$snap_dev, $snap_restored),
	'0', 'dev snapshot vs restored snapshot, compared on prod: no drift');

# plant drift on dev: a migration applied only there
$dev->safe_psql('app', q{
	ALTER TABLE app.users ADD COLUMN nickname text;
	DROP INDEX app.users_tenant_email_lower_key;
});
is(diff_rows($dev, 'app',
		q{SELECT string_agg(change || ' ' || kind || ' ' || identity, E'\n' ORDER BY identity COLLATE "C")
		  FROM schemadrift_diff(source => :'s0'::jsonb)}, $snap_prod),
	"extra table column app.users.nickname\nmissing index app.users_tenant_email_lower_key",
	'planted drift found, and nothing else');
isnt($dev->safe_psql('app', 'SELECT schemadrift_fingerprint()'), $fp_prod,
	'planted drift changes the fingerprint');

$prod->stop;
$dev->stop;
done_testing();
