/*-------------------------------------------------------------------------
 *
 * extract.c
 *	  Running the catalog extraction in this database, split between the
 *	  backend and parallel workers.
 *
 * The extraction query (catalog.c) is a UNION ALL of one SELECT per kind of
 * object ("arms").  On a large schema its cost is dominated by a few arms
 * (columns, constraints, indexes), each of which the planner can only run
 * in one process: the arms are full of correlated subqueries, which
 * PostgreSQL 15 does not run in parallel workers.  So the split is done
 * here, the way parallel index builds do it (nbtsort.c, pgvector), between
 * the leader and up to schemadrift.max_parallel_workers workers of a
 * ParallelContext.  The arms whose rows belong to one relation each (tables,
 * columns, constraints, indexes, ...: nearly all the work) are read in
 * slices of relations, one OID range per process, sized so that every
 * process gets the same load; the few others (schemas, functions, types,
 * views, ...) are dealt out whole.  Each worker runs the queries for its
 * part under the leader's snapshot, with the leader's settings (the pinned
 * search_path and output settings come along with the GUC state), and sends
 * its rows back through a shm_mq tuple queue; the leader runs its own part
 * and, every few rows, drains the queues.  Since every process reads under
 * the one registered snapshot, the result is the one the single query would
 * have returned; the caller's check for concurrent DDL (objects.c) covers
 * the workers' cache reads as it covers the leader's.
 *
 * Errors in a worker are re-raised in the leader (by the parallel
 * infrastructure), inside the caller's subtransaction, whose abort also
 * stops the other workers.  When no worker can be started (max_worker_
 * processes used up, no dynamic shared memory) the leader runs every arm.
 *
 * Rows go straight from the executor's slot into SdObjects (rows.c) through
 * a DestReceiver: no SPI tuple table, no cursor.
 *
 * IDENTIFICATION
 *	  src/extract.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#ifdef __linux__
#include <sched.h>
#endif
#include <unistd.h>

#include "access/parallel.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tqueue.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "tcop/dest.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

#include "catalog.h"
#include "extract.h"
#include "objects.h"
#include "rows.h"
#include "util.h"

/* shm_toc keys of the parallel extraction */
#define SD_KEY_SHARED	UINT64CONST(0x5344455854000001)
#define SD_KEY_OPTIONS	UINT64CONST(0x5344455854000002)
#define SD_KEY_QUEUES	UINT64CONST(0x5344455854000003)

/*
 * Each worker's tuple queue: large enough that a worker goes on while the
 * leader is busy in a part of its own query that returns no rows for a
 * while (materializing a CTE, sorting): at 10,000 tables a worker sends
 * about 10 MB a second.
 */
#define SD_QUEUE_SIZE	((Size) 4 * 1024 * 1024)

/* the leader drains the workers' queues every this many rows of its own */
#define SD_POLL_ROWS	64

/*
 * What every worker reads from the segment: how the work is dealt
 * (sd_extract_deal, extract.h) and whether attrs are wanted.
 */
typedef struct SdExtractShared
{
	bool		with_attrs;
	SdExtractPlan plan;
} SdExtractShared;

/*
 * schemadrift.max_parallel_workers = -1: one worker per CPU beyond the first,
 * at most this many.  On 2 CPUs a second worker only competes with the
 * backend for them (measured at 10,000 tables: 0.95 s with one worker, 1.03 s
 * with two).
 */
#define SD_AUTO_WORKERS 2

/* GUCs */
int			sd_max_parallel_workers = -1;
int			sd_parallel_min_relations = 1000;

/*
 * The receiving end: rows of the leader's query (as a DestReceiver) and of
 * the workers' queues become objects of one set.
 */
typedef struct SdCollector
{
	DestReceiver pub;			/* must be first */
	SdRowReader rows;			/* where every row goes */
	TupleDesc	desc;			/* of the workers' rows */
	TupleTableSlot *qslot;		/* a worker's row, deformed */
	int			nreaders;		/* queues still open */
	TupleQueueReader *readers[SD_MAX_PARTS];
	int			since_poll;
} SdCollector;

PGDLLEXPORT void sd_extract_worker_main(dsm_segment *seg, shm_toc *toc);

