#!/usr/bin/env bash
#
# core.sh — benchmark of the schema model at N = 1,000 / 5,000 / 10,000 tables.
#
# For each N it builds, on a throwaway cluster, a database of N tables
# (test/bench/gen_schema.py: 8 mixed columns, a primary key, a check, an
# index, a foreign key, and a view and function every tenth table) and a
# copy with 1% of the tables drifted, then prints, in one table:
#
#   floor        a plain read of the catalog rows involved: every row and
#                column of pg_namespace, pg_class, pg_attribute, pg_attrdef,
#                pg_constraint, pg_index, pg_proc, pg_type, pg_trigger,
#                pg_policy, pg_rewrite, pg_sequence, pg_description,
#                pg_depend, pg_inherits, fetched by psql
#   floor srv    the same rows read and turned into text in the server,
#                without sending them (sum(length(row::text)))
#   fingerprint  SELECT schemadrift_fingerprint() (default settings: the
#                backend and up to 2 parallel workers)
#   fp serial    the same read by the backend alone
#                (schemadrift.max_parallel_workers = 0)
#   pg_dump -s   pg_dump --schema-only to /dev/null
#   snapshot     SELECT schemadrift_snapshot(), sent to psql (to /dev/null)
#   diff         SELECT count(*) FROM schemadrift_diff(source => s) with s
#                the snapshot of the drifted copy, read from a table
#   diff lit     the same with the snapshot passed as a literal (PostgreSQL
#                parses the jsonb text first)
#   and the backend's peak private memory (VmHWM less RssShmem, in MB) of a
#   fresh session running each of fingerprint, snapshot, diff, diff lit.
#
# Times are the best of RUNS runs (default 3), in seconds, each in a new
# session (cold caches, as for a command-line call).  Needs the extension
# installed (test/quickstart.sh does it).  As root it runs the cluster as
# $SD_TEST_USER (default postgres).
#
#   test/bench/core.sh [N ...]        default: 1000 5000 10000
#
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
RUNS=${RUNS:-3}
PORT=${BENCH_PORT:-54351}
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 5000 10000)


trap bench_cluster_stop EXIT
# pg_dump and the extraction lock every table they deparse
bench_cluster "$PORT" -c "listen_addresses=''" -c max_locks_per_transaction=512

# best wall time of $RUNS runs of a command (seconds)
best_of() {
	local best="" t0 t1 t
	for _ in $(seq "$RUNS"); do
		t0=$(date +%s.%N)
		"$@" >/dev/null
		t1=$(date +%s.%N)
		t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
		if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
	done
	echo "$best"
}

# run a psql script (stdin of a here-document) in database $1
run_script() { psql_cmd -d "$1" -At -f "$2"; }

# peak private memory of a fresh backend after the script $2 (MB)
peak_mb() {
	local db=$1 script=$2
	cat "$script" > "$dir/peak.sql"
	cat >> "$dir/peak.sql" <<'SQL'
\o
SELECT round((substring(s FROM 'VmHWM:\s*(\d+)')::numeric
			  - substring(s FROM 'RssShmem:\s*(\d+)')::numeric) / 1024)
FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') s;
SQL
	chmod 644 "$dir/peak.sql"
	psql_cmd -d "$db" -At -f "$dir/peak.sql" | tail -n 1
}

cat_list="pg_namespace pg_class pg_attribute pg_attrdef pg_constraint pg_index pg_proc
pg_type pg_trigger pg_policy pg_rewrite pg_sequence pg_description pg_depend pg_inherits"
: > "$dir/floor.sql"
: > "$dir/floor_srv.sql"
for c in $cat_list; do
	echo "SELECT * FROM pg_catalog.$c;" >> "$dir/floor.sql"
	echo "SELECT sum(length(t::text)) FROM pg_catalog.$c t;" >> "$dir/floor_srv.sql"
