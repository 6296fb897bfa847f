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
#   fingerprint  SELECT schemadrift_fingerprint()
#   pg_dump -s   pg_dump --schema-only to /dev/null
#   snapshot     SELECT schemadrift_snapshot()
#   diff         SELECT count(*) FROM schemadrift_diff(source => <snapshot
#                of the drifted copy>)
#   peak MB      the backend's peak private memory: VmHWM less RssShmem,
#                after fingerprint, snapshot and diff in one session
#
# Times are the best of RUNS runs (default 3), in seconds, on a warm cache.
# Needs the extension installed (test/quickstart.sh does it).  As root it
# runs the cluster as $SD_TEST_USER (default postgres).
#
#   test/bench/core.sh [N ...]        default: 1000 5000 10000
#
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PG_MAJOR=${PG_MAJOR:-15}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
SD_TEST_USER=${SD_TEST_USER:-postgres}
RUNS=${RUNS:-3}
PORT=${BENCH_PORT:-54351}
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 5000 10000)

as_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$SD_TEST_USER" -- env PATH="$PG_BIN:$PATH" "$@" 9>&-
	else
		env PATH="$PG_BIN:$PATH" "$@" 9>&-
	fi
}

dir=$(mktemp -d /tmp/schemadrift-bench.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown "$SD_TEST_USER" "$dir"
cleanup() { as_user pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT

as_user initdb -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
# pg_dump and the extraction lock every table they deparse
as_user pg_ctl -D "$dir/data" -l "$dir/server.log" -w \
	-o "-p $PORT -k $dir -c listen_addresses='' -c max_locks_per_transaction=512 -c shared_buffers=256MB" \
	start >/dev/null

psql_cmd() { as_user psql -X -q -h "$dir" -p "$PORT" -v ON_ERROR_STOP=1 "$@"; }

# best wall time of $RUNS runs of a psql script (seconds)
time_sql() {
	local db=$1 sql=$2 best="" t0 t1 t
	for _ in $(seq "$RUNS"); do
		t0=$(date +%s.%N)
		psql_cmd -d "$db" -c "$sql" >/dev/null
		t1=$(date +%s.%N)
		t=$(echo "$t1 - $t0" | awk '{ printf "%.3f", $1 - $3 }')
		if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then best=$t; fi
	done
	echo "$best"
}

time_cmd() {
	local best="" t0 t1 t
	for _ in $(seq "$RUNS"); do
		t0=$(date +%s.%N)
		"$@" >/dev/null
		t1=$(date +%s.%N)
		t=$(echo "$t1 - $t0" | awk '{ printf "%.3f", $1 - $3 }')
		if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then best=$t; fi
	done
	echo "$best"
}

floor_sql="SELECT * FROM pg_catalog.pg_namespace; SELECT * FROM pg_catalog.pg_class;
SELECT * FROM pg_catalog.pg_attribute; SELECT * FROM pg_catalog.pg_attrdef;
SELECT * FROM pg_catalog.pg_constraint; SELECT * FROM pg_catalog.pg_index;
SELECT * FROM pg_catalog.pg_proc; SELECT * FROM pg_catalog.pg_type;
SELECT * FROM pg_catalog.pg_trigger; SELECT * FROM pg_catalog.pg_policy;
SELECT * FROM pg_catalog.pg_rewrite; SELECT * FROM pg_catalog.pg_sequence;
SELECT * FROM pg_catalog.pg_description; SELECT * FROM pg_catalog.pg_depend;
SELECT * FROM pg_catalog.pg_inherits;"

printf '%s\n' "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
printf '%s\n' "server: $(psql_cmd -d postgres -Atc 'SELECT version()')"
printf '%s\n\n' "best of $RUNS runs, seconds"
printf '%7s %8s %8s %12s %10s %9s %9s %8s %13s %13s\n' \
	tables objects floor fingerprint "pg_dump -s" snapshot diff "peak MB" "fp/floor" "pg_dump/fp"

for n in "${sizes[@]}"; do
	psql_cmd -d postgres -c "DROP DATABASE IF EXISTS bench_$n" -c "DROP DATABASE IF EXISTS bench_${n}_drift" \
		-c "CREATE DATABASE bench_$n" -c "CREATE DATABASE bench_${n}_drift" >/dev/null
	python3 "$here/gen_schema.py" "$n" | psql_cmd -d "bench_$n" >/dev/null
	python3 "$here/gen_schema.py" "$n" --drift 1 | psql_cmd -d "bench_${n}_drift" >/dev/null
	psql_cmd -d "bench_$n" -c 'CREATE EXTENSION schemadrift' -c 'VACUUM ANALYZE' >/dev/null
	psql_cmd -d "bench_${n}_drift" -c 'CREATE EXTENSION schemadrift' >/dev/null
	psql_cmd -d "bench_${n}_drift" -Atc 'SELECT schemadrift_snapshot()' > "$dir/drift_$n.json"
	chmod 644 "$dir/drift_$n.json"

	objects=$(psql_cmd -d "bench_$n" -Atc 'SELECT count(*) FROM schemadrift_objects()')
	floor=$(time_sql "bench_$n" "$floor_sql")
	fp=$(time_sql "bench_$n" 'SELECT schemadrift_fingerprint()')
	dump=$(time_cmd as_user pg_dump -h "$dir" -p "$PORT" --schema-only -f /dev/null "bench_$n")
	snap=$(time_sql "bench_$n" 'SELECT length(schemadrift_snapshot()::text)')

	# the diff alone, measured like the rest
	diff=$(
		best=""
		for _ in $(seq "$RUNS"); do
			t0=$(date +%s.%N)
			psql_cmd -d "bench_$n" -At >/dev/null <<SQL
\\set drift \`cat $dir/drift_$n.json\`
SELECT count(*) FROM schemadrift_diff(source => :'drift'::jsonb);
SQL
			t1=$(date +%s.%N)
			t=$(echo "$t1 $t0" | awk '{ printf "%.3f", $1 - $2 }')
			if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then best=$t; fi
		done
		echo "$best")
	# one session runs fingerprint, snapshot and diff, then reports its peak
	# resident memory (VmHWM is kept until the backend exits) less the shared
	# memory it mapped (shared buffers it touched are not its own)
	out=$(psql_cmd -d "bench_$n" -At <<SQL
\\set drift \`cat $dir/drift_$n.json\`
SELECT length(schemadrift_fingerprint());
SELECT length(schemadrift_snapshot()::text);
SELECT count(*) FROM schemadrift_diff(source => :'drift'::jsonb);
SELECT round((substring(s FROM 'VmHWM:\\s*(\\d+)')::numeric
			  - substring(s FROM 'RssShmem:\\s*(\\d+)')::numeric) / 1024)
FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') s;
SQL
)
	peak=$(echo "$out" | tail -n 1)
	rows=$(echo "$out" | tail -n 2 | head -n 1)
	printf '%7s %8s %8s %12s %10s %9s %9s %8s %13s %13s   (%s diff rows)\n' \
		"$n" "$objects" "$floor" "$fp" "$dump" "$snap" "$diff" "$peak" \
		"$(awk "BEGIN { printf \"%.2f\", $fp / $floor }")" \
		"$(awk "BEGIN { printf \"%.1f\", $dump / $fp }")" "$rows"
	psql_cmd -d postgres -c "DROP DATABASE bench_$n" -c "DROP DATABASE bench_${n}_drift" >/dev/null
done
