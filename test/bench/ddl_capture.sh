#!/usr/bin/env bash
#
# ddl_capture.sh — what DDL auditing costs in DDL throughput.
#
# Starts a throwaway cluster (as the postgres OS user when run as root) and
# runs pgbench with 4 clients over a DDL script (CREATE TABLE, ALTER TABLE
# ADD COLUMN, CREATE INDEX, DROP TABLE; names unique per client) in five
# configurations, in alternating order, ROUNDS times:
#
#   none      a database without any event trigger (the floor)
#   off       schemadrift installed, schemadrift.capture = off
#   on        schemadrift installed, schemadrift.capture = on (the default)
#   plpgsql   a PL/pgSQL ddl_command_end + sql_drop event trigger writing
#             the same columns into a table (what a DBA writes by hand)
#   pgaudit   pgaudit with pgaudit.log = 'ddl' (server log, not a table)
#   guard     capture on and schemadrift.guard = enforce, every command on
#             the guard's allowed path (a rule allows the bench role)
#   guardonly capture off, schemadrift.guard = enforce (the guard alone)
#   history   capture on and schemadrift.object_history = on (every command's
#             objects read and kept in schemadrift_object_history)
#   expected  capture on and schemadrift.expected_baseline set (every
#             command's objects compared with a baseline saved before the
#             runs; the bench tables are not in it, so each command warns
#             and notifies)
#
# and prints the median TPS of each and the median of the per-round ratios
# (the machine is noisy: only ratios taken within a round are compared).
# synchronous_commit is off so that commit fsyncs do not hide CPU cost.
#
# With PERF=seconds (as root, perf installed), it then runs the guard mode
# (capture on, guard enforce) that long under `perf record -a -g` (frame
# pointers: PostgreSQL and schemadrift are built with them) and prints the
# share of the server's CPU samples (every postgres process of the bench
# cluster) spent inside the guard's event-trigger functions, inside
# capture's, and inside core's event-trigger calls that contain both (the
# whole price of having event triggers) -- the guard's cost where
# throughput noise hides it.  ROUNDS=0 PERF=20 takes the profile alone;
# PERF_DATA=file keeps the recording (perf report -i file);
# PERF_PGOPTIONS profiles another mode (default "-c schemadrift.guard=enforce";
# "-c schemadrift.object_history=on" profiles object history).
#
# Environment: PG_BIN (default /usr/lib/postgresql/15/bin), ROUNDS (7),
# DURATION seconds per run (10), CLIENTS (4), BENCH_PORT (54331), MODES
# (default "none off on plpgsql pgaudit"; must include off: MODES="off on"
# spends all the time on the ratio that the capture target is about;
# MODES="none off on guard guardonly" measures the guard;
# MODES="off on history expected" object history and drift at DDL time).
# schemadrift must be installed in PG_BIN's PostgreSQL (test/quickstart.sh
# demo does that); pgaudit is installed with apt when missing, if MODES
# has it.
#
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ROUNDS=${ROUNDS:-7}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-4}
PORT=${BENCH_PORT:-54331}
RUN_AS=${SD_TEST_USER:-postgres}
read -r -a MODES <<<"${MODES:-none off on plpgsql pgaudit}"
case " ${MODES[*]} " in *" off "*) ;; *) echo "MODES must include off" >&2; exit 2 ;; esac

pkglibdir=$("$PG_BIN/pg_config" --pkglibdir)
preload=""
case " ${MODES[*]} " in *" pgaudit "*) preload=pgaudit ;; esac
if [ -n "$preload" ] && [ ! -f "$pkglibdir/pgaudit.so" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "pgaudit is not installed and this is not root: apt-get install postgresql-15-pgaudit" >&2
		exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-pgaudit >/dev/null
fi
if [ ! -f "$pkglibdir/schemadrift.so" ]; then
	echo "schemadrift is not installed in $pkglibdir (run test/quickstart.sh demo first)" >&2
	exit 1
fi

as_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$RUN_AS" -- "$@"
	else
		"$@"
	fi
}

