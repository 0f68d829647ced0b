/*
 * The master process: owns the listening sockets and the shared mapping of
 * the catalog, forks the workers, restarts the ones that die and carries
 * out the operator's signals. It never serves a request.
 */
#ifndef LA_MASTER_H
#define LA_MASTER_H

#include "gen.h"

/*
 * Runs until stopped; returns the process exit status. path and ov are
 * what g was built from, kept to rebuild it on SIGHUP.
 */
int la_master_run(struct la_gen *g, int foreground, const char *path,
    const struct la_overrides *ov);

#endif
