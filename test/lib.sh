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
