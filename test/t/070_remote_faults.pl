#
# 070_remote_faults.pl: remote sides when things go wrong, on two clusters.
#
# "local" has schemadrift and postgres_fdw; "remote" has nothing of ours and
# asks role regress_drift_reader for a password (scram-sha-256).  Every fault
# ends in a clear error within 3 s of its timeout (the seconds each took are
# printed), a stuck read ends on pg_cancel_backend, a remote of another major
# (a fake server that says it runs 14) is refused, 1,000 failing connects in
# one session leak neither file descriptors nor memory, and the password
# appears in no error, no server log line and no audit row.
#
use strict;
use warnings;
use File::Basename qw(dirname);
use IO::Socket::INET;
use IPC::Run;
use POSIX ();
use Time::HiRes qw(time sleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use SdTest;

my $secret = 'S3cr3t-tap-mapping';

my $remote = PostgreSQL::Test::Cluster->new('remote');
$remote->init;
# the reader must give its password; everyone else (the test) is trusted
require_password($remote, 'regress_drift_reader', 'host all all 127.0.0.1/32 trust');
# also on loopback TCP, for the proxy that cuts connections
$remote->append_conf('postgresql.conf', "listen_addresses = '127.0.0.1'");
$remote->start;
$remote->safe_psql('postgres', qq{
SET log_statement = 'none';
CREATE ROLE regress_drift_reader LOGIN PASSWORD '$secret';
CREATE DATABASE app;
});
$remote->safe_psql('app', q{
CREATE TABLE public.merchants (id int PRIMARY KEY, name text CHECK (name <> ''));
CREATE VIEW public.merchant_names AS SELECT name FROM public.merchants;
});

my $local = PostgreSQL::Test::Cluster->new('local');
$local->init;
$local->start;
$local->safe_psql('postgres', 'CREATE DATABASE app');
$local->safe_psql('app', q{
CREATE EXTENSION schemadrift;
CREATE EXTENSION postgres_fdw;
CREATE TABLE public.merchants (id int PRIMARY KEY, name text CHECK (name <> ''));
CREATE VIEW public.merchant_names AS SELECT name FROM public.merchants;
CREATE ROLE regress_drift_local LOGIN;
GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO regress_drift_local;
});

# a server per fault; the non-superuser regress_drift_local reads "prod"
# with the reader's password
my $rhost = $remote->host;
my $rport = $remote->port;
my $silent = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp')
  or die "cannot listen: $!";
my $silent_port = $silent->sockport;
my $refused_port = do {
	my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp');
	my $p = $s->sockport;
	close($s);
	$p;
};
$local->safe_psql('app', qq{
SET log_statement = 'none';
CREATE SERVER prod FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$rhost', port '$rport', dbname 'app');
CREATE SERVER wrongpw FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$rhost', port '$rport', dbname 'app');
CREATE SERVER refused FOREIGN DATA WRAPPER postgres_fdw OPTIONS (hostaddr '127.0.0.1', port '$refused_port', dbname 'app');
CREATE SERVER silent FOREIGN DATA WRAPPER postgres_fdw OPTIONS (hostaddr '127.0.0.1', port '$silent_port', dbname 'app');
GRANT USAGE ON FOREIGN SERVER prod, wrongpw TO regress_drift_local;
CREATE USER MAPPING FOR regress_drift_local SERVER prod OPTIONS (user 'regress_drift_reader', password '$secret');
CREATE USER MAPPING FOR regress_drift_local SERVER wrongpw OPTIONS (user 'regress_drift_reader', password 'not-the-password');
CREATE USER MAPPING FOR CURRENT_USER SERVER prod;
CREATE USER MAPPING FOR CURRENT_USER SERVER refused;
CREATE USER MAPPING FOR CURRENT_USER SERVER silent;
});

# run sql on local's app database; returns (seconds, stdout, stderr)
sub timed
{
	my ($sql, $user) = @_;
	my $start = time;
	my ($ret, $out, $err) = $local->psql('app', $sql,
		extra_params => [ $user ? ('-U', $user) : () ]);
	return (time - $start, $out, $err);
}

# --- a real password, used: the non-superuser reads prod -----------------------
# (this side's servers and mappings are not the remote's: left out)
my $opts = q{'{"include_schemas": ["public"], "exclude": ["postgres_fdw", "prod", "wrongpw", "refused", "silent", "old"]}'};
my ($secs, $out, $err) = timed("SELECT count(*) FROM schemadrift_diff('prod', options => $opts)",
	'regress_drift_local');
is($out, '0', 'a non-superuser with a password in the mapping reads the remote: equal schemas');
is($err, '', '... without an error');

# --- wrong password -------------------------------------------------------------
($secs, $out, $err) = timed(q{SELECT schemadrift_fingerprint(server => 'wrongpw')}, 'regress_drift_local');
like($err, qr/could not connect to server "wrongpw".*password authentication failed/s,
	sprintf('a wrong password fails (%.2f s)', $secs));
diag(sprintf('%s: %.2f s', 'a wrong password fails', $secs));
unlike($err, qr/\Q$secret\E/, '... and the error does not show the password');

# --- refused port ---------------------------------------------------------------
($secs, $out, $err) = timed(q{SET schemadrift.connect_timeout = 2; SELECT schemadrift_fingerprint(server => 'refused')});
like($err, qr/could not connect to server "refused".*Connection refused/s,
	sprintf('a refused port fails at once (%.2f s)', $secs));
diag(sprintf('%s: %.2f s', 'a refused port fails at once', $secs));
ok($secs < 3, 'within 3 s');

# --- a host that accepts the connection and never answers -------------------------
($secs, $out, $err) = timed(q{SET schemadrift.connect_timeout = 2; SELECT schemadrift_fingerprint(server => 'silent')});
like($err, qr/could not connect to server "silent": timed out after 2 s/,
	sprintf('a silent host fails on schemadrift.connect_timeout (%.2f s)', $secs));
diag(sprintf('%s: %.2f s', 'a silent host fails on schemadrift.connect_timeout', $secs));
ok($secs >= 1.9 && $secs < 5, 'within 3 s of the 2 s timeout');

# --- a fleet with a silent and a refused server: each gets its row, and the
# --- silent one costs no more than its connect timeout ---------------------------
($secs, $out, $err) = timed(q{SET schemadrift.connect_timeout = 2;
SELECT server, fingerprint IS NOT NULL, coalesce(error, '-')
FROM schemadrift_fleet(ARRAY['silent', 'prod', 'refused'],
	options => '{"include_schemas": ["public"], "exclude": ["postgres_fdw", "server", "user mapping"]}')
ORDER BY server});
like($out, qr/^prod\|t\|-\nrefused\|f\|could not connect: .*Connection refused.*\nsilent\|f\|could not connect: timed out after 2 s$/s,
	'a fleet reports each server: read, refused, timed out');
diag(sprintf('a fleet with a silent server: %.2f s', $secs));
ok($secs >= 1.9 && $secs < 5, 'the silent server costs the fleet no more than its connect timeout');

# --- a connection cut mid-result (a proxy that closes after 8,000 bytes) ----------
# (50 tables on the remote make the catalog read's result some 50 kB)
$remote->safe_psql('app', q{
CREATE SCHEMA bulk;
DO $$ BEGIN FOR i IN 1..50 LOOP
	EXECUTE format('CREATE TABLE bulk.t%s (id int PRIMARY KEY, v text NOT NULL DEFAULT %L)', i, repeat('x', 40));
END LOOP; END $$;
});
my $proxy_port = do {
	my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp');
	my $p = $s->sockport;
	close($s);
	$p;
};
my $proxy = IPC::Run::start(
	[ 'python3', dirname(__FILE__) . '/../tcp_proxy.py', $proxy_port, $rport,
	  $local->basedir . '/proxy_tally', 8000 ]);
# until it listens (python's start-up takes longer on a busy machine)
my $listening;
foreach (1 .. 200)
{
	$listening = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $proxy_port, Proto => 'tcp');
	last if $listening;
	sleep 0.05;
}
die "the proxy did not start listening on port $proxy_port" unless $listening;
close($listening);
$local->safe_psql('app', qq{
CREATE SERVER cut FOREIGN DATA WRAPPER postgres_fdw OPTIONS (hostaddr '127.0.0.1', port '$proxy_port', dbname 'app');
CREATE USER MAPPING FOR CURRENT_USER SERVER cut;
});
($secs, $out, $err) = timed(q{SELECT count(*) FROM schemadrift_objects(server => 'cut')});
like($err, qr/lost the connection to server "cut" while reading the catalogs/,
	'a connection cut mid-result gives a clear error');
