#!/usr/bin/env bash
#
# valgrind.sh — the pg_regress suite with every backend under valgrind
# memcheck; fails if any error report has a schemadrift frame in its stack.
#
# The Debian server is not built with USE_VALGRIND, so memcheck sees malloc'd
# memory (AllocSet blocks), not individual pallocs; PostgreSQL's own known
# reports (uninitialised padding written to WAL and to the relcache init
# file) are counted but do not fail the run.
#
#   test/valgrind.sh [test ...]      default: the REGRESS list of the Makefile
#
# Needs the extension installed (test/quickstart.sh does it) and valgrind.
# As root it runs the cluster as $SD_TEST_USER (default postgres).  It takes
# several minutes.
#
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/test/lib.sh"
PGXS_DIR=$(dirname "$("$PG_BIN/pg_config" --pgxs)")/../..
PORT=${VALGRIND_PORT:-54361}

command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }


tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	mapfile -t tests < <(make -s -C "$here" -f - print-regress <<'EOF'
include Makefile
print-regress:
	@printf '%s\n' $(REGRESS)
EOF
)
fi

dir=$(mktemp -d /tmp/schemadrift-valgrind.XXXXXX)
chmod 755 "$dir"
cp -a "$here/." "$dir/src"
rm -rf "$dir/src/.git"
[ "$(id -u)" -eq 0 ] && chown -R "$SD_TEST_USER" "$dir"
cleanup() { as_user pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

as_user initdb -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat "$here/test/regress.conf" >> "$dir/data/postgresql.conf"
# PGHOST: the loopback foreign servers of the remote tests reach this
# cluster through its socket directory
as_user bash -c "PGHOST='$dir' valgrind --quiet --trace-children=yes --error-limit=no \
	--log-file='$dir/vg.%p.log' '$PG_BIN/postgres' -D '$dir/data' -p $PORT -k '$dir' \
	-c listen_addresses='' > '$dir/server.log' 2>&1 &"
for _ in $(seq 120); do
	as_user pg_isready -q -h "$dir" -p "$PORT" && break
	sleep 1
done
as_user psql -X -q -h "$dir" -p "$PORT" -d postgres -c 'CREATE DATABASE contrib_regression'

status=0
(cd "$dir/src" && as_user "$PGXS_DIR/src/test/regress/pg_regress" --inputdir=. \
	--bindir="$PG_BIN" --use-existing --host="$dir" --port="$PORT" \
	--dbname=contrib_regression "${tests[@]}") || status=$?

# error reports: a line "==pid== <text>" followed by its stack, up to "==pid== ".
# sd_ProcessUtility, the ProcessUtility hook, is on the stack of every
# utility command that core runs after it: a frame of it alone does not make
# a report ours (core's own WAL padding and regex reports pass through it).
ours=$(awk '/^==[0-9]+== [A-Z]/ { report = $0; hit = 0; next }
	/^==[0-9]+==    (at|by) / { if (index($0, "schemadrift") && !index($0, "sd_ProcessUtility (")) hit = 1; next }
	/^==[0-9]+== $/ { if (hit) print report; hit = 0 }' "$dir"/vg.*.log | sort | uniq -c)
total=$(grep -h '^==[0-9]*== [A-Z]' "$dir"/vg.*.log | grep -vc 'Warning' || true)

echo
echo "valgrind: $total error reports in all backends"
if [ -n "$ours" ]; then
	echo "valgrind: reports with a schemadrift frame:"
	echo "$ours"
	echo "logs kept in $dir"
	exit 1
fi
echo "valgrind: none with a schemadrift frame"
[ $status -eq 0 ] || { echo "regression tests failed; outputs in $dir/src"; exit $status; }
rm -rf "$dir"
