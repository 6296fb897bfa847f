#!/usr/bin/env bash
#
# fleet.sh — schemadrift_fleet() against sequential diffs.
#
# One throwaway cluster holds "here" (schemadrift installed) and COUNT copies
# (default 20) of the same N-table schema (default 1,000; built once by
# test/bench/gen_schema.py, copied with CREATE DATABASE ... TEMPLATE), each
# reached through a foreign server over TCP loopback, plus one dead server
# (a port that accepts connections and never answers).  It prints the
# median of RUNS alternating rounds (default 3) of:
#
#   sequential   COUNT diffs, one after the other: SELECT count(*) FROM
#                schemadrift_diff('s1'), then 's2', ... (no dead server)
#   fleet        SELECT * FROM schemadrift_fleet(ARRAY['s1', ..., 'dead'])
#                with schemadrift.connect_timeout = 2
#
# Needs the extension installed (test/quickstart.sh; hold its lock,
# /tmp/schemadrift-install.lock, with flock when other checkouts test on
# the same machine).  Run it on an otherwise idle machine.
#
#   test/bench/fleet.sh [COUNT [N]]
#
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
RUNS=${RUNS:-3}
PORT=${BENCH_PORT:-54371}
DEAD_PORT=${BENCH_DEAD_PORT:-54372}
count=${1:-20}
n=${2:-1000}

cleanup() {
	pkill -f "schemadrift-dead-port $DEAD_PORT" 2>/dev/null || true
	bench_cluster_stop
}
trap cleanup EXIT
bench_cluster "$PORT" -c listen_addresses=127.0.0.1 -c max_locks_per_transaction=512 -c max_connections=200

# a port that accepts connections and never answers
python3 -c "
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(64)
conns = []
deadline = time.time() + 3600
while time.time() < deadline:
    c, _ = s.accept(); conns.append(c)
" "$DEAD_PORT" schemadrift-dead-port "$DEAD_PORT" &
sleep 0.3

psql_cmd -d postgres -c 'CREATE DATABASE tmpl' -c 'CREATE DATABASE here' >/dev/null
python3 "$here/gen_schema.py" "$n" | psql_cmd -d tmpl >/dev/null
python3 "$here/gen_schema.py" "$n" | psql_cmd -d here >/dev/null
servers=""
{
	echo 'CREATE EXTENSION schemadrift;'
	echo 'CREATE EXTENSION postgres_fdw;'
	for i in $(seq "$count"); do
		echo "CREATE SERVER s$i FOREIGN DATA WRAPPER postgres_fdw OPTIONS (hostaddr '127.0.0.1', port '$PORT', dbname 'c$i');"
		echo "CREATE USER MAPPING FOR CURRENT_USER SERVER s$i;"
	done
	echo "CREATE SERVER dead FOREIGN DATA WRAPPER postgres_fdw OPTIONS (hostaddr '127.0.0.1', port '$DEAD_PORT', dbname 'x');"
	echo 'CREATE USER MAPPING FOR CURRENT_USER SERVER dead;'
} > "$dir/setup.sql"
for i in $(seq "$count"); do
	psql_cmd -d postgres -c "CREATE DATABASE c$i TEMPLATE tmpl" >/dev/null
	servers="$servers's$i', "
done
chmod 644 "$dir/setup.sql"
psql_cmd -d here -f "$dir/setup.sql" >/dev/null

opts='{"exclude": ["postgres_fdw", "server", "user mapping", "s%", "dead", "% on server %"]}'
{
	echo '\o /dev/null'
	for i in $(seq "$count"); do echo "SELECT count(*) FROM schemadrift_diff('s$i', options => '$opts');"; done
} > "$dir/seq.sql"
printf '%s\n%s\n' '\o /dev/null' \
	"SET schemadrift.connect_timeout = 2; SELECT * FROM schemadrift_fleet(ARRAY[${servers}'dead'], options => '$opts');" \
	> "$dir/fleet.sql"
chmod 644 "$dir"/*.sql

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: > "$dir/t_seq"; : > "$dir/t_fleet"
for _ in $(seq "$RUNS"); do
	t0=$(now); psql_cmd -d here -f "$dir/seq.sql"; t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >> "$dir/t_seq"
	t0=$(now); psql_cmd -d here -f "$dir/fleet.sql"; t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >> "$dir/t_fleet"
done
rows=$(psql_cmd -d here -At -c "SET schemadrift.connect_timeout = 2" \
	-c "SELECT count(*) FILTER (WHERE matches), count(*) FILTER (WHERE error IS NOT NULL), count(DISTINCT group_id) FROM schemadrift_fleet(ARRAY[${servers}'dead'], options => '$opts')")
seq=$(median < "$dir/t_seq"); fleet=$(median < "$dir/t_fleet")

printf '%s\n' "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
printf '%s\n' "server: $(psql_cmd -d postgres -Atc 'SELECT version()')"
printf '%s\n' "$count databases of $n tables, plus a dead server; medians of $RUNS alternating rounds"
printf 'sequential diffs: %s s; fleet (with the dead server, connect_timeout 2 s): %s s; fleet = %.2f x sequential\n' \
	"$seq" "$fleet" "$(awk -v a="$fleet" -v b="$seq" 'BEGIN { print a / b }')"
printf 'fleet rows: matching | with an error | groups = %s\n' "$rows"
