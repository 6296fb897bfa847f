#!/usr/bin/env bash
#
# check_version.sh — do the control file, META.json and the install and
# upgrade scripts agree?  Run by "make check-version" before every build of
# test/quickstart.sh.
#
#   - META.json carries the control file's default_version, and names its
#     install script;
#   - schemadrift--<default_version>.sql exists;
#   - every version ever installable (each full install script) reaches the
#     default version through upgrade scripts;
#   - released install scripts are byte for byte as released (a released
#     version is frozen: changes go into the next version's scripts).
#
set -euo pipefail
cd "$(dirname "$0")/.."

ext=schemadrift
fail() { echo "check-version: $*" >&2; exit 1; }

version=$(sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $ext.control)
[ -n "$version" ] || fail "no default_version in $ext.control"

# META.json: the version at the top and in "provides", and the file
[ "$(grep -c "\"version\": \"$version\"" META.json)" -eq 2 ] ||
	fail "META.json must carry version $version (top level and provides) from $ext.control"
grep -q "\"file\": \"$ext--$version.sql\"" META.json ||
	fail "META.json's provides must name $ext--$version.sql"

[ -f "$ext--$version.sql" ] || fail "$ext--$version.sql (the install script of $version) is missing"

# released install scripts, frozen: version and sha256
released="
0.1.0 8587c1dee882c3c698e37d2d8cdfd911b707a5d6ba644be483d08dda6fc742fb
"
while read -r v sum; do
	[ -n "$v" ] || continue
	[ -f "$ext--$v.sql" ] || fail "released install script $ext--$v.sql is missing"
	have=$(sha256sum "$ext--$v.sql" | cut -d' ' -f1)
	[ "$have" = "$sum" ] ||
		fail "$ext--$v.sql differs from the released $v; put the change into $ext--$version.sql and an upgrade script"
done <<< "$released"

# every installable version reaches $version through upgrade scripts
reaches() {
	local from=$1 seen=" $1 " frontier=$1 next f to
	while [ -n "$frontier" ]; do
		next=
		for v in $frontier; do
			[ "$v" = "$version" ] && return 0
			for f in "$ext--$v--"*.sql; do
				[ -f "$f" ] || continue
				to=${f#"$ext--$v--"}; to=${to%.sql}
				case "$seen" in *" $to "*) continue ;; esac
				seen="$seen$to "; next="$next $to"
			done
		done
		frontier=$next
	done
	return 1
}
for f in "$ext"--*.sql; do
	v=${f#"$ext--"}; v=${v%.sql}
	case "$v" in *--*) continue ;; esac
	reaches "$v" || fail "no chain of upgrade scripts leads from $v to $version"
done

# every upgrade script ends at a version that has an install script or leads on
for f in "$ext"--*--*.sql; do
	[ -f "$f" ] || continue
	to=${f##*--}; to=${to%.sql}
	reaches "$to" || fail "$f leads to $to, from which no upgrade reaches $version"
done
echo "check-version: $ext $version (META.json, control file, install and upgrade scripts agree)"
