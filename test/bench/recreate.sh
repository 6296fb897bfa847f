#!/usr/bin/env bash
#
# recreate.sh — fix SQL for views that must be made again.
#
# One throwaway cluster holds an N-table schema (default 2,000; built by
# test/bench/gen_schema.py: a view every tenth table) and its snapshot; then
# every view is made again with its first two columns swapped, which
# CREATE OR REPLACE VIEW cannot undo: the fix of each drops and makes it
# again with what reads it (recreate_with_dependents in src/fix.c).  It
# prints the median of RUNS runs (default 3) of
#
#   SELECT count(fix_sql) FROM schemadrift_diff(source => <the snapshot>)
#
# and the rows.  Needs the extension installed (test/quickstart.sh; hold its
# lock, /tmp/schemadrift-install.lock, with flock when other checkouts test
# on the same machine).  Run it on an otherwise idle machine.
#
#   test/bench/recreate.sh [N]
#
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
RUNS=${RUNS:-3}
PORT=${BENCH_PORT:-54381}
n=${1:-2000}

trap bench_cluster_stop EXIT
bench_cluster "$PORT" -c max_locks_per_transaction=512

psql_cmd -d postgres -c 'CREATE DATABASE d' >/dev/null
python3 "$here/gen_schema.py" "$n" | psql_cmd -d d >/dev/null
psql_cmd -d d -c 'CREATE EXTENSION schemadrift' >/dev/null
psql_cmd -d d -At -c "SELECT schemadrift_snapshot('{\"include_schemas\": [\"bench\"]}')" > "$dir/snap.json"
psql_cmd -d d >/dev/null <<'SQL'
DO $$
DECLARE
	v record;
BEGIN
	FOR v IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			 WHERE n.nspname = 'bench' AND c.relkind = 'v'
	LOOP
		EXECUTE format('DROP VIEW bench.%I', v.relname);
		EXECUTE format('CREATE VIEW bench.%I AS SELECT name, id, amount FROM bench.%I WHERE status = %L',
					   v.relname, 't' || substr(v.relname, 2), 'active');
	END LOOP;
END
$$;
SQL
printf '%s\n' "\\set snap \`cat $dir/snap.json\`" \
	"SELECT count(fix_sql) FROM schemadrift_diff(source => :'snap'::jsonb, options => '{\"include_schemas\": [\"bench\"]}');" \
	> "$dir/diff.sql"
chmod 644 "$dir"/*.sql "$dir/snap.json"

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: > "$dir/t_diff"
for _ in $(seq "$RUNS"); do
	t0=$(now); rows=$(psql_cmd -d d -At -f "$dir/diff.sql"); t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >> "$dir/t_diff"
done

printf '%s\n' "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
printf '%s\n' "server: $(psql_cmd -d postgres -Atc 'SELECT version()')"
printf '%s tables, every view made again: %s fixes in %s s (median of %s runs)\n' \
	"$n" "$rows" "$(median < "$dir/t_diff")" "$RUNS"