/*
 * sd_extract_init
 *		Define the settings of the parallel extraction (from _PG_init).
 */
void
sd_extract_init(void)
{
	DefineCustomIntVariable("schemadrift.max_parallel_workers",
							"Sets the maximum number of parallel workers that read one schema.",
							"The work is dealt out between the backend and the workers; "
							"0 reads in the backend alone, -1 uses one worker per CPU "
							"beyond the first, up to 2.  Workers come from "
							"max_worker_processes and max_parallel_workers.",
							&sd_max_parallel_workers,
							-1, -1, SD_MAX_PARTS - 1,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("schemadrift.parallel_min_relations",
							"Sets the number of relations from which a schema is read in parallel.",
							"Relations are the rows of pg_class created after initdb: "
							"tables, indexes, sequences, views, TOAST tables.",
							&sd_parallel_min_relations,
							1000, 0, INT_MAX,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
}

/* ---- rows from the backend and the workers --------------------------------- */

/*
 * poll_workers
 *		Take the rows waiting in the workers' queues; with wait, until every
 *		worker has finished sending, sleeping on the latch when none has a
 *		row ready (as Gather does).
 */
static void
poll_workers(SdCollector *c, bool wait)
{
	for (;;)
	{
		bool		got = false;
		int			i = 0;

		while (i < c->nreaders)
		{
			MinimalTuple tup;
			bool		done = false;

			CHECK_FOR_INTERRUPTS();
			tup = TupleQueueReaderNext(c->readers[i], true, &done);
			if (done)
			{
				DestroyTupleQueueReader(c->readers[i]);
				c->readers[i] = c->readers[--c->nreaders];
				continue;
			}
			if (tup == NULL)
			{
				i++;
				continue;
			}
			ExecStoreMinimalTuple(tup, c->qslot, false);
			slot_getallattrs(c->qslot);
			sd_rows_add(&c->rows, c->qslot->tts_values, c->qslot->tts_isnull);
			ExecClearTuple(c->qslot);
			got = true;
		}
		if (!wait || c->nreaders == 0)
			return;
		if (!got)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0,
							 PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
}

/* DestReceiver callbacks for the leader's own query */
static bool
collector_receive(TupleTableSlot *slot, DestReceiver *self)
{
	SdCollector *c = (SdCollector *) self;

	slot_getallattrs(slot);
	sd_rows_add(&c->rows, slot->tts_values, slot->tts_isnull);
	if (c->nreaders > 0 && ++c->since_poll >= SD_POLL_ROWS)
	{
		c->since_poll = 0;
		poll_workers(c, false);
	}
	return true;
}

/* the row type was checked when the query was prepared (check_result_types) */
static void
collector_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
collector_noop(DestReceiver *self)
{
}

/*
 * dest_init
 *		Set up a DestReceiver of ours: rows go to receive; it needs nothing
 *		at a query's start or end (a process may run several queries into
 *		one receiver), and destroy when the last is done.
 */
static void
dest_init(DestReceiver *d, bool (*receive) (TupleTableSlot *, DestReceiver *),
		  void (*destroy) (DestReceiver *))
{
	d->receiveSlot = receive;
	d->rStartup = collector_startup;
	d->rShutdown = collector_noop;
	d->rDestroy = destroy;
	d->mydest = DestNone;
}

/* ---- running the query ---------------------------------------------------- */

/*
 * check_result_types
 *		Whatever arms a query has, its rows must have the extraction's row
 *		type.
 */
static void
check_result_types(SPIPlanPtr plan)
{
	CachedPlanSource *source = linitial(SPI_plan_get_plan_sources(plan));

	sd_rows_check_type(source->resultDesc);
}

/* the extraction query of run_arms, for sd_catalog_for_this_database */
typedef struct ArmsQuery
{
	uint32		mask;
	Oid			from;
	Oid			to;
} ArmsQuery;

static char *
arms_query(void *arg)
{
	ArmsQuery  *q = arg;

	return sd_catalog_extraction_sql(PG_VERSION_NUM, q->mask, q->from, q->to);
}

/*
 * run_arms
 *		Run the extraction query for the arms in mask (for the relations
 *		from <= oid < to: see sd_catalog_extraction_sql) under the active
 *		snapshot, sending its rows to dest.  Connected to SPI.
 */
static void
run_arms(uint32 mask, Oid from, Oid to, Jsonb *options, DestReceiver *dest)
{
	Oid			argtypes[2] = {JSONBOID, BOOLOID};
	ArmsQuery	q = {mask, from, to};
	SPIPlanPtr	plan;
	ParamListInfo params;
	SPIExecuteOptions opts;
	int			rc;

	plan = SPI_prepare(sd_catalog_for_this_database(arms_query, &q), 2, argtypes);
	if (plan == NULL)
		elog(ERROR, "could not prepare the catalog extraction query: %s",
			 SPI_result_code_string(SPI_result));
	check_result_types(plan);

	params = makeParamList(2);
	params->params[0].value = JsonbPGetDatum(options);
	params->params[0].isnull = false;
	params->params[0].pflags = PARAM_FLAG_CONST;
	params->params[0].ptype = JSONBOID;
	params->params[1].value = BoolGetDatum(true);	/* attrs, not hashes */
	params->params[1].isnull = false;
	params->params[1].pflags = PARAM_FLAG_CONST;
	params->params[1].ptype = BOOLOID;

	memset(&opts, 0, sizeof(opts));
	opts.params = params;
	opts.read_only = true;		/* under the active snapshot */
	opts.dest = dest;
	rc = SPI_execute_plan_extended(plan, &opts);
	/* a SELECT into a receiver of type DestNone reports SPI_OK_UTILITY */
	if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
		elog(ERROR, "catalog extraction query failed: %s", SPI_result_code_string(rc));
	SPI_freeplan(plan);
}

/*
 * planned_workers
 *		How many workers schemadrift.max_parallel_workers asks for: -1 counts
 *		the CPUs this backend may run on (a container's CPU quota is not
 *		seen).
 */
static int
planned_workers(void)
{
	long		cpus = 1;

	if (sd_max_parallel_workers >= 0)
		return sd_max_parallel_workers;
#ifdef __linux__
	{
		/* the CPUs this process may run on (taskset, cpusets) */
		cpu_set_t	set;

		if (sched_getaffinity(0, sizeof(set), &set) == 0)
			cpus = CPU_COUNT(&set);
	}
#elif defined(_SC_NPROCESSORS_ONLN)
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
#endif
	return (int) Max(Min(cpus - 1, SD_AUTO_WORKERS), 0);
}

/*
 * sd_extract_relations_sql
 *		A query counting the relations of the database's own (rows of
 *		pg_class created after initdb), up to limit: as cheap as the OID
 *		index, whatever the schema's size.  For the local side here, for a
 *		remote over libpq (side_remote_slices.c).
 */
char *
sd_extract_relations_sql(int limit)
{
	return psprintf("SELECT pg_catalog.count(*) FROM (SELECT 1 FROM pg_catalog.pg_class"
					" WHERE oid >= '%u'::pg_catalog.oid LIMIT %d) r",
					FirstNormalObjectId, limit);
}

/*
 * enough_relations
 *		Whether the database has at least schemadrift.parallel_min_relations
 *		relations of its own: below that, starting workers costs more than
 *		it saves.  Connected to SPI, under the active snapshot.
 */
static bool
enough_relations(void)
{
	char	   *sql;
	int			rc;
	bool		isnull;
	int64		n;

	if (sd_parallel_min_relations == 0)
		return true;
	sql = sd_extract_relations_sql(sd_parallel_min_relations);
	rc = SPI_execute(sql, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not count relations: %s", SPI_result_code_string(rc));
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	pfree(sql);
	return n >= sd_parallel_min_relations;
}

/*
 * sd_extract_slice_empty
 *		Whether the slice from <= oid < to holds no OID.
 */
bool
sd_extract_slice_empty(Oid from, Oid to)
{
	return OidIsValid(from) && OidIsValid(to) && from >= to;
}

/*
 * sd_extract_deal
 *		Deal the work of one extraction out to nparts parts (1 < nparts <=
 *		SD_MAX_PARTS) into plan; part 0 starts with leader_load, the cost of
 *		what it does besides reading (receiving and storing everybody's
 *		rows, in this backend).  Returns the query that computes the cuts
 *		between the parts' slices of relations, for sd_extract_cut(): it
 *		returns one oid[] of nparts - 1 cuts, NULL when the database has no
 *		relation of its own.  palloc'd.
 *
 * The whole arms go heaviest first to the least loaded part (part 0 also
 * takes the arms that must run in the leader).  The split arms then fill
 * every part up to the same load: each part gets the share of the relations
 * that makes up for what it has less than the others, cut by relation OIDs.
 * Since each relation is read by one process only, each one's relation
 * cache entry, which deparsing a CHECK constraint or a partial index
 * builds, is built once.
 */
char *
sd_extract_deal(int nparts, double leader_load, SdExtractPlan *plan)
{
	int			narms = sd_catalog_arm_count();
	double		load[SD_MAX_PARTS];
	double		share[SD_MAX_PARTS];
	bool		dealt[32];
	double		split_weight = 0;
	double		total;
	double		sum_share = 0;
	double		cum = 0;
	int			p;
	int			a;
	int			i;
	StringInfoData sql;

	Assert(nparts > 1 && nparts <= SD_MAX_PARTS);
	memset(dealt, 0, sizeof(dealt));
	for (p = 0; p < SD_MAX_PARTS; p++)
	{
		load[p] = 0;
		plan->arms[p] = 0;
		plan->from[p] = InvalidOid;
		plan->to[p] = InvalidOid;
	}
	plan->split_arms = 0;
	plan->nparts = nparts;

	load[0] = leader_load;
	for (a = 0; a < narms; a++)
	{
		if (sd_catalog_arm_split(a))
		{
			plan->split_arms |= (uint32) 1 << a;
			split_weight += sd_catalog_arm_weight(a);
			dealt[a] = true;
		}
		else if (sd_catalog_arm_leader_only(a))
		{
			plan->arms[0] |= (uint32) 1 << a;
			load[0] += sd_catalog_arm_weight(a);
			dealt[a] = true;
		}
	}

	for (;;)
	{
		int			heaviest = -1;
		int			lightest = 0;

		for (a = 0; a < narms; a++)
			if (!dealt[a] && (heaviest < 0 ||
							  sd_catalog_arm_weight(a) > sd_catalog_arm_weight(heaviest)))
				heaviest = a;
		if (heaviest < 0)
			break;
		for (p = 1; p < nparts; p++)
			if (load[p] < load[lightest])
				lightest = p;
		plan->arms[lightest] |= (uint32) 1 << heaviest;
		load[lightest] += sd_catalog_arm_weight(heaviest);
		dealt[heaviest] = true;
	}

	/* each part's share of the relations: up to the mean load */
	total = split_weight;
	for (p = 0; p < nparts; p++)
		total += load[p];
	for (p = 0; p < nparts; p++)
	{
		share[p] = Max(total / nparts - load[p], 0);
		sum_share += share[p];
	}

	/*
	 * The cuts between consecutive slices (in part order 1, ..., nparts - 1,
	 * 0): the relation OIDs at the cumulated shares.  All relations count,
	 * not only tables: a table's indexes, TOAST table and sequences were
	 * mostly created with it and have OIDs next to its own, so a table
	 * weighs about what reading it costs; and the OID index alone answers.
	 */
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT pg_catalog.percentile_disc(ARRAY[");
	for (i = 0; i < nparts - 1; i++)
	{
		cum += sum_share > 0 ? share[i + 1] / sum_share : 1.0 / nparts;
		appendStringInfo(&sql, "%s%.6f::pg_catalog.float8", i > 0 ? ", " : "", Min(cum, 1.0));
	}
	appendStringInfo(&sql, "]) WITHIN GROUP (ORDER BY c.oid) FROM pg_catalog.pg_class c"
					 " WHERE c.oid >= '%u'::pg_catalog.oid",
					 FirstNormalObjectId);
	return sql.data;
}

/*
 * sd_extract_cut
 *		Set the slices of plan's parts from the ncuts cuts that the query of
 *		sd_extract_deal() returned (cuts NULL: it returned NULL, no relation
 *		of the database's own).  The slices are in part order 1, 2, ...,
 *		nparts - 1, 0 and together cover every OID: part 0's is last and has
 *		no upper bound, so it can take over the slices of the parts just
 *		before it.
 */
void
sd_extract_cut(SdExtractPlan *plan, const Oid *cuts, int ncuts)
{
	int			nparts = plan->nparts;
	int			i;

	if (cuts != NULL && ncuts != nparts - 1)
		elog(ERROR, "expected %d cuts between relation slices, got %d", nparts - 1, ncuts);
	for (i = 0; i < nparts - 1; i++)
	{
		Oid			cut = cuts == NULL || !OidIsValid(cuts[i]) ? FirstNormalObjectId : cuts[i];

		plan->to[i + 1] = cut;
		plan->from[i + 2 < nparts ? i + 2 : 0] = cut;
	}
}

/*
 * deal_work
 *		Deal the work out to nparts processes (nparts > 1) into plan: the
 *		leader, part 0, also receives and stores every process's rows.
 *		Connected to SPI, under the active snapshot.
 */
static void
deal_work(int nparts, SdExtractPlan *plan)
{
	char	   *sql = sd_extract_deal(nparts, 16 * (nparts - 1), plan);
	int			rc;
	bool		isnull;
	Datum		cuts;
	Oid			oids[SD_MAX_PARTS];
	int			i;

	rc = SPI_execute(sql, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not cut the relations into slices: %s", SPI_result_code_string(rc));
	cuts = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		sd_extract_cut(plan, NULL, 0);
	else
	{
		Datum	   *elems = NULL;
		bool	   *nulls = NULL;
		int			n = 0;

		deconstruct_array(DatumGetArrayTypeP(cuts), OIDOID, sizeof(Oid), true,
						  TYPALIGN_INT, &elems, &nulls, &n);
		for (i = 0; i < n && i < SD_MAX_PARTS; i++)
			oids[i] = nulls[i] ? InvalidOid : DatumGetObjectId(elems[i]);
		sd_extract_cut(plan, oids, n);
	}
	SPI_freetuptable(SPI_tuptable);
	pfree(sql);
}

/*
 * sd_extract_run
 *		Read every object of this database under snap (registered by the
 *		caller) and options into set->objects, allocated in resultcxt, in no
 *		particular order.  Must be called connected to SPI, in a
 *		subtransaction of the caller's (an error aborts the workers with
 *		it).
 */
void
sd_extract_run(SdObjectSet *set, bool with_attrs, Snapshot snap,
			   MemoryContext resultcxt)
{
	SdCollector c;
	Jsonb	   *options = set->options->jsonb;
	ParallelContext *pcxt = NULL;
	shm_mq_handle *queues[SD_MAX_PARTS];
	SdExtractShared work;
	uint32		leader_arms = SD_CATALOG_ALL_ARMS;	/* alone: everything */
	Oid			leader_from = InvalidOid;
	int			workers;
	int			nparts = 1;
	int			launched = 0;
	int			i;

	memset(&c, 0, sizeof(c));
	dest_init(&c.pub, collector_receive, collector_noop);
	sd_rows_begin(&c.rows, set, with_attrs, resultcxt);

	PushActiveSnapshot(snap);

	workers = planned_workers();
	if (workers > 0 && IsUnderPostmaster && !IsInParallelMode() && enough_relations())
		nparts = Min(1 + workers, SD_MAX_PARTS);

	if (nparts > 1)
	{
		SdExtractShared *shared;
		char	   *optcopy;
		char	   *qspace;
		int			nworkers = nparts - 1;

		work.with_attrs = with_attrs;
		deal_work(nparts, &work.plan);

		EnterParallelMode();
		pcxt = CreateParallelContext("schemadrift", "sd_extract_worker_main", nworkers);
		shm_toc_estimate_chunk(&pcxt->estimator, sizeof(SdExtractShared));
		shm_toc_estimate_chunk(&pcxt->estimator, VARSIZE(options));
		shm_toc_estimate_chunk(&pcxt->estimator, mul_size(SD_QUEUE_SIZE, nworkers));
		shm_toc_estimate_keys(&pcxt->estimator, 3);
		InitializeParallelDSM(pcxt);

		/* no dynamic shared memory: InitializeParallelDSM gave up on workers */
		nworkers = pcxt->nworkers;
		if (nworkers > 0)
		{
			shared = shm_toc_allocate(pcxt->toc, sizeof(SdExtractShared));
			memcpy(shared, &work, sizeof(SdExtractShared));
			shm_toc_insert(pcxt->toc, SD_KEY_SHARED, shared);

			optcopy = shm_toc_allocate(pcxt->toc, VARSIZE(options));
			memcpy(optcopy, options, VARSIZE(options));
			shm_toc_insert(pcxt->toc, SD_KEY_OPTIONS, optcopy);

			qspace = shm_toc_allocate(pcxt->toc, mul_size(SD_QUEUE_SIZE, nworkers));
			for (i = 0; i < nworkers; i++)
			{
				shm_mq	   *mq = shm_mq_create(qspace + (Size) i * SD_QUEUE_SIZE, SD_QUEUE_SIZE);

				shm_mq_set_receiver(mq, MyProc);
				queues[i] = shm_mq_attach(mq, pcxt->seg, NULL);
			}
			shm_toc_insert(pcxt->toc, SD_KEY_QUEUES, qspace);

			LaunchParallelWorkers(pcxt);
			launched = pcxt->nworkers_launched;
		}

		/*
		 * Workers that did not start (always the last ones) leave their
		 * whole arms to the leader, and their slices, which come just
		 * before the leader's: the leader's slice starts at the first one.
		 */
		leader_arms = work.plan.arms[0];
		leader_from = work.plan.from[launched + 1 < nparts ? launched + 1 : 0];
		for (i = launched + 1; i < nparts; i++)
			leader_arms |= work.plan.arms[i];

		c.desc = sd_rows_tupdesc();
		c.qslot = MakeSingleTupleTableSlot(c.desc, &TTSOpsMinimalTuple);
		for (i = 0; i < nworkers; i++)
		{
			if (i < launched)
			{
				shm_mq_set_handle(queues[i], pcxt->worker[i].bgwhandle);
				c.readers[c.nreaders++] = CreateTupleQueueReader(queues[i]);
			}
			else
			{
				shm_mq_detach(queues[i]);
				queues[i] = NULL;
			}
		}
	}

	ereport(DEBUG1,
			(errmsg_internal("schemadrift: catalog extraction in %d parts, %d parallel workers launched",
							 nparts, launched)));

	if (nparts == 1)
		/* the backend alone: one query for everything */
		run_arms(leader_arms, InvalidOid, InvalidOid, options, (DestReceiver *) &c);
	else
	{
		if (leader_arms != 0)
			run_arms(leader_arms, InvalidOid, InvalidOid, options, (DestReceiver *) &c);
		if (!sd_extract_slice_empty(leader_from, InvalidOid))
			run_arms(work.plan.split_arms, leader_from, InvalidOid, options, (DestReceiver *) &c);
	}
	poll_workers(&c, true);

	if (pcxt != NULL)
	{
		for (i = 0; i < launched; i++)
			shm_mq_detach(queues[i]);
		WaitForParallelWorkersToFinish(pcxt);
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		ExecDropSingleTupleTableSlot(c.qslot);
		FreeTupleDesc(c.desc);
	}

	PopActiveSnapshot();
	sd_rows_end(&c.rows);
}

/*
 * A worker's receiver: hashes each row's attrs (sha256 in C costs less than
 * in the query) and forwards the row to the worker's tuple queue.  The
 * queue's own receiver detaches from the queue when a query ends; a worker
 * may run two queries (whole arms, then its slice), so the queue is let go
 * only when the worker is done (rDestroy).
 */
typedef struct SdWorkerDest
{
	DestReceiver pub;			/* must be first */
	DestReceiver *queue;
	bool		with_attrs;
	pg_cryptohash_ctx *hashctx;
	TupleTableSlot *out;		/* the row sent */
	text	   *hash;			/* its hash column */
} SdWorkerDest;

/* hash the row's attrs, drop them unless wanted, and send it */
static bool
worker_dest_receive(TupleTableSlot *slot, DestReceiver *self)
{
	SdWorkerDest *d = (SdWorkerDest *) self;
	TupleTableSlot *out = d->out;

	slot_getallattrs(slot);
	ExecClearTuple(out);
	memcpy(out->tts_values, slot->tts_values, sizeof(Datum) * SD_ROW_NATTS);
	memcpy(out->tts_isnull, slot->tts_isnull, sizeof(bool) * SD_ROW_NATTS);
	if (out->tts_isnull[SD_ROW_HASH] && !out->tts_isnull[SD_ROW_ATTRS])
	{
		text	   *attrs = DatumGetTextPP(out->tts_values[SD_ROW_ATTRS]);
		char		hex[SD_SHA256_HEX_LEN + 1];

		sd_util_attrs_hash(d->hashctx, VARDATA_ANY(attrs), VARSIZE_ANY_EXHDR(attrs), hex);
		memcpy(VARDATA(d->hash), hex, SD_SHA256_HEX_LEN);
		out->tts_values[SD_ROW_HASH] = PointerGetDatum(d->hash);
		out->tts_isnull[SD_ROW_HASH] = false;
	}
	/* a NULL kind is left for the leader to report (sd_rows_add) */
	if (!d->with_attrs && !out->tts_isnull[SD_ROW_KIND] &&
		!sd_rows_keeps_attrs(out->tts_values[SD_ROW_KIND]))
		out->tts_isnull[SD_ROW_ATTRS] = true;
	ExecStoreVirtualTuple(out);
	return d->queue->receiveSlot(out, d->queue);
}

static void
worker_dest_destroy(DestReceiver *self)
{
	SdWorkerDest *d = (SdWorkerDest *) self;

	d->queue->rShutdown(d->queue);
	d->queue->rDestroy(d->queue);
	pg_cryptohash_free(d->hashctx);
	ExecDropSingleTupleTableSlot(d->out);
}

/*
 * sd_extract_worker_main
 *		A parallel worker's part: run the queries for its whole arms and its
 *		slice of relations under the leader's snapshot (restored as the
 *		active one) and settings, and send the rows to its queue.
 */
void
sd_extract_worker_main(dsm_segment *seg, shm_toc *toc)
{
	SdExtractShared *shared = shm_toc_lookup(toc, SD_KEY_SHARED, false);
	SdExtractPlan *plan = &shared->plan;
	Jsonb	   *options = shm_toc_lookup(toc, SD_KEY_OPTIONS, false);
	char	   *qspace = shm_toc_lookup(toc, SD_KEY_QUEUES, false);
	shm_mq	   *mq = (shm_mq *) (qspace + (Size) ParallelWorkerNumber * SD_QUEUE_SIZE);
	shm_mq_handle *mqh;
	SdWorkerDest wdest;
	DestReceiver *dest = (DestReceiver *) &wdest;
	int			part = ParallelWorkerNumber + 1;
	uint32		mask = plan->arms[part];
	bool		slice = !sd_extract_slice_empty(plan->from[part], plan->to[part]);

	shm_mq_set_sender(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);
	memset(&wdest, 0, sizeof(wdest));
	dest_init(&wdest.pub, worker_dest_receive, worker_dest_destroy);
	wdest.queue = CreateTupleQueueDestReceiver(mqh);
	wdest.with_attrs = shared->with_attrs;
	wdest.hashctx = sd_util_sha256_begin();
	wdest.out = MakeSingleTupleTableSlot(sd_rows_tupdesc(), &TTSOpsVirtual);
	wdest.hash = palloc(VARHDRSZ + SD_SHA256_HEX_LEN);
	SET_VARSIZE(wdest.hash, VARHDRSZ + SD_SHA256_HEX_LEN);

	if (mask != 0 || slice)
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (mask != 0)
			run_arms(mask, InvalidOid, InvalidOid, options, dest);
		if (slice)
			run_arms(plan->split_arms, plan->from[part], plan->to[part], options, dest);
		if (SPI_finish() != SPI_OK_FINISH)
			elog(ERROR, "SPI_finish failed");
	}

	/* detaches from the queue, which tells the leader this part is done */
	dest->rDestroy(dest);
}
