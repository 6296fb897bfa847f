#!/usr/bin/env bash
#
# other_major.sh — the suites against another PostgreSQL installation.
#
#   test/other_major.sh /path/to/bin/pg_config [regress] [isolation] [tap]
#
# test/quickstart.sh tests the PostgreSQL of the Debian packages (15 on
# Debian 12).  This runs the same suites against any other installation,
# for example a build of 16, 17 or 18 from source (configured with
# --enable-tap-tests for TAP, and with contrib's hstore, tsm_system_rows,
# amcheck, postgres_fdw and dblink installed, which the suites use).  The
# tree is copied to a scratch directory and built there with -Werror, so
# the checkout's own build is left alone; the extension is installed into
# that installation (which must be writable by the user running the suites:
# the "postgres" user when run as root).  Each suite starts its own
# temporary server.  Logs and results stay in the scratch directory, which
# is printed at the end.
#
set -euo pipefail

pg_config=${1:-}
if [ -z "$pg_config" ] || [ ! -x "$pg_config" ]; then
	echo "usage: $0 /path/to/bin/pg_config [regress] [isolation] [tap]" >&2
	exit 2
fi
shift
suites=${*:-regress isolation tap}
here=$(cd "$(dirname "$0")/.." && pwd)
bindir=$("$pg_config" --bindir)
user=${SD_TEST_USER:-postgres}

work=$(mktemp -d /tmp/schemadrift-major.XXXXXX)
(cd "$here" && git ls-files -z | xargs -0 tar -cf - 2>/dev/null || tar -cf - .) | tar -xf - -C "$work"
run() {
	if [ "$(id -u)" -eq 0 ]; then
		chown -R "$user" "$work"
		runuser -u "$user" -- env PATH="$bindir:$PATH" "$@"
	else
		env PATH="$bindir:$PATH" "$@"
	fi
}

echo "== building against $("$pg_config" --version) in $work"
run make -C "$work" -s PG_CONFIG="$pg_config" COPT=-Werror all install
status=0
for s in $suites; do
	echo "== $s"
	run make -C "$work" PG_CONFIG="$pg_config" "installcheck-$s" || status=1
done
echo "== results and logs in $work"
exit $status
