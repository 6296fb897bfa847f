/*-------------------------------------------------------------------------
 *
 * kinds.c
 *	  The table of object kinds, and the version of the object model.
 *
 * Every kind the extraction produces is described here once: whether it is
 * a relation (or a publication, a server) whose children fold into its row
 * in a diff, how a folded child is counted, in which family of relations a
 * child's parent is looked up, and which version of the object model last
 * changed what its objects hold (see kinds.h).  The rest of the code asks this table instead
 * of comparing kind names.
 *
 * IDENTIFICATION
 *	  src/kinds.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "kinds.h"

/*
 * The kinds, in the order a folded relation's note counts its children
 * ("with 3 columns, 1 constraint, 2 indexes").
 */
const SdKind sd_kinds[] = {
	/* name, relation, child_one, child_many, family, model */
	{"schema", false, NULL, NULL, NULL, 1},
	{"extension", false, NULL, NULL, NULL, 1},
	{"table", true, NULL, NULL, "", 1},
	{"table column", false, "column", "columns", "", 1},
	{"foreign table column", false, "column", "columns", "", 2},
	{"table constraint", false, "constraint", "constraints", "", 1},
	{"index", false, "index", "indexes", "", 1},
	{"sequence", false, "sequence", "sequences", "", 1},
	{"view", true, NULL, NULL, "", 1},
	{"materialized view", true, NULL, NULL, "", 1},
	{"function", false, NULL, NULL, NULL, 1},
	{"procedure", false, NULL, NULL, NULL, 1},
	{"aggregate", false, NULL, NULL, NULL, 1},
	{"trigger", false, "trigger", "triggers", "", 1},
	{"policy", false, "policy", "policies", "", 1},
	{"type", false, NULL, NULL, NULL, 2},
	{"publication", true, NULL, NULL, "publication", 2},
	{"publication relation", false, "table", "tables", "publication", 2},
	{"publication namespace", false, "schema", "schemas", "publication", 2},
	{"foreign-data wrapper", false, NULL, NULL, NULL, 2},
	{"server", true, NULL, NULL, "server", 2},
	{"user mapping", false, "user mapping", "user mappings", "server", 2},
	{"foreign table", true, NULL, NULL, "", 2},
	{"event trigger", false, NULL, NULL, NULL, 2},
	{"collation", false, NULL, NULL, NULL, 2},
	{"statistics object", false, "statistics object", "statistics objects", "", 2},
	{"rule", false, "rule", "rules", "", 2},
	{"subscription", false, NULL, NULL, NULL, 2},
	{"default acl", false, NULL, NULL, NULL, 2},
	{"language", false, NULL, NULL, NULL, 2},
	{"access method", false, NULL, NULL, NULL, 2},
	{"cast", false, NULL, NULL, NULL, 2},
	{"transform", false, NULL, NULL, NULL, 2},
	{"operator", false, NULL, NULL, NULL, 2},
	{"operator family", false, NULL, NULL, NULL, 2},
	{"operator class", false, NULL, NULL, NULL, 2},
	{"conversion", false, NULL, NULL, NULL, 2},
	{"text search configuration", false, NULL, NULL, NULL, 2},
	{"text search dictionary", false, NULL, NULL, NULL, 2},
	{"text search parser", false, NULL, NULL, NULL, 2},
	{"text search template", false, NULL, NULL, NULL, 2},
	{SD_KIND_UNSUPPORTED, false, NULL, NULL, NULL, 2},
};

const int	sd_nkinds = lengthof(sd_kinds);

/*
 * sd_kind_lookup
 *		The entry of the kind named name, or NULL if the model has no such
 *		kind (a hand-edited snapshot may carry one).
 */
const SdKind *
sd_kind_lookup(const char *name)
{
	int			i;

	for (i = 0; i < sd_nkinds; i++)
		if (strcmp(name, sd_kinds[i].name) == 0)
			return &sd_kinds[i];
	return NULL;
}

/*
 * sd_kind_index
 *		The position of kind in sd_kinds.
 */
int
sd_kind_index(const SdKind *kind)
{
	Assert(kind >= sd_kinds && kind < sd_kinds + sd_nkinds);
	return (int) (kind - sd_kinds);
}