diag(sprintf('a connection cut mid-result: %.2f s', $secs));
ok($secs < 3, 'within 3 s');
$proxy->kill_kill;
$remote->safe_psql('app', 'DROP SCHEMA bulk CASCADE');

# --- a read stuck on a remote lock ------------------------------------------------
# deparsing the CHECK constraint opens the table: an ACCESS EXCLUSIVE lock
# held on the remote blocks the catalog read
sub hold_lock
{
	my ($in, $lout) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-X', '-q', '-d', $remote->connstr('app') ],
		'<', \$in, '>', \$lout, '2>', \$lout);
	$in .= "BEGIN; LOCK TABLE public.merchants IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n";
	$h->pump until $lout =~ /locked/;
	return ($h, \$in);
}

# remote_timeout ends it
my ($lock, $lock_in) = hold_lock();
($secs, $out, $err) = timed(q{SET schemadrift.remote_timeout = 2; SELECT schemadrift_fingerprint(server => 'prod')});
like($err, qr/(statement timeout.*remote server "prod"|server "prod" did not answer within 2 s)/s,
	sprintf('a stuck remote read ends on schemadrift.remote_timeout (%.2f s)', $secs));
diag(sprintf('%s: %.2f s', 'a stuck remote read ends on schemadrift.remote_timeout', $secs));
ok($secs >= 1.9 && $secs < 5, 'within 3 s of the 2 s timeout');

