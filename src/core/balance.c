/*
 * Connection balance between workers (see balance.h).
 *
 * A worker that stops accepting takes its listeners out of its epoll set.
 * The connection that woke it (EPOLLEXCLUSIVE wakes one worker) may then
 * still wait in the backlog, and the other workers, not woken for it,
 * would not see it: so the worker kicks an eventfd that every worker
 * watches edge-triggered, and each one with its listeners in place tries
 * an accept. A worker stuck in a long request for more than
 * BALANCE_STALE_MS no longer counts as able to take connections, so the
 * others take them instead of leaving them in its queue.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "balance.h"

#define BALANCE_STALE_MS 100
#define BALANCE_SLACK    1 /* connections above the least loaded */
#define BALANCE_ASLEEP   INT64_MAX
#define BALANCE_GONE     (-1)

struct balance_slot {
	_Atomic int64_t seen; /* ms, ASLEEP, 0 not started, GONE */
	_Atomic uint32_t conns;
	_Atomic int room;
	_Atomic int listening; /* its listeners are in its epoll set */
	char pad[64 - 20];     /* one cache line each: no false sharing */
};

struct la_balance {
	int n;
	int kickfd;
	size_t size;
	struct balance_slot slot[];
};

struct la_balance *
la_balance_new(int nslots)
{
	size_t size = sizeof(struct la_balance) +
	              (size_t)nslots * sizeof(struct balance_slot);
	struct la_balance *b;

	b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	if (b == MAP_FAILED)
		return (NULL);
	memset(b, 0, size);
	b->n = nslots;
	b->size = size;
	b->kickfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return (b);
}

void
la_balance_free(struct la_balance *b)
{
	if (b == NULL)
		return;
	if (b->kickfd >= 0)
		close(b->kickfd);
	munmap(b, b->size);
}

void
la_balance_gone(struct la_balance *b, int slot)
{
	if (b == NULL || slot < 0 || slot >= b->n)
		return;
	atomic_store(&b->slot[slot].conns, 0);
	atomic_store(&b->slot[slot].room, 0);
	atomic_store(&b->slot[slot].listening, 0);
	atomic_store(&b->slot[slot].seen, BALANCE_GONE);
	/* Whoever stood back for it must take over. */
	la_balance_kick(b);
}

int
la_balance_up(const struct la_balance *b, int slot)
{
	int64_t seen;

	if (b == NULL || slot < 0 || slot >= b->n)
		return (1);
	seen = atomic_load(&b->slot[slot].seen);
	return (seen != 0 && seen != BALANCE_GONE);
}

void
la_balance_report(struct la_balance *b, int slot, int64_t now_ms, size_t conns,
    int room, int asleep)
{
	struct balance_slot *s;

	if (b == NULL || slot < 0 || slot >= b->n)
		return;
	s = &b->slot[slot];
	atomic_store_explicit(&s->conns, (uint32_t)conns, memory_order_relaxed);
	atomic_store_explicit(&s->room, room, memory_order_relaxed);
	atomic_store_explicit(&s->seen, asleep ? BALANCE_ASLEEP : now_ms,
	    memory_order_release);
}

/* 1 when the worker in s would take a connection soon. */
static int
balance_candidate(const struct balance_slot *s, int64_t now_ms)
{
	int64_t seen = atomic_load_explicit(&s->seen, memory_order_acquire);

	if (seen == 0 || seen == BALANCE_GONE ||
	    !atomic_load_explicit(&s->room, memory_order_relaxed))
		return (0);
	return (seen == BALANCE_ASLEEP || now_ms - seen < BALANCE_STALE_MS);
}

size_t
la_balance_budget(const struct la_balance *b, int slot, int64_t now_ms,
    size_t conns)
{
	size_t least = SIZE_MAX, c;
	int i;

	if (b == NULL)
		return (SIZE_MAX);
	for (i = 0; i < b->n; i++) {
		if (i == slot || !balance_candidate(&b->slot[i], now_ms))
			continue;
		c = atomic_load_explicit(&b->slot[i].conns,
		    memory_order_relaxed);
		if (c < least)
			least = c;
	}
	if (least == SIZE_MAX)
		return (SIZE_MAX);
	return (conns <= least + BALANCE_SLACK
	            ? least + BALANCE_SLACK + 1 - conns
	            : 0);
}

int
la_balance_listen(struct la_balance *b, int slot, int on)
{
	int i;

	if (b == NULL || slot < 0 || slot >= b->n)
		return (0);
	/* Sequentially consistent: of two workers stopping at once, at
	 * least one sees that the other stopped too. */
	atomic_store(&b->slot[slot].listening, on);
	if (on)
		return (0);
	for (i = 0; i < b->n; i++)
		if (i != slot && atomic_load(&b->slot[i].listening))
			return (0);
	return (1);
}

void
la_balance_kick(struct la_balance *b)
{
	uint64_t one = 1;

	if (b != NULL && b->kickfd >= 0)
		(void)!write(b->kickfd, &one, sizeof(one));
}

int
la_balance_fd(const struct la_balance *b)
{
	return (b != NULL ? b->kickfd : -1);
}
