#!/usr/bin/env bash
#
# remote.sh — benchmark of remote sides at N = 1,000 / 5,000 / 10,000 tables.
#
# One throwaway cluster on loopback holds, for each N, three databases built
# by test/bench/gen_schema.py: "here" (schemadrift and postgres_fdw
# installed), "equal" (the same schema, nothing installed) and "drift" (1% of
# the tables drifted, nothing installed).  Foreign servers reach "equal" and
# "drift" through test/tcp_proxy.py, which counts the bytes each
# connection moves (measured outside the code).  It prints, per N:
#
#   fp           SELECT schemadrift_fingerprint() here (backend + workers)
#   fp serial    the same in the backend alone
#   rfp          SELECT schemadrift_fingerprint(server => 'equal'), over
#                one connection (remote_connections = 1, the default, set
#                explicitly, as for every other remote figure)
#   rfp 2c       the same over two connections on one exported snapshot
#                (remote_connections = 2)
#   rfp sd       the same of "equal_sd", a copy of "equal" with schemadrift
#                installed (its schema hashes are computed there in C)
#   diff equal   SELECT count(*) FROM schemadrift_diff('equal')
#   d.eq sd      the same against "equal_sd"
#   d.dr sd      SELECT count(*) FROM schemadrift_diff('drift_sd'), "drift"
#                with schemadrift installed (both rounds computed there in C)
#   diff drift   SELECT count(*) FROM schemadrift_diff('drift')
#   d.eq 2c, d.dr 2c   diff equal and diff drift over two connections
#   dump route   pg_dump --schema-only of here, then of drift, then apgdiff
#                on the two dumps (Debian package apgdiff)
#   KB           bytes moved (both directions) by rfp, diff equal, diff drift,
#                diff drift over two connections (d.dr 2c), and by a full
#                read of drift (its snapshot, for comparison)
#   fp x2        (in the ratios line) two serial fingerprints started at
#                once, of "here" and of "equal_sd", each in its backend alone:
#                the floor of diff equal where both sides share the cores
#   MB           peak private memory (VmHWM less RssShmem) of the backend
#                running diff drift, and the most any remote backend held
#                while it ran (sampled every 20 ms)
#
# Times are medians of RUNS rounds (default 5) in which the contenders run
# one after the other, each in a new session.  Needs the extension installed
# (test/quickstart.sh does it; hold its lock, /tmp/schemadrift-install.lock,
# with flock when other checkouts test on the same machine, or set PG_BIN to
# the bin directory of a private copy of the installation into which this
# build was installed with DESTDIR: the binaries find its lib and share
# directories relative to themselves); installs apgdiff
# with apt if it is missing (as root).  Run it on an otherwise idle machine.
#
#   test/bench/remote.sh [N ...]        default: 1000 5000 10000
#
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
RUNS=${RUNS:-5}
PORT=${BENCH_PORT:-54361}
PROXY_PORT=${BENCH_PROXY_PORT:-54362}
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 5000 10000)

if ! command -v apgdiff >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends apgdiff >/dev/null
	else
		echo "apgdiff is missing (apt-get install apgdiff)" >&2
		exit 1
	fi
fi

proxy_pid=
cleanup() {
	[ -n "$proxy_pid" ] && pkill -f "tcp_proxy.py $PROXY_PORT " 2>/dev/null || true
	bench_cluster_stop
}
trap cleanup EXIT
bench_cluster "$PORT" -c listen_addresses=127.0.0.1 -c max_locks_per_transaction=512

tally=$dir/tally
as_user touch "$tally"
as_user python3 "$here/../tcp_proxy.py" "$PROXY_PORT" "$PORT" "$tally" &
proxy_pid=$!
sleep 0.5

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# seconds of one psql run of $2 in database $1
timed_sql() {
	local t0 t1
	t0=$(now)
	psql_cmd -d "$1" -At -c "$2" >/dev/null
	t1=$(now)
	secs "$t0" "$t1"
}

