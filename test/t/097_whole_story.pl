# The whole story of issue 12, on two clusters: "dev" is built from a
# folder of migrations and its snapshot text committed; "prod" is deployed
# with one migration missing, and schemadrift-check fails naming the
# missing objects (text and markdown); a hand ALTER TABLE on prod, by a
# named role from a named application, is attributed to them (through
# foreign servers with explain, in the report, and in the gate's report);
# the hand change is accepted with an expiry; the missing migration is
# fixed with the fix SQL (schemadrift_sync_sql applied to prod); the gate
# then exits 0, and fails again once the acceptance expires.  (The pg_cron
# check that records a drift within a minute is test/t/095_monitor_cron.pl.)
use strict;
use warnings;
use File::Basename qw(dirname);
use File::Path qw(make_path);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $check = dirname(__FILE__) . '/../../bin/schemadrift-check';

my $dev = PostgreSQL::Test::Cluster->new('dev');
$dev->init;
$dev->start;
my $prod = PostgreSQL::Test::Cluster->new('prod');
$prod->init;
$prod->start;

# the repository: a folder of migrations
my $repo = $dev->basedir . '/repo';
make_path("$repo/migrations");
append_to_file("$repo/migrations/0001_init.sql", <<'EOF');
CREATE SCHEMA shop;
CREATE TABLE shop.merchants (id bigint PRIMARY KEY, name text NOT NULL);
EOF
append_to_file("$repo/migrations/0002_orders.sql", <<'EOF');
CREATE TABLE shop.orders (
	id bigint PRIMARY KEY,
	merchant_id bigint NOT NULL REFERENCES shop.merchants,
	total numeric(12,2) NOT NULL
);
CREATE INDEX orders_merchant ON shop.orders (merchant_id);
EOF
append_to_file("$repo/migrations/0003_invoices.sql", <<'EOF');
CREATE TABLE shop.invoices (
	id bigint PRIMARY KEY,
	order_id bigint NOT NULL REFERENCES shop.orders,
	issued_at timestamptz NOT NULL DEFAULT now()
);
EOF

