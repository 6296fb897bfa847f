#!/usr/bin/env bash
#
# quickstart.sh — the README's two commands.
#
#   test/quickstart.sh demo    install what is missing, build, install, start a
#                              throwaway cluster and run test/demo.sql
#   test/quickstart.sh test    the same set-up, then the whole test suite:
#                              pg_regress, isolation specs and TAP
#
# Run it as root on a fresh Debian 12 machine: it installs the build
# dependencies with apt, installs the extension into the system's PostgreSQL
# 15, and runs every cluster as the unprivileged "postgres" user (initdb
# refuses root).  Run as another user, it skips apt and "make install" needs
# write access to the PostgreSQL directories.
#
# Environment:
#   PG_MAJOR        PostgreSQL major version to build against (default 15)
#   SD_TEST_USER    unprivileged OS user for clusters (default postgres)
#   SD_SUITES       which suites "test" runs (default "regress isolation tap")
#   REGRESS, ISOLATION, PROVE_TESTS   narrow a suite, as with PGXS
#
set -euo pipefail

mode=${1:-}
case "$mode" in
	demo|test) ;;
	*) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/test/lib.sh"
PG_CONFIG=$PG_BIN/pg_config
SD_SUITES=${SD_SUITES:-regress isolation tap}

log() { printf '\n== %s\n' "$*"; }

# --- 1. dependencies -------------------------------------------------------
install_dependencies() {
	local pkgs=(build-essential "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR"
		postgresql-contrib "postgresql-$PG_MAJOR-cron" libipc-run-perl libtest-simple-perl
		perl util-linux python3)
	local missing=()
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		return
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]} (run as root to install them)" >&2
		exit 1
	fi
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# --- 2. build and install ----------------------------------------------------
build_and_install() {
	log "building schemadrift against PostgreSQL $PG_MAJOR"
	make -C "$here" -s PG_CONFIG="$PG_CONFIG" COPT='-Werror' check-version all
}

# --- 3a. demo ----------------------------------------------------------------
run_demo() {
	local port=${SD_DEMO_PORT:-54329}
	dir=$(mktemp -d /tmp/schemadrift-demo.XXXXXX)
	chmod 755 "$dir"
	[ "$(id -u)" -eq 0 ] && chown "$SD_TEST_USER" "$dir"
	trap 'as_user pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
	log "starting a throwaway cluster in $dir (port $port)"
	as_user initdb -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
	as_user pg_ctl -D "$dir/data" -l "$dir/server.log" -w \
		-o "-p $port -k $dir -c listen_addresses=''" start >/dev/null
	log "demo (test/demo.sql)"
	as_user psql -X -h "$dir" -p "$port" -d postgres -v ON_ERROR_STOP=1 \
		-f "$here/test/demo.sql"
}

# --- 3b. tests ---------------------------------------------------------------
# pg_regress writes into the source tree, so the suites run in a copy owned
# by the unprivileged user.
run_tests() {
	local work status=0
	work=$(mktemp -d /tmp/schemadrift-test.XXXXXX)
	chmod 755 "$work"
	cp -a "$here/." "$work/"
	rm -rf "$work/.git"
	[ "$(id -u)" -eq 0 ] && chown -R "$SD_TEST_USER" "$work"

	local -a targets=()
	for s in $SD_SUITES; do
		case "$s" in
			regress) targets+=(installcheck-regress) ;;
			isolation) targets+=(installcheck-isolation) ;;
			tap) targets+=(installcheck-tap) ;;
			*) echo "unknown suite $s" >&2; exit 2 ;;
		esac
	done
	local -a overrides=()
	[ -n "${REGRESS:-}" ] && overrides+=("REGRESS=$REGRESS")
	[ -n "${ISOLATION:-}" ] && overrides+=("ISOLATION=$ISOLATION")
	[ -n "${PROVE_TESTS:-}" ] && overrides+=("PROVE_TESTS=$PROVE_TESTS")

	for t in "${targets[@]}"; do
		log "make $t"
		if ! as_user make -C "$work" -s PG_CONFIG="$PG_CONFIG" "${overrides[@]}" "$t"; then
			status=1
			for d in "$work/regression.diffs" "$work/test/regression.diffs"; do
				[ -f "$d" ] && { echo "--- $d"; head -n 400 "$d"; }
			done
			for l in "$work"/tmp_check/log/*; do
				[ -f "$l" ] && { echo "--- $l (tail)"; tail -n 60 "$l"; }
			done
		fi
	done
	if [ $status -eq 0 ]; then
		rm -rf "$work"
	else
		echo "test outputs kept in $work" >&2
	fi
	return $status
}

install_dependencies
build_and_install

# Several checkouts on one machine (developers' worktrees) share the system's
# PostgreSQL directories: serialize install + use.  A caller that already
# holds the lock (flock /tmp/schemadrift-install.lock test/quickstart.sh ...)
# passes its descriptor down: taking it again would wait for ever.
lock=/tmp/schemadrift-install.lock
if ! ls -l /proc/$$/fd 2>/dev/null | grep -q " -> $lock\$"; then
	exec 9>"$lock"
	flock 9
fi
log "installing into $($PG_CONFIG --pkglibdir)"
make -C "$here" -s PG_CONFIG="$PG_CONFIG" COPT='-Werror' install
# PGXS installs schemadrift-check into PostgreSQL's bindir, which is not on
# PATH on Debian: link it where a user finds it
if [ "$(id -u)" -eq 0 ]; then
	ln -sf "$($PG_CONFIG --bindir)/schemadrift-check" /usr/local/bin/schemadrift-check
fi

case "$mode" in
	demo) run_demo ;;
	test) run_tests ;;
esac
