/*
 * How the workers of one generation share the connections. Each worker
 * publishes, in a table the master maps shared before forking them, how
 * many connections it holds and when it last went round its loop; a worker
 * holding more than the least loaded responsive worker (plus a little
 * slack) stops accepting until the others catch up. The kernel's wake-one
 * accept (EPOLLEXCLUSIVE) alone hands a burst of new connections to
 * whichever worker wakes first, so that one of two workers can end up with
 * three quarters of them.
 *
 * The table also tells the master when every worker has started (for
 * systemd's READY=1).
 */
#ifndef LA_BALANCE_H
#define LA_BALANCE_H

#include <stddef.h>
#include <stdint.h>

struct la_balance;

/* The master: a table for nslots workers, or NULL (then no balancing). */
struct la_balance *la_balance_new(int nslots);
/* The master, once no new worker of this generation will be forked. */
void la_balance_free(struct la_balance *b);
/* The master, when a worker died: it holds nothing and accepts nothing. */
void la_balance_gone(struct la_balance *b, int slot);
/* The master: 1 when the worker in slot has reached its loop. */
int la_balance_up(const struct la_balance *b, int slot);

/*
 * A worker, on its way round its loop: its connections, whether it could
 * take more (not full, not stopping), and whether it is about to block in
 * epoll_wait (then it counts as responsive however long it sleeps).
 */
void la_balance_report(struct la_balance *b, int slot, int64_t now_ms,
    size_t conns, int room, int asleep);
/*
 * A worker: how many more connections it may accept now (SIZE_MAX when no
 * other worker could take them).
 */
size_t la_balance_budget(const struct la_balance *b, int slot, int64_t now_ms,
    size_t conns);
/*
 * A worker puts its listeners in its epoll set (on) or takes them out.
 * Returns 1 when it took them out and no other worker listens: it must
 * kick the others, or new clients would wait for a timeout.
 */
int la_balance_listen(struct la_balance *b, int slot, int on);
/* A worker that stopped accepting wakes the others to look again. */
void la_balance_kick(struct la_balance *b);
/* The descriptor that a kick makes readable (edge-triggered), or -1. */
int la_balance_fd(const struct la_balance *b);

#endif
