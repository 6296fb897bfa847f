# schemadrift-check, the CI gate outside the database: a folder of
# migrations, a .sql file and a snapshot text file as sources, a target with
# one migration missing (exit 1, the missing objects named, in text and
# markdown), then deployed (exit 0); errors exit 2 with a message (a .sql
# that fails names its file and line; an unreachable target; bad
# arguments); scratch databases are dropped.  And a 50 MB snapshot file
# loaded through psql's \set (a command-line argument holds 128 KiB).
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Path qw(make_path);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $check = dirname(__FILE__) . '/../../bin/schemadrift-check';

my $node = PostgreSQL::Test::Cluster->new('gate');
$node->init;
$node->start;

my $dir = $node->basedir . '/repo';
make_path("$dir/migrations");
append_to_file("$dir/migrations/0001_init.sql", <<'EOF');
CREATE SCHEMA shop;
CREATE TABLE shop.merchants (id bigint PRIMARY KEY, name text NOT NULL);
GRANT SELECT ON shop.merchants TO app_reader;
EOF
append_to_file("$dir/migrations/0002_orders.sql", <<'EOF');
CREATE TABLE shop.orders (
	id bigint PRIMARY KEY,
	merchant_id bigint NOT NULL REFERENCES shop.merchants
);
CREATE INDEX orders_merchant ON shop.orders (merchant_id);
EOF
append_to_file("$dir/schema.sql",
	slurp_file("$dir/migrations/0001_init.sql")
	  . slurp_file("$dir/migrations/0002_orders.sql"));
append_to_file("$dir/broken.sql", <<'EOF');
CREATE SCHEMA shop;
CREATE TABLE shop.merchants (id bigint PRIMARY KEY);
CREATE TABLE shop.orders (merchant_id bigint REFERENCES shop.nowhere);
EOF

# run schemadrift-check; returns (exit status, stdout, stderr)
sub check
{
	my @args = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $check, @args ], '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

$node->safe_psql('postgres', 'CREATE ROLE app_reader');

# "prod": the first migration only
$node->safe_psql('postgres', 'CREATE DATABASE prod');
$node->safe_psql('prod', slurp_file("$dir/migrations/0001_init.sql"));
$node->safe_psql('prod', 'CREATE EXTENSION schemadrift');
my $prod = $node->connstr('prod');

# "dev": every migration; its snapshot text is committed to the repository
$node->safe_psql('postgres', 'CREATE DATABASE dev');
$node->safe_psql('dev', slurp_file("$dir/schema.sql"));
$node->safe_psql('dev', 'CREATE EXTENSION schemadrift');
$node->command_ok(
	[ 'psql', '-X', '-At', '-d', $node->connstr('dev'), '-o', "$dir/schema.snapshot",
	  '-c', 'SELECT schemadrift_snapshot_text()' ],
	'snapshot text written with psql -At -o');
