#
# 072_remote_slices.pl: a remote read over several connections that share
# one exported snapshot (schemadrift.remote_connections), on two clusters
# and a standby of the remote.
#
# The non-superuser reads "prod" (which asks for a password) with
# remote_connections = 1 and = 4 and gets the same objects, fingerprints,
# snapshots and diffs (both hash-first rounds); the remote's log shows 4
# connections per read.  A role's connection limit that refuses the extra
# connections leaves the read on one, with the same result and no error; a
# hot standby reads over several too (it exports snapshots).  An extra
# connection terminated on the remote mid-read, and Ctrl-C, give a clean
# error, and no connection is left on either side.
#
use strict;
use warnings;
use IPC::Run;
use Time::HiRes qw(time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use SdTest;

my $secret = 'S3cr3t-slices-mapping';

my $remote = PostgreSQL::Test::Cluster->new('remote');
$remote->init(allows_streaming => 1);
require_password($remote, 'regress_drift_reader');
$remote->append_conf('postgresql.conf', "log_connections = on\n");
$remote->start;
$remote->safe_psql('postgres', qq{
SET log_statement = 'none';
CREATE ROLE regress_drift_reader LOGIN PASSWORD '$secret';
CREATE DATABASE app;
});

# 60 tables in two schemas, a view with an INSTEAD OF trigger (read whole and
# in a slice), a drift in each direction
my $schema = q{
CREATE SCHEMA s1;
CREATE SCHEMA s2;
CREATE TABLE public.merchants (id int PRIMARY KEY, name text CHECK (name <> ''));
CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
DO $$
BEGIN
	FOR i IN 1..30 LOOP
		EXECUTE format('CREATE TABLE s1.t%s (id int PRIMARY KEY, m int REFERENCES public.merchants, v text CHECK (v <> %L))', i, 'x');
		EXECUTE format('CREATE INDEX ON s1.t%s (lower(v))', i);
		EXECUTE format('CREATE TABLE s2.t%s (id bigint GENERATED ALWAYS AS IDENTITY, w numeric(10,2) DEFAULT 0)', i);
	END LOOP;
END
$$;
CREATE VIEW public.merchant_names AS SELECT name FROM public.merchants;
CREATE TRIGGER names_ins INSTEAD OF INSERT ON public.merchant_names FOR EACH ROW EXECUTE FUNCTION public.noop();
};
$remote->safe_psql('app', $schema . q{
ALTER TABLE s1.t7 ADD COLUMN only_there int;
CREATE TABLE s2.only_there (id int);
});

my $local = PostgreSQL::Test::Cluster->new('local');
$local->init;
$local->start;
$local->safe_psql('postgres', 'CREATE DATABASE app');
$local->safe_psql('app', $schema . q{
ALTER TABLE s1.t21 ALTER COLUMN v SET DEFAULT 'here';
CREATE TABLE s1.only_here (id int);
CREATE EXTENSION schemadrift;
CREATE EXTENSION postgres_fdw;
CREATE ROLE regress_drift_local LOGIN;
});

# a hot standby of the remote
$remote->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($remote, 'b', has_streaming => 1);
$standby->start;
$remote->wait_for_catchup($standby);

my ($rhost, $rport, $sport) = ($remote->host, $remote->port, $standby->port);
$local->safe_psql('app', qq{
SET log_statement = 'none';
CREATE SERVER prod FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$rhost', port '$rport', dbname 'app');
CREATE SERVER replica FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$rhost', port '$sport', dbname 'app');
GRANT USAGE ON FOREIGN SERVER prod, replica TO regress_drift_local;
CREATE USER MAPPING FOR regress_drift_local SERVER prod OPTIONS (user 'regress_drift_reader', password '$secret');
CREATE USER MAPPING FOR regress_drift_local SERVER replica OPTIONS (user 'regress_drift_reader', password '$secret');
CREATE USER MAPPING FOR CURRENT_USER SERVER prod OPTIONS (user 'regress_drift_reader', password '$secret');
});

my $opts = q{'{"include_schemas": ["public", "s1", "s2"], "exclude": ["postgres_fdw", "prod", "replica", "schemadrift"]}'};
my $eq_opts = q{'{"include_schemas": ["s2"], "exclude": ["s2.only_there%", "postgres_fdw", "prod", "replica", "schemadrift"]}'};

# every read of a server, as one text, over n connections (as the
# non-superuser; every schema split: parallel_min_relations = 0)
sub reads
{
	my ($server, $n) = @_;
	return $local->safe_psql('app', qq{
SET schemadrift.parallel_min_relations = 0;
SET schemadrift.remote_connections = $n;
SELECT 'objects', kind, identity, hash FROM schemadrift_objects($opts, server => '$server') ORDER BY 2, 3;
SELECT 'fingerprint', schemadrift_fingerprint($opts, server => '$server');
SELECT 'snapshot', md5(schemadrift_snapshot($opts, server => '$server')::text);
SELECT 'diff', kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff('$server', options => $opts) ORDER BY 2, 3, 5;
SELECT 'reversed', kind, identity, change, attribute, source_value, target_value
FROM schemadrift_diff(source => '$server', options => $opts) ORDER BY 2, 3, 5;
SELECT 'equal', count(*) FROM schemadrift_diff('$server', options => $eq_opts);
}, extra_params => [ '-U', 'regress_drift_local' ]);
}

# connections the reader made to the remote since the log's offset
sub reader_connections
{
	my ($node, $offset) = @_;
	my $log = slurp_file($node->logfile, $offset);
	my @n = ($log =~ /connection authorized: user=regress_drift_reader/g);
	return scalar @n;
}

# --- one connection or four: the same reads ------------------------------------
my $offset = -s $remote->logfile;
my $one = reads('prod', 1);
my $one_conns = reader_connections($remote, $offset);
$offset = -s $remote->logfile;
my $four = reads('prod', 4);
my $four_conns = reader_connections($remote, $offset);
like($one, qr/^diff\|table column\|s1\.t21\.v\|changed\|default/m, 'the drift shows');
like($one, qr/^equal\|0$/m, 'an equal schema compares equal');
is($four, $one, 'four connections read what one reads: objects, hashes, fingerprint, snapshot, diffs');
is($one_conns, 6, 'one connection per read with remote_connections = 1');
is($four_conns, 24, 'four connections per read with remote_connections = 4');

# --- the extra connections refused: one connection, the same result --------------
$remote->safe_psql('postgres', 'ALTER ROLE regress_drift_reader CONNECTION LIMIT 1');
$offset = -s $remote->logfile;
my $limited = reads('prod', 4);
is($limited, $one, 'extra connections refused by the role\'s limit: the same reads, no error');
like(slurp_file($remote->logfile, $offset), qr/too many connections for role "regress_drift_reader"/,
	'the extra connections were refused');
$remote->safe_psql('postgres', 'ALTER ROLE regress_drift_reader CONNECTION LIMIT -1');

# --- a hot standby exports its snapshot too ----------------------------------------
$offset = -s $standby->logfile;
my $replica = reads('replica', 4);
(my $expected = $one) =~ s/prod/replica/g;
is($replica, $expected, 'a hot standby read over four connections: the same reads');
is(reader_connections($standby, $offset), 24, 'over four connections');

# --- faults mid-read ---------------------------------------------------------------
# deparsing a CHECK constraint opens its table: an ACCESS EXCLUSIVE lock held
# on the remote stops the connection whose slice holds s1.t15
my ($in, $lout) = ('', '');
my $lock = IPC::Run::start([ 'psql', '-X', '-q', '-d', $remote->connstr('app') ],
	'<', \$in, '>', \$lout, '2>', \$lout);
$in .= "BEGIN; LOCK TABLE s1.t15 IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n";
$lock->pump until $lout =~ /locked/;

my ($bout, $berr);
sub start_stuck_read
{
	($bout, $berr) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-X', '-At', '-d', $local->connstr('app'), '-c',
		  "SET application_name = 'stuck_read'; SET schemadrift.parallel_min_relations = 0; "
		  . "SET schemadrift.remote_connections = 4; SELECT count(*) FROM schemadrift_objects($opts, server => 'prod')" ],
		'>', \$bout, '2>', \$berr);
	$remote->poll_query_until('app',
		"SELECT count(*) = 4 FROM pg_stat_activity WHERE application_name = 'schemadrift'"
		. " AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'schemadrift' AND wait_event_type = 'Lock')")
	  or die 'the read did not start waiting on the remote lock over four connections';
	return $h;
}

