# schemadrift — PGXS build
#
# The version lives in schemadrift.control only; everything else derives it.

EXTENSION  = schemadrift
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big = schemadrift
OBJS = \
	src/schemadrift.o \
	src/util.o \
	src/kinds.o \
	src/version.o \
	src/catalog.o \
	src/catalog_attrs.o \
	src/catalog_global.o \
	src/catalog_ops.o \
	src/catalog_text.o \
	src/deparse.o \
	src/objects.o \
	src/rows.o \
	src/extract.o \
	src/side.o \
	src/side_local.o \
	src/side_remote.o \
	src/side_remote_slices.o \
	src/remote_conn.o \
	src/remote_fleet.o \
	src/snapshot.o \
	src/options.o \
	src/compare.o \
	src/fix.o \
	src/fix_script.o \
	src/fix_deps.o \
	src/fix_rename.o \
	src/fix_count.o \
	src/apply.o \
	src/apply_fresh.o \
	src/apply_script.o \
	src/audit.o \
	src/chain.o \
	src/history.o \
	src/redact.o \
	src/guard.o \
	src/guard_denied.o \
	src/guard_rules.o \
	src/guard_target.o \
	src/baseline.o \
	src/snapshot_text.o \
	src/drift.o \
	src/report.o \
	src/versions.o \
	src/accept.o \
	src/monitor.o \
	src/attribution.o

# every install script (released versions stay installable, for the upgrade
# test and for databases pinned to them) and every upgrade script
DATA = $(wildcard $(EXTENSION)--*.sql)
# the CI gate outside the database (README.md, "Workflow"), installed into
# PostgreSQL's bindir
SCRIPTS = bin/schemadrift-check

PGFILEDESC = "schemadrift - schema fingerprints, drift diffs, DDL audit and guard"

# libpq, as dblink and postgres_fdw link it (remote sides use it)
PG_CPPFLAGS = -I$(libpq_srcdir) -DSCHEMADRIFT_VERSION='"$(EXTVERSION)"'
SHLIB_LINK_INTERNAL = $(libpq)

# pg_regress: one file per feature, in order
REGRESS = \
	setup \
	objects \
	identity \
	fingerprint \
	snapshot \
	diff \
	drift_scenarios \
	fix \
	fix_rename \
	fix_deps \
	apply \
	kinds \
	constraint_names \
	pg18_catalog \
	no_false_positives \
	bad_input \
	remote \
	hostile_search_path \
	parallel \
	encodings \
	audit \
	audit_redaction \
	audit_integrity \
	guard \
	workflow \
	explain \
	history
REGRESS_OPTS = --temp-instance=tmp_check_regress --temp-config=test/regress.conf

# isolation specs live in test/specs, their outputs in test/expected
ISOLATION = \
	snapshot_vs_ddl \
	audit_concurrency \
	guard_rules \
	deparse_locks
ISOLATION_OPTS = --inputdir=test --outputdir=test --temp-instance=tmp_check_iso --temp-config=test/regress.conf

# TAP tests (PostgreSQL::Test::Cluster)
TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

EXTRA_CLEAN = tmp_check_regress tmp_check_iso test/results test/output_iso

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies (without --enable-depend): a struct
# changed in a header must rebuild every object that uses it
$(OBJS) $(OBJS:.o=.bc): $(wildcard src/*.h)
# ... and the version, compiled in as SCHEMADRIFT_VERSION, comes from the
# control file
$(OBJS) $(OBJS:.o=.bc): $(EXTENSION).control

# META.json, the control file and the scripts agree; released scripts frozen
.PHONY: check-version
check-version:
	@test/check_version.sh

# The suites one at a time (test/quickstart.sh runs them in this order).
.PHONY: installcheck-regress installcheck-isolation installcheck-tap
installcheck-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
installcheck-isolation:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
installcheck-tap:
	$(prove_installcheck)