dir=$(mktemp -d /tmp/schemadrift-bench.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown "$RUN_AS" "$dir"
cleanup() {
	as_user "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

as_user "$PG_BIN/initdb" -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$dir'
shared_preload_libraries = '$preload'
synchronous_commit = off
max_connections = 20
shared_buffers = 256MB
log_min_messages = warning
CONF
as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null

psql() { as_user "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$PORT" "$@"; }

for m in none sd plpgsql pgaudit; do
	psql -d postgres -c "CREATE DATABASE bench_$m"
done
psql -d bench_sd -c "CREATE EXTENSION schemadrift" \
	-c "SELECT schemadrift_guard_allow(current_user, '{public}')" \
	-c "SELECT schemadrift_baseline_save('bench') IS NOT NULL AS saved" >/dev/null
# the guard is on in the guard modes: a schema no rule allows is refused
if as_user env PGOPTIONS="-c schemadrift.guard=enforce" "$PG_BIN/psql" -X -q -h "$dir" -p "$PORT" \
	-d bench_sd -c "CREATE SCHEMA bench_not_allowed" >/dev/null 2>&1; then
	echo "the guard did not refuse a DDL no rule allows" >&2
	exit 1
fi
if [ -n "$preload" ]; then
	psql -d bench_pgaudit -c "CREATE EXTENSION pgaudit" \
		-c "ALTER DATABASE bench_pgaudit SET pgaudit.log = 'ddl'"
fi
psql -d bench_plpgsql <<'SQL'
CREATE TABLE ddl_log (
	id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL,
	transaction_id xid8, backend_pid integer, session_user_name text,
	current_user_name text, client_addr inet, client_port integer,
	application_name text, database_name text, event text NOT NULL,
	command_tag text NOT NULL, object_type text, schema_name text,
	object_identity text, creating_extension boolean NOT NULL,
	is_drop boolean NOT NULL, statement text, change_reason text);
CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.ddl_log (occurred_at, transaction_id, backend_pid,
		session_user_name, current_user_name, client_addr, client_port,
		application_name, database_name, event, command_tag, object_type,
		schema_name, object_identity, creating_extension, is_drop, statement,
		change_reason)
	SELECT statement_timestamp(), pg_current_xact_id(), pg_backend_pid(),
		session_user, current_user, inet_client_addr(), inet_client_port(),
		current_setting('application_name'), current_database(),
		'ddl_command_end', c.command_tag, c.object_type, c.schema_name,
		c.object_identity, c.in_extension, false, current_query(),
		nullif(current_setting('app.change_reason', true), '')
	FROM pg_event_trigger_ddl_commands() c;
END$$;
CREATE FUNCTION log_drop() RETURNS event_trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.ddl_log (occurred_at, transaction_id, backend_pid,
		session_user_name, current_user_name, client_addr, client_port,
		application_name, database_name, event, command_tag, object_type,
		schema_name, object_identity, creating_extension, is_drop, statement,
		change_reason)
	SELECT statement_timestamp(), pg_current_xact_id(), pg_backend_pid(),
		session_user, current_user, inet_client_addr(), inet_client_port(),
		current_setting('application_name'), current_database(),
		'sql_drop', tg_tag, d.object_type, d.schema_name,
		d.object_identity, false, true, current_query(),
		nullif(current_setting('app.change_reason', true), '')
	FROM pg_event_trigger_dropped_objects() d WHERE d.original OR d.normal;
END$$;
CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION log_ddl();
CREATE EVENT TRIGGER log_drop ON sql_drop EXECUTE FUNCTION log_drop();
SQL

cat >"$dir/ddl.sql" <<'SQL'
CREATE TABLE bench_:client_id (id integer PRIMARY KEY, a text);
ALTER TABLE bench_:client_id ADD COLUMN b integer;
CREATE INDEX bench_idx_:client_id ON bench_:client_id (b);
DROP TABLE bench_:client_id;
SQL
chmod 644 "$dir/ddl.sql"

# one run: prints the TPS of mode $1
run_mode() {
	local db opts=""
	case "$1" in
		none) db=bench_none ;;
		off) db=bench_sd; opts="-c schemadrift.capture=off" ;;
		on) db=bench_sd ;;
		plpgsql) db=bench_plpgsql ;;
		pgaudit) db=bench_pgaudit ;;
		guard) db=bench_sd; opts="-c schemadrift.guard=enforce" ;;
		guardonly) db=bench_sd; opts="-c schemadrift.capture=off -c schemadrift.guard=enforce" ;;
		history) db=bench_sd; opts="-c schemadrift.object_history=on" ;;
		expected) db=bench_sd; opts="-c schemadrift.expected_baseline=bench" ;;
	esac
	as_user env PGOPTIONS="$opts" "$PG_BIN/pgbench" -n -h "$dir" -p "$PORT" \
		-c "$CLIENTS" -j "$CLIENTS" -T "$DURATION" -f "$dir/ddl.sql" "$db" 2>&1 |
		sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}