# no connection left: none of ours on the remote, no other session here
sub none_left
{
	my ($what) = @_;
	ok($remote->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'schemadrift'"),
		"$what: no connection left on the remote");
	is($local->safe_psql('app', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'}),
		'1', "$what: no session left here");
}

# the stuck connection terminated on the remote
my $read = start_stuck_read();
my $start = time;
$remote->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'schemadrift' AND wait_event_type = 'Lock'");
$read->finish;
my $secs = time - $start;
like($berr, qr/(terminating connection due to administrator command|lost the connection to server "prod")/,
	sprintf('an extra connection terminated mid-read gives a clean error (%.2f s)', $secs));
like($berr, qr/server "prod"/, 'naming the server');
unlike($berr . slurp_file($local->logfile), qr/\Q$secret\E/, 'and not the password');
ok($secs < 3, 'within 3 s');
none_left('terminated');

# Ctrl-C while one connection is stuck
$read = start_stuck_read();
$start = time;
$local->safe_psql('app', "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'stuck_read'");
$read->finish;
$secs = time - $start;
like($berr, qr/canceling statement due to user request/, sprintf('pg_cancel_backend ends a read over four connections (%.2f s)', $secs));
ok($secs < 3, 'within 3 s');
# the stuck remote backend notices the closed connection only when its lock
# wait ends
$in .= "ROLLBACK;\n\\q\n";
$lock->finish;
none_left('cancelled');

done_testing();