# a diff in the background, waiting on the remote lock; its stderr into $berr
my ($bout, $berr);
sub start_stuck_diff
{
	($bout, $berr) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-X', '-At', '-d', $local->connstr('app'), '-c',
		  "SET application_name = 'stuck_diff'; SELECT count(*) FROM schemadrift_diff('prod')" ],
		'>', \$bout, '2>', \$berr);
	$remote->poll_query_until('app',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'schemadrift' AND wait_event_type = 'Lock'")
	  or die 'the diff did not start waiting on the remote lock';
	return $h;
}

# pg_cancel_backend ends it
my $diff = start_stuck_diff();
my $start = time;
$local->safe_psql('app', "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'stuck_diff'");
$diff->finish;
$secs = time - $start;
like($berr, qr/canceling statement due to user request/, sprintf('pg_cancel_backend ends a stuck diff (%.2f s)', $secs));
diag(sprintf('pg_cancel_backend ends a stuck diff: %.2f s', $secs));
ok($secs < 3, 'within 3 s');
# the remote's backend waits on the lock until it ends (its statement_timeout
# is schemadrift.remote_timeout) or notices the closed connection: end it,
# so that the next test waits for its own
$remote->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'schemadrift'");
$remote->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'schemadrift'")
  or die 'the cancelled read is still on the remote';

# the remote stops while the read is stuck
$diff = start_stuck_diff();
$start = time;
$remote->stop('immediate');
$diff->finish;
$secs = time - $start;
like($berr, qr/lost the connection to server "prod" while reading the catalogs/,
	sprintf('a remote stopped mid-read gives a clear error (%.2f s)', $secs));
