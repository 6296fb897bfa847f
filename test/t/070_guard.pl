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
#  - with shared_preload_libraries: a session's first command that would
#    disable the guard is refused; CREATE ROLE, CREATE DATABASE, ALTER
#    SYSTEM and ALTER DATABASE ... SET are judged (refused), a break-glass
#    CREATE ROLE is recorded, a rule for every schema allows role commands;
#    allowed, such commands are written to schemadrift_ddl_log (event
#    "utility"; GRANT/REVOKE of roles name the granted roles; REINDEX
#    before 17), refused or failed ones are not;
#  - preloaded, refusals (top level, rolled back, swallowed by an EXCEPTION
#    block, and queued just before a crash) reach schemadrift_ddl_denied
#    exactly once;
#  - pg_upgrade of a guarded database: 075_guard_pg_upgrade.pl.
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

# --- preloaded: what no event trigger sees -----------------------------------------
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'schemadrift'");
$node->restart;
# a fresh session's first command: only the preloaded hook can judge it
($ret, $stdout, $stderr) = $node->psql('app',
	'ALTER EVENT TRIGGER schemadrift_guard_ddl_command_start DISABLE');
like($stderr, qr/may not run ALTER EVENT TRIGGER on schemadrift_guard_ddl_command_start: it would change an event trigger of extension schemadrift/,
	'preloaded, a first command that would disable the guard is refused');
for my $cmd ('CREATE ROLE mallory', 'CREATE DATABASE shadow', "ALTER SYSTEM SET work_mem = '8MB'",
	"ALTER DATABASE app SET schemadrift.guard = 'off'")
{
	($ret, $stdout, $stderr) = $node->psql('app', $cmd);
	like($stderr, qr/schema change blocked by schemadrift.*no rule allows it/s, "preloaded: $cmd is refused");
}
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_roles WHERE rolname = 'mallory'"),
	'0', 'and did not happen');
$node->safe_psql('app', q{
SET schemadrift.guard_break_glass = 'INC-9: a role for the on-call';
CREATE ROLE oncall;
});
is($node->safe_psql('app',
		"SELECT command_tag, object_identity FROM schemadrift_ddl_log WHERE detail LIKE 'guard break-glass: INC-9%'"),
	'CREATE ROLE|oncall', 'a break-glass CREATE ROLE is recorded in the audit log');
$node->safe_psql('app', q{
SET schemadrift.guard_break_glass = 'test set-up';
SELECT schemadrift_guard_allow(current_user, '{*}', '{CREATE ROLE,DROP ROLE}');
});
$node->safe_psql('app', 'DROP ROLE oncall');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_roles WHERE rolname = 'oncall'"),
	'0', 'a rule for every schema allows role commands');

# allowed, they are audited in the database the session is connected to
$node->safe_psql('app', q{
SET schemadrift.guard_break_glass = 'test set-up';
SELECT schemadrift_guard_allow(current_user, '{*}', '{CREATE DATABASE,DROP DATABASE,ALTER SYSTEM}');
});
$node->safe_psql('app', 'CREATE DATABASE scratch');
$node->safe_psql('app', "ALTER SYSTEM SET work_mem = '8MB'");
$node->safe_psql('app', 'DROP DATABASE scratch');
($ret, $stdout, $stderr) = $node->psql('app', 'CREATE ROLE deployer');
like($stderr, qr/role "deployer" already exists/, 'an allowed command that fails');
$node->safe_psql('app', 'SET schemadrift.guard = off; CREATE ROLE tmp_a; CREATE ROLE tmp_b; '
	  . 'GRANT tmp_a, tmp_b TO deployer; REVOKE tmp_b FROM deployer; DROP ROLE tmp_a, tmp_b;');
my $su = $node->safe_psql('app', 'SELECT current_user');
is($node->safe_psql('app', q{
SELECT event, command_tag, object_type, schema_name, object_identity, is_drop,
       current_user_name, database_name, statement
FROM schemadrift_ddl_log WHERE event = 'utility' ORDER BY id}),
	# the first: pg_restore's, passed with the break-glass above
	"utility|ALTER DATABASE|database||app|f|$su|app|ALTER DATABASE app SET schemadrift.guard = 'enforce'\n"
	  . "utility|CREATE ROLE|role||oncall|f|$su|app|CREATE ROLE oncall\n"
	  . "utility|DROP ROLE|role||oncall|t|$su|app|DROP ROLE oncall\n"
	  . "utility|CREATE DATABASE|database||scratch|f|$su|app|CREATE DATABASE scratch\n"
	  . "utility|ALTER SYSTEM|||work_mem|f|$su|app|ALTER SYSTEM SET work_mem = '8MB'\n"
	  . "utility|DROP DATABASE|database||scratch|t|$su|app|DROP DATABASE scratch\n"
	  . "utility|CREATE ROLE|role||tmp_a|f|$su|app|CREATE ROLE tmp_a\n"
	  . "utility|CREATE ROLE|role||tmp_b|f|$su|app|CREATE ROLE tmp_b\n"
	  . "utility|GRANT ROLE|role||tmp_a|f|$su|app|GRANT tmp_a, tmp_b TO deployer\n"
	  . "utility|GRANT ROLE|role||tmp_b|f|$su|app|GRANT tmp_a, tmp_b TO deployer\n"
	  . "utility|REVOKE ROLE|role||tmp_b|f|$su|app|REVOKE tmp_b FROM deployer\n"
	  . "utility|DROP ROLE|role||tmp_a|t|$su|app|DROP ROLE tmp_a, tmp_b\n"
	  . "utility|DROP ROLE|role||tmp_b|t|$su|app|DROP ROLE tmp_a, tmp_b",
	'allowed shared-object commands are audited, one row per object (break-glass, rule, guard off), refused or failed ones are not');

