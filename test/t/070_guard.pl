#
# 070_guard.pl: the DDL guard across a server's life.
#
#  - a refused command leaves its structured LOG line in the server log,
#    after the abort and after a restart (no table keeps it: README.md);
#  - pg_dump --create + pg_restore --create of a database guarded with
#    ALTER DATABASE ... SET schemadrift.guard = enforce: refused without the
#    documented path (its rules are restored after the schema), restored
#    through it (the break-glass in PGOPTIONS, each pass recorded), and
#    guarded again afterwards with its rules;
#  - pg_upgrade of a guarded database: skipped where the machine has one
#    PostgreSQL major only.
#
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
CREATE DATABASE app;
CREATE ROLE deployer LOGIN;
CREATE ROLE alice LOGIN;
});
$node->safe_psql('app', q{
CREATE EXTENSION schemadrift;
GRANT CREATE ON SCHEMA public TO deployer, alice;
CREATE TABLE public.merchants (id integer);
ALTER TABLE public.merchants OWNER TO deployer;
SELECT schemadrift_guard_allow('deployer', '{public}', reason_pattern => '^CHG-[0-9]+$');
ALTER DATABASE app SET schemadrift.guard = 'enforce';
});

# --- a refusal, in the server log ---------------------------------------------
my $log_offset = -s $node->logfile;
my ($ret, $stdout, $stderr) = $node->psql('app',
	'ALTER TABLE public.merchants ADD COLUMN x integer',
	extra_params => [ '-U', 'alice' ]);
isnt($ret, 0, 'alice is refused');
like($stderr, qr/schema change blocked by schemadrift/, 'with the guard\'s error');
like($stderr, qr/DETAIL:  Role "alice" may not run ALTER TABLE on public\.merchants: no rule allows it \(guard mode "enforce"\)\./,
	'whose detail names role, command, object and why');
my $line = qr/LOG:  schemadrift guard: \{"action": "denied", "mode": "enforce", "event": "ddl_command_start", "database": "app", "session_user": "alice", "current_user": "alice", .*"command": "ALTER TABLE", "schema": "public", "object": "public\.merchants", "rule": null, "why": "no rule allows it", .*"statement": "ALTER TABLE public\.merchants ADD COLUMN x integer"\}/;
ok($node->log_contains($line, $log_offset), 'the refusal is one structured LOG line');

$node->restart;
ok($node->log_contains($line), 'the LOG line is still there after a restart');

$node->safe_psql('app', q{
SET schemadrift.change_reason = 'CHG-1';
ALTER TABLE public.merchants ADD COLUMN tax_id text;
}, extra_params => [ '-U', 'deployer' ]);
is($node->safe_psql('app', "SELECT count(*) FROM schemadrift_ddl_log WHERE change_reason = 'CHG-1'"),
	'1', 'the deployer\'s ticketed change runs and is audited');

# --- pg_dump + pg_restore of the guarded database --------------------------------
my $dump = $node->basedir . '/app.dump';
$node->command_ok([ 'pg_dump', '-Fc', '--create', '-f', $dump, '-d', $node->connstr('app') ],
	'pg_dump --create of the guarded database');
$node->safe_psql('postgres', 'DROP DATABASE app');

delete local $ENV{PGAPPNAME};
{
	$node->command_fails(
		[ 'pg_restore', '--create', '--exit-on-error', '-d', $node->connstr('postgres'), $dump ],
		'pg_restore --create without the documented path is refused by the guard');
	$node->safe_psql('postgres', 'DROP DATABASE IF EXISTS app');
}
{
	local $ENV{PGOPTIONS} = '-c schemadrift.guard_break_glass=restore-of-app';
	$node->command_ok(
		[ 'pg_restore', '--create', '--exit-on-error', '-d', $node->connstr('postgres'), $dump ],
		'pg_restore --create with the break-glass in PGOPTIONS');
}
is($node->safe_psql('app', 'SELECT role, schemas, commands, action, reason_pattern FROM schemadrift_guard_rules'),
	'deployer|{public}|{*}|allow|^CHG-[0-9]+$', 'the rules are restored');
ok($node->safe_psql('app',
		"SELECT count(*) FROM schemadrift_ddl_log WHERE event = 'guard' AND detail LIKE 'guard break-glass: restore-of-app;%'") > 0,
	'the restore\'s passes are recorded as break-glass');
($ret, $stdout, $stderr) = $node->psql('app', 'ALTER TABLE public.merchants ADD COLUMN y integer',
	extra_params => [ '-U', 'alice' ]);
like($stderr, qr/schema change blocked by schemadrift/, 'the restored database is guarded again');
($ret, $stdout, $stderr) = $node->psql('app',
	"SET schemadrift.change_reason = 'CHG-2'; ALTER TABLE public.merchants ADD COLUMN y integer",
	extra_params => [ '-U', 'deployer' ]);
is($ret, 0, 'and its restored rule lets the deployer through');

# --- pg_upgrade -------------------------------------------------------------------
SKIP:
{
	my @majors = grep { -x "/usr/lib/postgresql/$_/bin/pg_upgrade" }
	  map { m{/(\d+)$} ? $1 : () } glob('/usr/lib/postgresql/*');
	skip 'pg_upgrade of a guarded database needs two PostgreSQL majors; this machine has '
	  . join(', ', @majors), 1
	  if @majors < 2;
	fail('pg_upgrade of a guarded database is not written yet');
}

$node->stop;
done_testing();
