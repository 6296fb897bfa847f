# schemadrift_monitor() under a real pg_cron (1.4 on Debian 12: minute
# granularity, here with background workers): a job checks this database
# against a baseline every minute; a drift made by hand is recorded by the
# next run, and a change of result notifies schemadrift_drift.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $pkglibdir = `pg_config --pkglibdir`;
chomp $pkglibdir;
plan skip_all => 'pg_cron is not installed (Debian: postgresql-15-cron)'
  unless -e "$pkglibdir/pg_cron.so";

my $node = PostgreSQL::Test::Cluster->new('cron');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 16
});
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_cron;
	CREATE EXTENSION schemadrift;
	CREATE TABLE merchants (id bigint PRIMARY KEY, name text NOT NULL);
	SELECT schemadrift_baseline_save('release-1', 'deployed', '{"exclude": ["pg_cron"]}');
});

# NOTIFY when the result changes, not when it stays the same
my ($ret, $out, $err) = $node->psql('postgres', q{
	LISTEN schemadrift_drift;
	SELECT schemadrift_monitor('baseline:release-1', options => '{"exclude": ["pg_cron"]}');
	SELECT schemadrift_monitor('baseline:release-1', options => '{"exclude": ["pg_cron"]}');
});
is($ret, 0, 'two monitor runs') or diag($err);
my @notes = ($out =~ /Asynchronous notification "schemadrift_drift" with payload "([^"]*(?:""[^"]*)*)"/g);
is(scalar(@notes), 1, 'one notification: the first run, the second has the same result');
like($out, qr/\{"source": "baseline:release-1", "target": null, "drift": false/, 'its payload says no drift');

# the job, every minute
$node->safe_psql('postgres', q{
	SELECT cron.schedule('schemadrift', '* * * * *',
		$$SELECT schemadrift_monitor('baseline:release-1', options => '{"exclude": ["pg_cron"]}')$$);
});
# someone adds a column by hand
$node->safe_psql('postgres', 'ALTER TABLE merchants ADD COLUMN notes text');
ok($node->poll_query_until('postgres',
		'SELECT count(*) > 0 FROM schemadrift_monitor_runs WHERE drift AND changed_since_last'),
	'the next run of the pg_cron job records the drift');
is($node->safe_psql('postgres', q{
	SELECT extra || ' ' || (by_kind->'table column'->>'extra')
	FROM schemadrift_monitor_runs WHERE drift ORDER BY id LIMIT 1}),
	'1 1', 'the extra column is counted');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM cron.job_run_details WHERE status = 'succeeded'}) > 0 ? 1 : 0,
	1, 'pg_cron ran the job successfully');

$node->stop;
done_testing();