# REINDEX fires event triggers only from PostgreSQL 17 on; before, the
# preloaded hook records it, one row for what it names.  (The major, not
# pg_version: PostgreSQL::Version puts a pre-release such as 17beta2 before
# 17, and it has the event triggers.)
$node->safe_psql('app', q{
SET schemadrift.guard = off;
CREATE INDEX merchants_id ON public.merchants (id);
REINDEX TABLE public.merchants;
REINDEX INDEX public.merchants_id;
REINDEX SCHEMA public;
});
my $reindex = $node->safe_psql('app', q{
SELECT event, object_type, schema_name, object_identity, statement
FROM schemadrift_ddl_log WHERE command_tag = 'REINDEX' ORDER BY id});
if ($node->pg_version->major < 17)
{
	is($reindex,
		"utility|table|public|public.merchants|REINDEX TABLE public.merchants\n"
		  . "utility|index|public|public.merchants_id|REINDEX INDEX public.merchants_id\n"
		  . "utility|schema||public|REINDEX SCHEMA public",
		'before 17, REINDEX is audited by the hook, one row for the object it names');
}
else
{
	unlike($reindex, qr/^utility/m, 'from 17, REINDEX is audited by the event triggers, not the hook');
	like($reindex, qr/^ddl_command_end\|index\|public\|public\.merchants_id\|REINDEX TABLE public\.merchants$/m,
		'with a row per rebuilt index');
}
is($node->safe_psql('app', 'SELECT ok FROM schemadrift_ddl_log_verify()'),
	't', 'and the hash chain covers them');

# --- preloaded: refusals survive the abort, in schemadrift_ddl_denied ------------------
$node->safe_psql('postgres', 'CREATE EXTENSION schemadrift');
my $denied = "SELECT count(*) FROM schemadrift_ddl_denied WHERE database_name = 'app' AND current_user_name = 'alice'";
$node->psql('app', 'ALTER TABLE public.merchants ADD COLUMN d_top integer', extra_params => [ '-U', 'alice' ]);
$node->psql('app', 'BEGIN; ALTER TABLE public.merchants ADD COLUMN d_rollback integer; ROLLBACK;',
	extra_params => [ '-U', 'alice' ]);
is($node->safe_psql('app', q{
DO $$BEGIN
	ALTER TABLE public.merchants ADD COLUMN d_swallowed integer;
EXCEPTION WHEN insufficient_privilege THEN NULL;
END$$;
SELECT 'swallowed';
}, extra_params => [ '-U', 'alice' ]), 'swallowed', 'a refusal swallowed by an EXCEPTION block');
ok($node->poll_query_until('postgres', "SELECT ($denied) = 3"),
	'refusals at top level, rolled back and swallowed all reach schemadrift_ddl_denied');
is($node->safe_psql('postgres',
		"SELECT command_tag, schema_name, object_identity, mode, why, statement FROM schemadrift_ddl_denied "
		  . "WHERE database_name = 'app' AND current_user_name = 'alice' ORDER BY occurred_at, queue_id"),
	"ALTER TABLE|public|public.merchants|enforce|no rule allows it|ALTER TABLE public.merchants ADD COLUMN d_top integer\n"
	  . "ALTER TABLE|public|public.merchants|enforce|no rule allows it|ALTER TABLE public.merchants ADD COLUMN d_rollback integer\n"
	  . "ALTER TABLE|public|public.merchants|enforce|no rule allows it|DO \$\$BEGIN\n\tALTER TABLE public.merchants ADD COLUMN d_swallowed integer;\nEXCEPTION WHEN insufficient_privilege THEN NULL;\nEND\$\$",
	'each once, with who, what, where and why');

# a crash before the worker's next round: the queue is on disk, and is
# moved once after the restart
$node->append_conf('postgresql.conf', 'schemadrift.denied_naptime = 3600');
$node->reload;
sleep(2);
$node->psql('app', 'ALTER TABLE public.merchants ADD COLUMN d_crash integer', extra_params => [ '-U', 'alice' ]);
ok(-s $node->data_dir . '/pg_schemadrift_denied.queue', 'the refusal waits in the queue file');
$node->stop('immediate');
$node->start;
ok($node->poll_query_until('postgres', "SELECT ($denied) = 4"), 'after a crash and restart the queued refusal is moved');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM schemadrift_ddl_denied WHERE statement LIKE '%d_crash%'"),
	'1', 'exactly once');
ok(!-e $node->data_dir . '/pg_schemadrift_denied.queue.taken', 'and the taken queue is removed');

$node->stop;
done_testing();