diag(sprintf('%s: %.2f s', 'a remote stopped mid-read gives a clear error', $secs));
ok($secs < 3, 'within 3 s');
$lock->kill_kill;
$remote->start;

# --- DDL that commits while the read waits for it ---------------------------------
# The read's snapshot is older than the DDL; deparsing, which waits for the
# DDL's lock, sees the newer catalog.  The check after the read (the
# remote's snapshot, then its catalog state) sees a transaction end and the
# state change, and the read runs again: the result is the new schema, not
# a mix of both (the column under its old name, the CHECK and the view
# naming it as after).
my $fp_before = $local->safe_psql('app', q{SELECT schemadrift_fingerprint(server => 'prod')});
my ($ddl_in, $ddl_out) = ('', '');
my $ddl = IPC::Run::start([ 'psql', '-X', '-q', '-At', '-d', $remote->connstr('app') ],
	'<', \$ddl_in, '>', \$ddl_out, '2>', \$ddl_out);
$ddl_in .= "BEGIN; ALTER TABLE public.merchants RENAME COLUMN name TO title; SELECT 'renamed';\n";
$ddl->pump until $ddl_out =~ /renamed/;
my ($rout, $rerr) = ('', '');
my $read = IPC::Run::start(
	[ 'psql', '-X', '-At', '-d', $local->connstr('app'), '-c',
	  q{SELECT schemadrift_snapshot(server => 'prod')->>'fingerprint'} ],
	'>', \$rout, '2>', \$rerr);
