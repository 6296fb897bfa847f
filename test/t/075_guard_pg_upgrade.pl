#
# 075_guard_pg_upgrade.pl: a guarded database upgraded by pg_upgrade to
# another PostgreSQL major keeps its guard.
#
# A cluster of the major this extension was built for holds database app
# with schemadrift, a rule (deployer may change schema public with a
# ticket) and ALTER DATABASE app SET schemadrift.guard = 'enforce'.
# pg_upgrade of the other major moves it to a new cluster (the guard stands
# aside while pg_upgrade replays the catalog in binary-upgrade mode); there
# the setting, the rule and the audit log are what they were, a role no
# rule allows is refused, the deployer's ticketed change runs and is
# audited.
#
# The other major is the PostgreSQL installed under $SD_OTHER_INSTALL, newer
# than this one, with schemadrift "make install"ed into it too, for example
# a build of 16 beside Debian's 15:
#   SD_OTHER_INSTALL=/work/pgbuild/16 SD_SUITES=tap \
#       PROVE_TESTS=test/t/075_guard_pg_upgrade.pl test/quickstart.sh test
# Without it the test is skipped: CI has one major (Debian 12 serves 15).
#
use strict;
use warnings;
use Cwd qw(getcwd);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $other_install = $ENV{SD_OTHER_INSTALL};
plan skip_all => 'pg_upgrade of a guarded database needs a second major '
  . '(set SD_OTHER_INSTALL to the installation prefix of a newer one, with schemadrift installed)'
  unless defined $other_install && -x "$other_install/bin/pg_upgrade";

# pg_upgrade needs the same locale, encoding and data checksums on both
# sides (initdb turns checksums on by default from PostgreSQL 18)
my @initdb = (extra => [ '--locale=C', '--encoding=UTF8', '--data-checksums' ]);

my $old = PostgreSQL::Test::Cluster->new('old');
$old->init(@initdb);
$old->start;

$old->safe_psql('postgres', q{
CREATE DATABASE app;
CREATE ROLE deployer LOGIN;
CREATE ROLE alice LOGIN;
});
$old->safe_psql('app', q{
CREATE EXTENSION schemadrift;
GRANT CREATE ON SCHEMA public TO deployer, alice;
CREATE TABLE public.merchants (id integer);
ALTER TABLE public.merchants OWNER TO deployer;
SELECT schemadrift_guard_allow('deployer', '{public}', reason_pattern => '^CHG-[0-9]+$',
                               comment => 'migrations with a ticket');
ALTER DATABASE app SET schemadrift.guard = 'enforce';
});
my ($ret, $stdout, $stderr) = $old->psql('app', 'ALTER TABLE public.merchants ADD COLUMN x integer',
	extra_params => [ '-U', 'alice' ]);
like($stderr, qr/schema change blocked by schemadrift/, 'before: alice is refused');

my $rules_q = 'SELECT id, role, schemas, commands, action, reason_pattern, comment FROM schemadrift_guard_rules ORDER BY id';
my $log_q = 'SELECT id, event, command_tag, object_identity, chain_hash IS NOT NULL FROM schemadrift_ddl_log ORDER BY id';
my $rules_before = $old->safe_psql('app', $rules_q);
$old->safe_psql('app', 'SELECT schemadrift_ddl_log_seal()');
my $log_before = $old->safe_psql('app', $log_q);
my $old_major = $old->safe_psql('postgres', "SELECT current_setting('server_version_num')::int / 10000");
my $old_bindir = $old->config_data('--bindir');

# Some Debian 15 builds (this machine's among them) stamp every column with
# an attribute option pg_attver=<n> that no other PostgreSQL knows:
# pg_upgrade's schema restore would fail on the first table with
# 'unrecognized parameter "pg_attver"'.  Strip it from the columns of
# non-system relations (the ones pg_dump dumps) before the upgrade.
my $attver = q{pg_attver=%};
for my $db (split /\n/, $old->safe_psql('postgres',
		'SELECT datname FROM pg_database WHERE datallowconn'))
{
	$old->safe_psql($db, qq{
UPDATE pg_catalog.pg_attribute
SET attoptions = pg_catalog.array_remove(ARRAY(SELECT o FROM pg_catalog.unnest(attoptions) o
                                                WHERE o NOT LIKE '$attver'), NULL)
WHERE attrelid >= 16384 AND attoptions::text LIKE '%$attver%';
UPDATE pg_catalog.pg_attribute SET attoptions = NULL
WHERE attrelid >= 16384 AND attoptions = '{}';
});
}
$old->stop;

my $new = PostgreSQL::Test::Cluster->new('new', install_path => $other_install);
$new->init(@initdb);
my $new_major = `$other_install/bin/pg_config --version`;
$new_major =~ s/^PostgreSQL (\d+).*\n?$/$1/s;
cmp_ok($new_major, '>', $old_major, "the other install is a newer major ($new_major, here $old_major)");

# pg_upgrade writes into its working directory
my $workdir = PostgreSQL::Test::Utils::tempdir;
my $cwd = getcwd();
chdir $workdir or die "cannot chdir to $workdir: $!";
command_ok(
	[ "$other_install/bin/pg_upgrade", '--no-sync',
	  '-d', $old->data_dir, '-D', $new->data_dir,
	  '-b', $old_bindir, '-B', "$other_install/bin",
	  '-s', $new->host, '-p', $old->port, '-P', $new->port ],
	"pg_upgrade from PostgreSQL $old_major to $new_major of a cluster with a guarded database");
chdir $cwd;

$new->start;
is($new->safe_psql('app', "SELECT current_setting('schemadrift.guard')"),
	'enforce', 'after: the database is still set to guard = enforce');
is($new->safe_psql('app', $rules_q), $rules_before, 'the rules are kept');
is($new->safe_psql('app', $log_q), $log_before, 'the audit log is kept');
is($new->safe_psql('app', 'SELECT ok FROM schemadrift_ddl_log_verify()'), 't', 'and its chain verifies');

($ret, $stdout, $stderr) = $new->psql('app', 'ALTER TABLE public.merchants ADD COLUMN x integer',
	extra_params => [ '-U', 'alice' ]);
like($stderr, qr/DETAIL:  Role "alice" may not run ALTER TABLE on public\.merchants: no rule allows it \(guard mode "enforce"\)\./,
	'alice is refused on the new major');
($ret, $stdout, $stderr) = $new->psql('app', 'ALTER TABLE public.merchants ADD COLUMN y integer',
	extra_params => [ '-U', 'deployer' ]);
like($stderr, qr/a change reason matching/, 'the deployer is refused without a ticket');
$new->safe_psql('app', q{
SET schemadrift.change_reason = 'CHG-7';
ALTER TABLE public.merchants ADD COLUMN y integer;
}, extra_params => [ '-U', 'deployer' ]);
is($new->safe_psql('app',
		"SELECT command_tag, object_identity FROM schemadrift_ddl_log WHERE change_reason = 'CHG-7'"),
	'ALTER TABLE|public.merchants', 'and runs, audited, with one');

$new->stop;
done_testing();