# seconds of two psql runs at once: $2 in database $1 and $4 in database $3
timed_pair() {
	local t0 t1 job
	t0=$(now)
	psql_cmd -d "$1" -At -c "$2" >/dev/null &
	job=$!
	psql_cmd -d "$3" -At -c "$4" >/dev/null
	wait "$job"
	t1=$(now)
	secs "$t0" "$t1"
}

# bytes (KB, both directions) the proxy counted for one run of $2 in $1
kb_moved() {
	: > "$tally"
	psql_cmd -d "$1" -At -c "$2" >/dev/null
	sleep 0.2
	awk '{ n += $1 + $2 } END { printf "%.0f", n / 1024 }' "$tally"
}

# peak private MB of the backend running $2 in $1, and the most any remote
# backend (a TCP connection through the proxy) held while it ran
mem_mb() {
	local db=$1 sql=$2 max=0 p r job
	{
		echo '\o /dev/null'
		echo "$sql;"
		echo '\o'
		cat <<'SQL'
SELECT round((substring(s FROM 'VmHWM:\s*(\d+)')::numeric
			  - substring(s FROM 'RssShmem:\s*(\d+)')::numeric) / 1024)
FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') s;
SQL
	} > "$dir/mem.sql"
	chmod 644 "$dir/mem.sql"
	psql_cmd -d "$db" -At -f "$dir/mem.sql" > "$dir/mem.out" &
	job=$!
	while kill -0 "$job" 2>/dev/null; do
		for p in $(pgrep -f 'postgres: .* 127\.0\.0\.1\(' || true); do
			r=$(awk '/^RssAnon:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
			[ -n "$r" ] && [ "$r" -gt "$max" ] && max=$r
		done
		sleep 0.02
	done
	wait "$job"
	printf '%s %s' "$(tail -n 1 "$dir/mem.out")" "$(awk -v k="$max" 'BEGIN { printf "%.0f", k / 1024 }')"
}

printf '%s\n' "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
printf '%s\n' "server: $(psql_cmd -d postgres -Atc 'SELECT version()')"
printf '%s\n\n' "seconds: medians of $RUNS alternating rounds, each run in a new session"
printf '%7s %8s %6s %9s %6s %6s %7s %10s %8s %8s %10s %8s %8s %10s | %6s %10s %10s %10s %9s | %7s %9s\n' \
	tables objects fp "fp serial" rfp "rfp 2c" "rfp sd" "diff equal" "d.eq 2c" "d.eq sd" "diff drift" "d.dr 2c" "d.dr sd" "dump route" \
	"KB rfp" "KB d.equal" "KB d.drift" "KB d.dr 2c" "KB full" "MB here" "MB remote"

for n in "${sizes[@]}"; do
	for db in here equal drift equal_sd drift_sd; do
		psql_cmd -d postgres -c "DROP DATABASE IF EXISTS b_$db" -c "CREATE DATABASE b_$db" >/dev/null 2>&1
	done
	python3 "$here/gen_schema.py" "$n" | psql_cmd -d b_here >/dev/null
	python3 "$here/gen_schema.py" "$n" | psql_cmd -d b_equal >/dev/null
	python3 "$here/gen_schema.py" "$n" | psql_cmd -d b_equal_sd >/dev/null
	psql_cmd -d b_equal_sd -c 'CREATE EXTENSION schemadrift' >/dev/null
	python3 "$here/gen_schema.py" "$n" --drift 1 | psql_cmd -d b_drift_sd >/dev/null
	psql_cmd -d b_drift_sd -c 'CREATE EXTENSION schemadrift' >/dev/null
	python3 "$here/gen_schema.py" "$n" --drift 1 | psql_cmd -d b_drift >/dev/null
	psql_cmd -d b_here >/dev/null <<SQL
CREATE EXTENSION schemadrift;
CREATE EXTENSION postgres_fdw;
CREATE SERVER equal FOREIGN DATA WRAPPER postgres_fdw OPTIONS (hostaddr '127.0.0.1', port '$PROXY_PORT', dbname 'b_equal');
CREATE SERVER drift FOREIGN DATA WRAPPER postgres_fdw OPTIONS (hostaddr '127.0.0.1', port '$PROXY_PORT', dbname 'b_drift');
CREATE SERVER equal_sd FOREIGN DATA WRAPPER postgres_fdw OPTIONS (hostaddr '127.0.0.1', port '$PROXY_PORT', dbname 'b_equal_sd');
CREATE USER MAPPING FOR CURRENT_USER SERVER equal_sd;
CREATE SERVER drift_sd FOREIGN DATA WRAPPER postgres_fdw OPTIONS (hostaddr '127.0.0.1', port '$PROXY_PORT', dbname 'b_drift_sd');
CREATE USER MAPPING FOR CURRENT_USER SERVER drift_sd;
CREATE USER MAPPING FOR CURRENT_USER SERVER equal;
CREATE USER MAPPING FOR CURRENT_USER SERVER drift;
SQL
	for db in here equal drift equal_sd drift_sd; do psql_cmd -d "b_$db" -c 'VACUUM ANALYZE' >/dev/null; done
	# what this side has and the remotes do not: left out of the comparison
	opts='{"exclude": ["postgres_fdw", "server", "user mapping", "equal", "drift", "equal_sd", "drift_sd", "% on server %"]}'

	objects=$(psql_cmd -d b_here -Atc "SELECT count(*) FROM schemadrift_objects('$opts')" 2>/dev/null)
	rows_eq=$(psql_cmd -d b_here -Atc "SELECT count(*) FROM schemadrift_diff('equal', options => '$opts')" 2>/dev/null)
	rows_dr=$(psql_cmd -d b_here -Atc "SELECT count(*) FROM schemadrift_diff('drift', options => '$opts')" 2>/dev/null)

	: > "$dir/t_fp"; : > "$dir/t_fps"; : > "$dir/t_rfp"; : > "$dir/t_deq"; : > "$dir/t_ddr"; : > "$dir/t_dump"
	: > "$dir/t_rfps"; : > "$dir/t_deqs"; : > "$dir/t_ddrs"
	: > "$dir/t_rfp1"; : > "$dir/t_deq1"; : > "$dir/t_ddr1"; : > "$dir/t_fp2"
	two='SET schemadrift.remote_connections = 2;'
	one='SET schemadrift.remote_connections = 1;'
	for _ in $(seq "$RUNS"); do
		timed_sql b_here "SELECT schemadrift_fingerprint('$opts')" >> "$dir/t_fp"
		timed_sql b_here "SET schemadrift.max_parallel_workers = 0; SELECT schemadrift_fingerprint('$opts')" >> "$dir/t_fps"
		timed_pair b_here "SET schemadrift.max_parallel_workers = 0; SELECT schemadrift_fingerprint('$opts')" \
			b_equal_sd "SET schemadrift.max_parallel_workers = 0; SELECT schemadrift_fingerprint('$opts')" >> "$dir/t_fp2"
		timed_sql b_here "$one SELECT schemadrift_fingerprint('$opts', server => 'equal')" >> "$dir/t_rfp"
		timed_sql b_here "$two SELECT schemadrift_fingerprint('$opts', server => 'equal')" >> "$dir/t_rfp1"
		timed_sql b_here "$one SELECT count(*) FROM schemadrift_diff('equal', options => '$opts')" >> "$dir/t_deq"
		timed_sql b_here "$two SELECT count(*) FROM schemadrift_diff('equal', options => '$opts')" >> "$dir/t_deq1"
		timed_sql b_here "SELECT schemadrift_fingerprint('$opts', server => 'equal_sd')" >> "$dir/t_rfps"
		timed_sql b_here "SELECT count(*) FROM schemadrift_diff('equal_sd', options => '$opts')" >> "$dir/t_deqs"
		timed_sql b_here "SELECT count(*) FROM schemadrift_diff('drift_sd', options => '$opts')" >> "$dir/t_ddrs"
		timed_sql b_here "$one SELECT count(*) FROM schemadrift_diff('drift', options => '$opts')" >> "$dir/t_ddr"
		timed_sql b_here "$two SELECT count(*) FROM schemadrift_diff('drift', options => '$opts')" >> "$dir/t_ddr1"
		t0=$(now)
		as_user pg_dump -h "$dir" -p "$PORT" --schema-only -f "$dir/a.sql" b_here
		as_user pg_dump -h "$dir" -p "$PORT" --schema-only -f "$dir/b.sql" b_drift
		# pg_dump from 15.14 on wraps its output in \restrict ... \unrestrict
		# (CVE-2025-8714), which apgdiff cannot parse: left out
		sed -i -e '/^\\restrict /d' -e '/^\\unrestrict /d' "$dir/a.sql" "$dir/b.sql"
		apgdiff "$dir/a.sql" "$dir/b.sql" > /dev/null
		t1=$(now)
		secs "$t0" "$t1" >> "$dir/t_dump"
	done
	fp=$(median < "$dir/t_fp"); fps=$(median < "$dir/t_fps"); rfp=$(median < "$dir/t_rfp")
	deq=$(median < "$dir/t_deq"); ddr=$(median < "$dir/t_ddr"); dump=$(median < "$dir/t_dump")
	rfps=$(median < "$dir/t_rfps"); deqs=$(median < "$dir/t_deqs"); ddrs=$(median < "$dir/t_ddrs")
	rfp1=$(median < "$dir/t_rfp1"); deq1=$(median < "$dir/t_deq1"); ddr1=$(median < "$dir/t_ddr1")
	fp2=$(median < "$dir/t_fp2")

	kb_rfp=$(kb_moved b_here "$one SELECT schemadrift_fingerprint('$opts', server => 'equal')")
	kb_deq=$(kb_moved b_here "$one SELECT count(*) FROM schemadrift_diff('equal', options => '$opts')")
	kb_ddr=$(kb_moved b_here "$one SELECT count(*) FROM schemadrift_diff('drift', options => '$opts')")
	kb_ddr1=$(kb_moved b_here "$two SELECT count(*) FROM schemadrift_diff('drift', options => '$opts')")
	kb_full=$(kb_moved b_here "SELECT length(schemadrift_snapshot('$opts', server => 'drift')::text)")
	read -r mb_here mb_remote <<< "$(mem_mb b_here "$one SELECT count(*) FROM schemadrift_diff('drift', options => '$opts')")"

	printf '%7s %8s %6s %9s %6s %6s %7s %10s %8s %8s %10s %8s %8s %10s | %6s %10s %10s %10s %9s | %7s %9s\n' \
		"$n" "$objects" "$fp" "$fps" "$rfp" "$rfp1" "$rfps" "$deq" "$deq1" "$deqs" "$ddr" "$ddr1" "$ddrs" "$dump" \
		"$kb_rfp" "$kb_deq" "$kb_ddr" "$kb_ddr1" "$kb_full" "$mb_here" "$mb_remote"
	printf '%7s two connections against one: rfp %.2f x, diff equal %.2f x, diff drift %.2f x\n' "" \
		"$(awk -v a="$rfp1" -v b="$rfp" 'BEGIN { print a / b }')" \
		"$(awk -v a="$deq1" -v b="$deq" 'BEGIN { print a / b }')" \
		"$(awk -v a="$ddr1" -v b="$ddr" 'BEGIN { print a / b }')"
	printf '%7s diff equal = %.2f x fp serial (%.2f x with schemadrift on the remote); dump route = %.1f x diff drift (%.1f x with schemadrift on the remote); diff drift moves %.1f%% of a full read; %s and %s diff rows\n' "" \
		"$(awk -v a="$deq" -v b="$fps" 'BEGIN { print a / b }')" \
		"$(awk -v a="$deqs" -v b="$fps" 'BEGIN { print a / b }')" \
		"$(awk -v a="$dump" -v b="$ddr" 'BEGIN { print a / b }')" \
		"$(awk -v a="$dump" -v b="$ddrs" 'BEGIN { print a / b }')" \
		"$(awk -v a="$kb_ddr" -v b="$kb_full" 'BEGIN { print 100 * a / b }')" "$rows_eq" "$rows_dr"
	printf '%7s two serial fingerprints at once (fp x2, %s s) = %.2f x fp serial: the floor of diff equal on these cores\n' "" \
		"$fp2" "$(awk -v a="$fp2" -v b="$fps" 'BEGIN { print a / b }')"
done