declare -A tps
echo "pgbench: $CLIENTS clients, ${DURATION}s per run, $ROUNDS rounds, modes in rotating order" >&2
for ((r = 0; r < ROUNDS; r++)); do
	line="round $((r + 1)):"
	for ((k = 0; k < ${#MODES[@]}; k++)); do
		m=${MODES[$(((k + r) % ${#MODES[@]}))]}
		t=$(run_mode "$m")
		tps[$m,$r]=$t
		line="$line $m=$t"
	done
	echo "$line" >&2
	psql -d postgres -c "VACUUM pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_depend, pg_catalog.pg_type, pg_catalog.pg_index" >/dev/null
done

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

if [ "$ROUNDS" -gt 0 ]; then
	echo
	echo "| configuration | median TPS | vs capture off | vs no event trigger |"
	echo "| --- | ---: | ---: | ---: |"
	for m in "${MODES[@]}"; do
		med=$(for ((r = 0; r < ROUNDS; r++)); do echo "${tps[$m,$r]}"; done | median)
		roff=$(for ((r = 0; r < ROUNDS; r++)); do awk -v a="${tps[$m,$r]}" -v b="${tps[off,$r]}" 'BEGIN {print a / b}'; done | median)
		if [ -n "${tps[none,0]:-}" ]; then
			rnone=$(for ((r = 0; r < ROUNDS; r++)); do awk -v a="${tps[$m,$r]}" -v b="${tps[none,$r]}" 'BEGIN {print a / b}'; done | median)
			rnone=$(printf '%.3f' "$rnone")
		else
			rnone=-
		fi
		printf '| %s | %.0f | %.3f | %s |\n' "$m" "$med" "$roff" "$rnone"
	done
fi

if [ -n "${PERF:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v perf >/dev/null; then
		echo "PERF needs root and perf" >&2
		exit 1
	fi
	postmaster=$(head -1 "$dir/data/postmaster.pid")
	# the set-up's writes out of the way, so the profile is the DDL's
	psql -d postgres -c CHECKPOINT
	# attached to the postmaster, perf follows the backends it forks
	perf record -q -g -F 499 -p "$postmaster" -o "$dir/perf.data" -- sleep "$PERF" >/dev/null 2>&1 &
	perf_pid=$!
	sleep 1
	as_user env PGOPTIONS="${PERF_PGOPTIONS:--c schemadrift.guard=enforce}" "$PG_BIN/pgbench" -n -h "$dir" -p "$PORT" \
		-c "$CLIENTS" -j "$CLIENTS" -T "$((PERF - 2))" -f "$dir/ddl.sql" bench_sd >/dev/null 2>&1
	wait "$perf_pid" || true
	perf report -i "$dir/perf.data" --children --sort sym --stdio -g none 2>/dev/null >"$dir/perf.txt"
	[ -n "${PERF_DATA:-}" ] && cp "$dir/perf.data" "$PERF_DATA"
	share() {
		local total=0 f
		for f in "$@"; do
			total=$(awk -v f="$f" -v t="$total" '$NF == f {sub("%", "", $1); t += $1; exit} END {print t}' "$dir/perf.txt")
		done
		echo "$total"
	}
	echo
	echo "perf, ${PERF_PGOPTIONS:-guard mode}, ${PERF}s, $(sed -n 's/^# Samples: \([^ ]*\) .*/\1/p' "$dir/perf.txt" | head -1) samples of the server's processes:"
	echo "| inside | share of the server's CPU |"
	echo "| --- | ---: |"
	printf '| the guard (schemadrift_guard_ddl_command_start, _sql_drop) | %.2f%% |\n' \
		"$(share schemadrift_guard_ddl_command_start schemadrift_guard_sql_drop)"
	printf '| capture (schemadrift_audit_ddl_command_end, _sql_drop, _table_rewrite) | %.2f%% |\n' \
		"$(share schemadrift_audit_ddl_command_end schemadrift_audit_sql_drop schemadrift_audit_table_rewrite)"
	printf '| core'"'"'s event-trigger work (calls, command collection), both of the above included | %.2f%% |\n' \
		"$(share EventTriggerDDLCommandStart EventTriggerDDLCommandEnd EventTriggerSQLDrop EventTriggerTableRewrite \
			EventTriggerBeginCompleteQuery EventTriggerEndCompleteQuery EventTriggerCollectSimpleCommand \
			EventTriggerAlterTableStart EventTriggerCollectAlterTableSubcmd EventTriggerAlterTableEnd \
			EventTriggerSQLDropAddObject)"
	# the check that call chains were unwound: nearly all of it is under these
	printf '| (check: all utility commands, standard_ProcessUtility) | %.2f%% |\n' "$(share standard_ProcessUtility)"
	printf '| (check: all backends'"'"' work, PostgresMain) | %.2f%% |\n' "$(share PostgresMain)"
fi

echo
echo "rows in schemadrift_ddl_log after the runs: $(psql -d bench_sd -Atc 'SELECT count(*) FROM schemadrift_ddl_log')"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), PostgreSQL $("$PG_BIN/pg_config" --version | awk '{print $2}')"