done
printf '\\o /dev/null\nSELECT schemadrift_fingerprint();\n' > "$dir/fp.sql"
printf '\\o /dev/null\nSET schemadrift.max_parallel_workers = 0;\nSELECT schemadrift_fingerprint();\n' > "$dir/fp_serial.sql"
printf '\\o /dev/null\nSELECT schemadrift_snapshot();\n' > "$dir/snap.sql"
printf '\\o /dev/null\nSELECT count(*) FROM schemadrift_diff(source => (SELECT s FROM bench_drift));\n' > "$dir/diff.sql"
chmod 644 "$dir"/*.sql

printf '%s\n' "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
printf '%s\n' "server: $(psql_cmd -d postgres -Atc 'SELECT version()')"
printf '%s\n\n' "seconds: best of $RUNS runs, each in a new session; memory: peak private MB of a new session"
printf '%7s %8s %7s %9s %11s %9s %10s %8s %7s %8s | %6s %6s %6s %8s\n' \
	tables objects floor "floor srv" fingerprint "fp serial" "pg_dump -s" snapshot diff "diff lit" \
	"mem fp" "snap" "diff" "diff lit"

for n in "${sizes[@]}"; do
	psql_cmd -d postgres -c "DROP DATABASE IF EXISTS bench_$n" -c "DROP DATABASE IF EXISTS bench_${n}_drift" \
		-c "CREATE DATABASE bench_$n" -c "CREATE DATABASE bench_${n}_drift" 2>/dev/null >/dev/null
	python3 "$here/gen_schema.py" "$n" | psql_cmd -d "bench_$n" >/dev/null
	python3 "$here/gen_schema.py" "$n" --drift 1 | psql_cmd -d "bench_${n}_drift" >/dev/null
	psql_cmd -d "bench_$n" -c 'CREATE EXTENSION schemadrift' -c 'VACUUM ANALYZE' >/dev/null
	psql_cmd -d "bench_${n}_drift" -c 'CREATE EXTENSION schemadrift' >/dev/null
	psql_cmd -d "bench_${n}_drift" -Atc 'SELECT schemadrift_snapshot()' > "$dir/drift_$n.json"
	chmod 644 "$dir/drift_$n.json"
	# the drifted copy's snapshot, as a literal and in a table
	printf '\\set drift `cat %s`\n\\o /dev/null\nSELECT count(*) FROM schemadrift_diff(source => :'"'"'drift'"'"'::jsonb);\n' \
		"$dir/drift_$n.json" > "$dir/diff_lit.sql"
	printf '\\set drift `cat %s`\nCREATE TABLE bench_drift AS SELECT :'"'"'drift'"'"'::jsonb AS s;\n' \
		"$dir/drift_$n.json" > "$dir/load.sql"
	chmod 644 "$dir"/*.sql
	psql_cmd -d "bench_$n" -f "$dir/load.sql" >/dev/null

	objects=$(psql_cmd -d "bench_$n" -Atc 'SELECT count(*) FROM schemadrift_objects()' 2>/dev/null)
	rows=$(psql_cmd -d "bench_$n" -Atc 'SELECT count(*) FROM schemadrift_diff(source => (SELECT s FROM bench_drift))')
	floor=$(best_of run_script "bench_$n" "$dir/floor.sql")
	floor_srv=$(best_of run_script "bench_$n" "$dir/floor_srv.sql")
	fp=$(best_of run_script "bench_$n" "$dir/fp.sql")
	fp_serial=$(best_of run_script "bench_$n" "$dir/fp_serial.sql")
	dump=$(best_of as_user pg_dump -h "$dir" -p "$PORT" --schema-only -f /dev/null "bench_$n")
	snap=$(best_of run_script "bench_$n" "$dir/snap.sql")
	diff=$(best_of run_script "bench_$n" "$dir/diff.sql")
	diff_lit=$(best_of run_script "bench_$n" "$dir/diff_lit.sql")
	m_fp=$(peak_mb "bench_$n" "$dir/fp.sql")
	m_snap=$(peak_mb "bench_$n" "$dir/snap.sql")
	m_diff=$(peak_mb "bench_$n" "$dir/diff.sql")
	m_lit=$(peak_mb "bench_$n" "$dir/diff_lit.sql")

	printf '%7s %8s %7s %9s %11s %9s %10s %8s %7s %8s | %6s %6s %6s %8s\n' \
		"$n" "$objects" "$floor" "$floor_srv" "$fp" "$fp_serial" "$dump" "$snap" "$diff" "$diff_lit" \
		"$m_fp" "$m_snap" "$m_diff" "$m_lit"
	printf '%7s fingerprint = %.2f x floor, %.2f x floor srv; pg_dump -s = %.1f x fingerprint; %s diff rows\n' "" \
		"$(awk -v a="$fp" -v b="$floor" 'BEGIN { print a / b }')" \
		"$(awk -v a="$fp" -v b="$floor_srv" 'BEGIN { print a / b }')" \
		"$(awk -v a="$dump" -v b="$fp" 'BEGIN { print a / b }')" "$rows"
	psql_cmd -d postgres -c "DROP DATABASE bench_$n" -c "DROP DATABASE bench_${n}_drift" >/dev/null
done