$remote->poll_query_until('app',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'schemadrift' AND wait_event_type = 'Lock'")
  or die 'the read did not start waiting on the DDL';
$ddl_in .= "COMMIT; SELECT 'committed';\n";
$ddl->pump until $ddl_out =~ /committed/;
$read->finish;
chomp $rout;
my $fp_after = $local->safe_psql('app', q{SELECT schemadrift_fingerprint(server => 'prod')});
isnt($fp_after, $fp_before, 'the DDL changed the remote schema');
is($rout, $fp_after, 'a read that waited for a DDL returns the schema after it, not a mix')
  or diag("stderr: $rerr");
$ddl_in .= "ALTER TABLE public.merchants RENAME COLUMN title TO name;\n\\q\n";
$ddl->finish;

# the local backends hold no connection afterwards
is($local->safe_psql('app', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'}),
	'1', 'no local session is left behind');

# --- a remote of another major version: a fake server that says 14 ---------------
my $fake = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp', ReuseAddr => 1)
  or die "cannot listen: $!";
my $fake_port = $fake->sockport;
my $fake_pid = fork();
die "fork: $!" unless defined $fake_pid;
if ($fake_pid == 0)
{
	# answer one startup with server_version 14.11, then wait for the end;
	# the child leaves through POSIX::_exit, so that the test framework's
	# END blocks and signal handlers (which stop the clusters) do not run
	$SIG{TERM} = $SIG{INT} = $SIG{ALRM} = sub { POSIX::_exit(0) };
	alarm 30;
	while (my $c = $fake->accept)
	{
		my $buf;
		for (;;)
		{
			read($c, $buf, 4) == 4 or last;
			my $len = unpack('N', $buf);
			read($c, $buf, $len - 4);
			my $code = unpack('N', $buf);
			if ($code == 80877103 || $code == 80877104)    # SSL or GSS request
			{
				print $c 'N';
				next;
			}
			last;
		}
		my $msg = '';
		my $param = sub { my $p = join("\0", @_) . "\0"; $msg .= 'S' . pack('N', 4 + length $p) . $p };
		$msg .= 'R' . pack('NN', 8, 0);                       # AuthenticationOk
		$param->('server_version', '14.11');
		$param->('server_encoding', 'UTF8');
		$param->('client_encoding', 'UTF8');
		$param->('integer_datetimes', 'on');
		$param->('standard_conforming_strings', 'on');
		$msg .= 'K' . pack('NNN', 12, 4242, 4242);            # BackendKeyData
		$msg .= 'Z' . pack('N', 5) . 'I';                     # ReadyForQuery
		print $c $msg;
		$c->flush;
		1 while read($c, $buf, 1);                          # until closed
		close($c);
	}
	POSIX::_exit(0);
}
close($fake);
$local->safe_psql('app', qq{
CREATE SERVER old FOREIGN DATA WRAPPER postgres_fdw OPTIONS (hostaddr '127.0.0.1', port '$fake_port', dbname 'app', sslmode 'disable', gssencmode 'disable');
CREATE USER MAPPING FOR CURRENT_USER SERVER old;
});
($secs, $out, $err) = timed(q{SELECT schemadrift_fingerprint(server => 'old')});
like($err, qr/server "old" runs PostgreSQL 14\.11, which schemadrift cannot read.*PostgreSQL 15 to 18; this database runs PostgreSQL \d+/s,
	sprintf('a remote of another major is refused, naming both versions (%.2f s)', $secs));
diag(sprintf('%s: %.2f s', 'a remote of another major is refused, naming both versions', $secs));
kill 'TERM', $fake_pid;
waitpid($fake_pid, 0);

# --- 1,000 failing connects in one session ------------------------------------------
my ($in, $sout, $serr) = ('', '', '');
my $session = IPC::Run::start([ 'psql', '-X', '-At', '-d', $local->connstr('app') ],
	'<', \$in, '>', \$sout, '2>', \$serr);
sub in_session
{
	my ($sql) = @_;
	$sout = '';
	$in .= "$sql\n\\echo __done__\n";
	$session->pump until $sout =~ /__done__/;
	$sout =~ s/__done__\n?//;
	chomp $sout;
	return $sout;
}
my $pid = in_session('SELECT pg_backend_pid();');
sub fds { opendir(my $d, "/proc/$pid/fd") or return -1; my $n = grep { !/^\./ } readdir($d); closedir($d); $n }
sub rss { my $s = slurp_file("/proc/$pid/status"); $s =~ /VmRSS:\s+(\d+)/ ? $1 : -1 }
my $loop = q{DO $$ DECLARE failed int := 0; BEGIN FOR i IN 1..%d LOOP BEGIN PERFORM schemadrift_fingerprint(server => 'refused'); EXCEPTION WHEN sqlclient_unable_to_establish_sqlconnection THEN failed := failed + 1; END; END LOOP; RAISE WARNING 'failed connects: %%', failed; END $$;};
in_session(sprintf($loop, 50));    # warm up caches
my ($fds0, $rss0) = (fds(), rss());
$serr = '';
$start = time;
in_session(sprintf($loop, 1000));
$secs = time - $start;
like($serr, qr/failed connects: 1000/, 'every one of 1,000 connects failed with 08001');
my ($fds1, $rss1) = (fds(), rss());
diag(sprintf('1,000 failing connects: %.2f s; fds %d -> %d; VmRSS %d kB -> %d kB', $secs, $fds0, $fds1, $rss0, $rss1));
is($fds1, $fds0, '1,000 failing connects leave no file descriptor open');
ok($rss1 - $rss0 < 2048, 'and grow memory by less than 2 MB');
$in .= "\\q\n";
$session->finish;

# --- the password is nowhere ---------------------------------------------------------
$local->safe_psql('app', 'SELECT schemadrift_ddl_log_seal()');
# (the query names the password in hex: the server log must not have it)
my $secret_hex = unpack('H*', $secret);
is($local->safe_psql('app',
		"SELECT count(*) FROM schemadrift_ddl_log l WHERE strpos(l::text, convert_from(decode('$secret_hex', 'hex'), 'UTF8')) > 0"),
	'0', 'no audit row holds the password');
for my $node ($local, $remote)
{
	my $log = slurp_file($node->logfile);
	unlike($log, qr/\Q$secret\E/, 'the server log of ' . $node->name . ' does not hold the password');
}

$local->stop;
$remote->stop;
done_testing();
