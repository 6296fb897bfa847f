#!/usr/bin/env bash
#
# lib.sh — what the test and benchmark scripts share: where PostgreSQL is,
# and how to run a command as the unprivileged user that owns the clusters
# (initdb refuses root).  Source it; it defines:
#
#   PG_MAJOR       PostgreSQL major version (default 15)
#   PG_BIN         its bin directory
#   SD_TEST_USER   the unprivileged OS user (default postgres)
#   as_user CMD... run CMD as that user (as the caller when not root), with
#                  PG_BIN first on PATH and file descriptor 9 (the install
#                  lock of quickstart.sh) closed, so a server it starts does
#                  not hold the lock
#
PG_MAJOR=${PG_MAJOR:-15}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
SD_TEST_USER=${SD_TEST_USER:-postgres}

as_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$SD_TEST_USER" -- env PATH="$PG_BIN:$PATH" "$@" 9>&-
	else
		env PATH="$PG_BIN:$PATH" "$@" 9>&-
	fi
}

# bench_cluster PORT [SETTING ...]: a throwaway cluster for a benchmark, in a
# new directory $dir (owned by $SD_TEST_USER), listening on $dir's socket and
# on port PORT with the given "-c name=value" settings; defines psql_cmd.
# Stopping it is the caller's (bench_cluster_stop, from its EXIT trap).
bench_cluster() {
	local port=$1
	shift
	dir=$(mktemp -d /tmp/schemadrift-bench.XXXXXX)
	chmod 755 "$dir"
	[ "$(id -u)" -eq 0 ] && chown "$SD_TEST_USER" "$dir"
	BENCH_PORT_IN_USE=$port
	as_user initdb -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
	as_user pg_ctl -D "$dir/data" -l "$dir/server.log" -w \
		-o "-p $port -k $dir $*" start >/dev/null
}
bench_cluster_stop() {
	[ -n "${dir:-}" ] || return 0
	as_user pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
psql_cmd() { as_user psql -X -q -h "$dir" -p "$BENCH_PORT_IN_USE" -v ON_ERROR_STOP=1 "$@"; }