# run a command; returns (exit status, stdout, stderr)
sub run_cmd
{
	my ($out, $err) = ('', '');
	IPC::Run::run([@_], '>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

# apply migrations (file names) to a database, as the tool would: each with
# application_name "migrate" and its name as the change reason
sub migrate
{
	my ($node, $db, @files) = @_;
	foreach my $f (@files)
	{
		(my $name = $f) =~ s/\.sql$//;
		my ($rc, $out, $err) = run_cmd('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
			'-d', $node->connstr($db) . ' application_name=migrate',
			'-c', "SET schemadrift.change_reason = '$name'",
			'-f', "$repo/migrations/$f");
		die "migration $f failed on " . $node->name . ": $err" if $rc != 0;
	}
}

my @migrations = ('0001_init.sql', '0002_orders.sql', '0003_invoices.sql');

# "dev": every migration, audited; its snapshot text committed to the repo
$dev->safe_psql('postgres', 'CREATE DATABASE app');
$dev->safe_psql('app', 'CREATE EXTENSION schemadrift');
migrate($dev, 'app', @migrations);
my ($rc, $out, $err) = run_cmd('psql', '-X', '-At', '-d', $dev->connstr('app'),
	'-o', "$repo/schema.snapshot", '-c', 'SELECT schemadrift_snapshot_text()');
is($rc, 0, 'dev\'s snapshot text written to the repository') or diag($err);

# "prod": deployed with the last migration missing
$prod->safe_psql('postgres', 'CREATE DATABASE app');
$prod->safe_psql('app', 'CREATE EXTENSION schemadrift');
migrate($prod, 'app', @migrations[ 0 .. 1 ]);
my $target = $prod->connstr('app');

# the gate fails, naming what is missing, in text and in markdown
($rc, $out, $err) = run_cmd($check, '--source', "$repo/schema.snapshot", '--target', $target);
is($rc, 1, 'gate against prod missing a migration: exit 1') or diag($out . $err);
like($out, qr/^schema drift: 1 object differs \(1 missing, 0 extra, 0 changed\)/, 'it counts one missing object');
like($out, qr/missing\s+shop\.invoices\s+\(with 3 columns/, 'it names the missing table, with its columns');
($rc, $out, $err) = run_cmd($check, '--source', "$repo/migrations", '--target', $target,
	'--format', 'markdown');
is($rc, 1, 'the migrations folder as the source: exit 1') or diag($out . $err);
like($out, qr/\| missing \| `shop\.invoices` \|/, 'the markdown report names the missing table');

# a hand change on prod, by a named role from a named application
$prod->safe_psql('app', 'CREATE ROLE ops_alice LOGIN SUPERUSER');
($rc, $out, $err) = run_cmd('psql', '-X', '-v', 'ON_ERROR_STOP=1',
	'-d', "$target user=ops_alice application_name=hotfix-console",
	'-c', 'ALTER TABLE shop.orders ADD COLUMN note text');
is($rc, 0, 'ops_alice adds a column on prod by hand') or diag($err);

# a CI database on dev's cluster reads both through foreign servers
$dev->safe_psql('postgres', 'CREATE DATABASE ci');
$dev->safe_psql('ci', sprintf(q{
	CREATE EXTENSION schemadrift;
	CREATE EXTENSION postgres_fdw;
	CREATE SERVER prod FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '%s', port '%s', dbname 'app');
	CREATE SERVER dev FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '%s', port '%s', dbname 'app');
	CREATE USER MAPPING FOR CURRENT_USER SERVER prod;
	CREATE USER MAPPING FOR CURRENT_USER SERVER dev;
}, $prod->host, $prod->port, $dev->host, $dev->port));

# who made each drift, through the servers: the hand change from prod's
# log, the missing table from dev's (prod never had it)
is($dev->safe_psql('ci', q{
	SELECT identity || ' | ' || change || ' | ' || changed_on || ' | '
		   || CASE changed_by WHEN session_user THEN '(session user)' ELSE changed_by END
		   || ' | ' || application_name || ' | ' || command_tag || ' | '
		   || coalesce(change_reason, '') || ' | ' || statement
	FROM schemadrift_diff('prod', 'dev', '{"explain": true}'::jsonb)
	ORDER BY identity COLLATE "C"}),
	"shop.invoices | missing | source | (session user) | migrate | CREATE TABLE | 0003_invoices | "
	  . "CREATE TABLE shop.invoices (\n\tid bigint PRIMARY KEY,\n\torder_id bigint NOT NULL REFERENCES shop.orders,\n"
	  . "\tissued_at timestamptz NOT NULL DEFAULT now()\n)\n"
	  . "shop.orders.note | extra | target | ops_alice | hotfix-console | ALTER TABLE |  | "
	  . "ALTER TABLE shop.orders ADD COLUMN note text",
	'explain: the hand change is ops_alice\'s from hotfix-console, the missing table dev\'s migration');
ok($dev->safe_psql('ci', q{
	SELECT bool_and(changed_at > now() - interval '1 hour' AND audit_id > 0)
	FROM schemadrift_diff('prod', 'dev', '{"explain": true}'::jsonb)}) eq 't',
	'each attributed row has a time and an audit id');
is($prod->safe_psql('app', q{
	SELECT current_user_name || ' ' || application_name FROM schemadrift_ddl_log
	WHERE statement = 'ALTER TABLE shop.orders ADD COLUMN note text'}),
	'ops_alice hotfix-console', 'prod\'s own log has the entry');

# the report says the same
my $report = $dev->safe_psql('ci', q{SELECT schemadrift_report('prod', 'dev')});
like($report, qr/extra\s+shop\.orders\.note\n\s+last DDL: ALTER TABLE by ops_alice at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(hotfix-console\): ALTER TABLE shop\.orders ADD COLUMN note text/,
	'the report attributes the hand change through the server');
like($report, qr/missing\s+shop\.invoices.*\n\s+last DDL: on the source: CREATE TABLE by \S+ at .* \(migrate, reason 0003_invoices\)/,
	'and the missing table to dev\'s migration');

# so does the gate's report, run in prod
($rc, $out, $err) = run_cmd($check, '--source', "$repo/schema.snapshot", '--target', $target);
is($rc, 1, 'gate with the missing migration and the hand change: exit 1') or diag($out . $err);
like($out, qr/extra\s+shop\.orders\.note\n\s+last DDL: ALTER TABLE by ops_alice .*\(hotfix-console\)/,
	'the gate\'s report names ops_alice');

# the hand change is accepted, for a week
$prod->safe_psql('app', q{
	INSERT INTO schemadrift_accepted_drift (identity_pattern, reason, accepted_by, expires_at)
	VALUES ('shop.orders.note', 'INC-9: notes kept until the next release', 'ops_alice',
			now() + interval '7 days')});
($rc, $out, $err) = run_cmd($check, '--source', "$repo/schema.snapshot", '--target', $target);
is($rc, 1, 'accepted hand change, missing migration: still exit 1') or diag($out . $err);
like($out, qr/^schema drift: 1 object differs \(1 missing, 0 extra, 0 changed\), and 1 accepted difference/,
	'only the missing table fails the gate');

# the fix: dev's schema as a script, applied to prod (the accepted column's
# DROP is destructive: left as a comment)
my $script = $dev->safe_psql('ci', q{SELECT schemadrift_sync_sql('prod', 'dev')});
like($script, qr/CREATE TABLE .*shop\.invoices/, 'the fix script creates the missing table');
like($script, qr/--[^\n]*DROP COLUMN IF EXISTS note/, 'and leaves the column\'s drop commented');
append_to_file("$repo/fix.sql", $script);
($rc, $out, $err) = run_cmd('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $target,
	'-f', "$repo/fix.sql");
is($rc, 0, 'the fix script runs on prod') or diag($err);

# the gate passes, but for the accepted difference
($rc, $out, $err) = run_cmd($check, '--source', "$repo/schema.snapshot", '--target', $target);
is($rc, 0, 'after the fix: exit 0') or diag($out . $err);
like($out, qr/^no drift: .*\nbut for 1 accepted difference\n.*INC-9/s, 'the accepted difference is listed');
($rc, $out, $err) = run_cmd($check, '--source', "$repo/migrations", '--target', $target);
is($rc, 0, 'the migrations folder agrees') or diag($out . $err);
is($dev->safe_psql('ci', q{SELECT count(*) FROM schemadrift_diff('prod', 'dev') WHERE change = 'missing'}),
	'0', 'nothing is missing on prod any more');

# once the acceptance expires, the gate fails again
$prod->safe_psql('app', q{UPDATE schemadrift_accepted_drift SET expires_at = now() - interval '1 second'});
($rc, $out, $err) = run_cmd($check, '--source', "$repo/schema.snapshot", '--target', $target);
is($rc, 1, 'an expired acceptance: exit 1');
like($out, qr/extra\s+shop\.orders\.note\s+\(acceptance #\d+ expired at .*INC-9/, 'it says the acceptance expired');

$dev->stop;
$prod->stop;
done_testing();