like(slurp_file("$dir/schema.snapshot"), qr/^\{"format": "schemadrift-snapshot", "format_version": \d+, "model_version": \d+,\n/,
	'the snapshot file starts with its format and model versions');

# a migration missing on prod: drift, whatever the source's form
my ($rc, $out, $err) = check('--source', "$dir/migrations", '--target', $prod);
is($rc, 1, 'migrations folder against prod missing one: exit 1') or diag($err);
like($out, qr/^schema drift: 1 object differs \(1 missing, 0 extra, 0 changed\)/, 'text report counts the drift');
like($out, qr/missing\s+shop\.orders/, 'text report names the missing table');
($rc, $out, $err) = check('--source', "$dir/schema.sql", '--target', $prod, '--format', 'markdown');
is($rc, 1, '.sql file against prod: exit 1') or diag($err);
like($out, qr/^## schemadrift: 1 object differs/, 'markdown report heading');
like($out, qr/\| missing \| `shop\.orders` \|/, 'markdown report names the missing table');
($rc, $out, $err) = check('--source', "$dir/schema.snapshot", '--target', $prod, '--format', 'json');
is($rc, 1, 'snapshot file against prod: exit 1') or diag($err);
like($out, qr/^\{"target": .*"drift": true/, 'json report');
is($err, '', 'nothing on stderr when drift is found');
($rc, $out, $err) = check('--source', "$dir/schema.snapshot", '--target', $prod,
	'--ignore', 'owner,privileges');
is($rc, 2, 'options other than the snapshot file\'s: exit 2');
like($err, qr/snapshot given as "source" was taken with other options/, 'it says why');

# the missing table accepted for a day: the gate passes; expired: it fails
$node->safe_psql('prod', q{
	INSERT INTO schemadrift_accepted_drift (identity_pattern, reason, expires_at)
	VALUES ('shop.orders%', 'ships next week', now() + interval '1 day')});
($rc, $out, $err) = check('--source', "$dir/schema.snapshot", '--target', $prod);
is($rc, 0, 'accepted drift passes the gate') or diag($out . $err);
like($out, qr/^no drift: .*\nbut for 1 accepted difference\n.*ships next week/s, 'the report lists it as accepted');
$node->safe_psql('prod', q{UPDATE schemadrift_accepted_drift SET expires_at = now() - interval '1 second'});
($rc, $out, $err) = check('--source', "$dir/schema.snapshot", '--target', $prod);
is($rc, 1, 'an expired acceptance fails the gate again');
like($out, qr/acceptance #\d+ expired at .*ships next week/, 'and says it expired');
$node->safe_psql('prod', 'DELETE FROM schemadrift_accepted_drift');

# deploy the missing migration: the gate passes
$node->safe_psql('prod', slurp_file("$dir/migrations/0002_orders.sql"));
foreach my $source ("$dir/migrations", "$dir/schema.sql", "$dir/schema.snapshot")
{
	($rc, $out, $err) = check('--source', $source, '--target', $prod);
	is($rc, 0, "after deploy, $source: exit 0") or diag($out . $err);
	like($out, qr/^no drift: target this database \(prod\) matches source /, 'no drift reported');
}
($rc, $out, $err) = check('--source', "$dir/migrations", '--target', $prod,
	'--include-schema', 'shop', '--exclude', 'shop.orders%');
is($rc, 0, '--include-schema and --exclude become options') or diag($err);

# errors: exit 2, with a message
($rc, $out, $err) = check('--source', "$dir/broken.sql", '--target', $prod);
is($rc, 2, 'a .sql source that fails to load: exit 2');
like($err, qr{broken\.sql:3: ERROR:  .*shop\.nowhere}, 'the load error names the file and line');
($rc, $out, $err) = check('--source', "$dir/schema.snapshot",
	'--target', 'host=127.0.0.1 port=1 connect_timeout=2 dbname=nowhere');
is($rc, 2, 'an unreachable target: exit 2');
like($err, qr/connection to server .* failed/, 'the connection error is shown');
unlike($err, qr/ at \S+ line \d+/, 'no stack trace');
($rc, $out, $err) = check('--source', "$dir/nope.snapshot", '--target', $prod);
is($rc, 2, 'a missing source: exit 2');
like($err, qr/source ".*nope\.snapshot" does not exist/, 'it says so');
($rc, $out, $err) = check('--source', "$dir/schema.snapshot", '--target', $prod, '--format', 'html');
is($rc, 2, 'an unknown format: exit 2');
($rc, $out, $err) = check('--target', $prod);
is($rc, 2, 'no source: exit 2');
append_to_file("$dir/truncated.snapshot", substr(slurp_file("$dir/schema.snapshot"), 0, 300));
($rc, $out, $err) = check('--source', "$dir/truncated.snapshot", '--target', $prod);
is($rc, 2, 'a truncated snapshot file: exit 2');
like($err, qr/invalid input syntax for type json/, 'it says the file is not JSON');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_database WHERE datname LIKE 'schemadrift_check_%'"),
	'0', 'no scratch database left behind');

# --cluster: the check runs in a throwaway cluster of its own, which reads
# the target through a foreign server: "bare" has no schemadrift
$node->safe_psql('postgres', 'CREATE DATABASE bare');
$node->safe_psql('bare', slurp_file("$dir/migrations/0001_init.sql"));
my $bare = $node->connstr('bare');
($rc, $out, $err) = check('--cluster', '--source', "$dir/migrations", '--target', $bare);
is($rc, 1, '--cluster, migrations folder against a target without schemadrift: exit 1') or diag($err);
like($out, qr/missing\s+shop\.orders/, 'the missing table is named');
like($out, qr/^target: bare$/m, 'the target is named by its database');
($rc, $out, $err) = check('--cluster', '--source', "$dir/schema.snapshot", '--target', $bare,
	'--format', 'markdown');
is($rc, 1, '--cluster, snapshot file: exit 1') or diag($err);
($rc, $out, $err) = check('--cluster', '--source', "$dir/broken.sql", '--target', $bare);
is($rc, 2, '--cluster, a .sql source that fails to load: exit 2');
like($err, qr{broken\.sql:3: ERROR:  .*shop\.nowhere}, 'the load error names the file and line');
$node->safe_psql('bare', slurp_file("$dir/migrations/0002_orders.sql"));
($rc, $out, $err) = check('--cluster', '--source', "$dir/migrations", '--target', $bare);
is($rc, 0, '--cluster, after deploy: exit 0 (the GRANT to app_reader loaded)') or diag($out . $err);
($rc, $out, $err) = check('--cluster', '--source', "$dir/schema.snapshot", '--target', $bare);
is($rc, 0, '--cluster, snapshot file after deploy: exit 0') or diag($out . $err);
is($node->safe_psql('bare', "SELECT count(*) FROM pg_extension WHERE extname = 'schemadrift'"),
	'0', 'the target still has no schemadrift');

# baselines and stamped versions are user data: pg_dump keeps them, and a
# baseline restored elsewhere is still a side
$node->safe_psql('prod', q{
	SELECT schemadrift_baseline_save('release-2', 'deployed');
	SELECT schemadrift_version_stamp('0002', '[{"name": "0001_init.sql", "checksum": "a1"}, {"name": "0002_orders.sql", "checksum": "b2"}]');
});
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok(
	[ 'pg_dump', '-f', "$dir/prod.dump", '-d', $prod ], 'pg_dump of prod');
$node->command_ok(
	[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('restored'),
	  '-f', "$dir/prod.dump" ],
	'prod restored');
is($node->safe_psql('restored', q{
	SELECT (SELECT string_agg(name || ':' || note, ',') FROM schemadrift_baselines)
		|| ' ' || (SELECT string_agg(version || ':' || jsonb_array_length(migrations), ',') FROM schemadrift_versions)
		|| ' ' || (SELECT count(*) FROM schemadrift_diff(source => 'baseline:release-2'))
		|| ' ' || (SELECT version || ':' || matches FROM schemadrift_status())}),
	'release-2:deployed 0002:2 0 0002:true',
	'baselines and versions survive pg_dump; the restored database matches both');

# a 50 MB snapshot file: through \set in psql, and through the gate
$node->safe_psql('postgres', 'CREATE DATABASE big');
$node->safe_psql('big', q{
	CREATE EXTENSION schemadrift;
	CREATE TABLE wide (id int);
	DO $$ BEGIN EXECUTE format('COMMENT ON TABLE wide IS %L', repeat('0123456789', 5200000)); END $$;
});
$node->command_ok(
	[ 'psql', '-X', '-At', '-d', $node->connstr('big'), '-o', "$dir/big.snapshot",
	  '-c', 'SELECT schemadrift_snapshot_text()' ],
	'a 50 MB snapshot text written');
cmp_ok(-s "$dir/big.snapshot", '>', 50_000_000, 'the file is over 50 MB');
my ($ret, $stdout, $stderr) = $node->psql('big',
	"\\set snap `cat $dir/big.snapshot`\n"
	  . "SELECT schemadrift_assert_no_drift(source => :'snap'::jsonb);");
is($ret, 0, '\set snap `cat file` loads it in psql') or diag($stderr);
is($stdout, 't', 'and it is a snapshot of that database');
($rc, $out, $err) = check('--source', "$dir/big.snapshot", '--target', $node->connstr('big'));
is($rc, 0, 'the gate reads a 50 MB snapshot file') or diag($err);

$node->stop;
done_testing();
