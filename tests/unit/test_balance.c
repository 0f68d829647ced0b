/*
 * The connection balance table: how many connections a worker may accept
 * given the others' counts, which workers count (started, alive, with
 * room, responsive), and when the last worker to stop listening must kick
 * the others.
 */
#include <stdint.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "balance.h"
#include "tap.h"

static void
test_budget(void)
{
	struct la_balance *b = la_balance_new(3);
	int64_t now = 100000;

	ok(b != NULL, "table mapped");
	is_int(la_balance_budget(b, 0, now, 5) == SIZE_MAX, 1,
	    "nobody else started: no limit");
	la_balance_report(b, 1, now, 4, 1, 0);
	is_int(la_balance_budget(b, 0, now, 0), 6, "0 against 4: up to 6");
	is_int(la_balance_budget(b, 0, now, 5), 1, "5 against 4: one more");
	is_int(la_balance_budget(b, 0, now, 6), 0, "6 against 4: none");
	la_balance_report(b, 2, now, 2, 1, 1);
	is_int(la_balance_budget(b, 0, now, 3), 1,
	    "the least loaded counts (2, asleep: responsive)");
	is_int(la_balance_budget(b, 0, now + 10000, 3), 1,
	    "asleep in epoll_wait stays responsive however long");
	la_balance_report(b, 2, now, 2, 0, 0);
	is_int(la_balance_budget(b, 0, now, 5), 1,
	    "a full worker does not count");
	la_balance_report(b, 2, now, 2, 1, 0);
	is_int(la_balance_budget(b, 0, now + 99, 5), 0,
	    "a worker seen 99 ms ago counts");
	is_int(la_balance_budget(b, 0, now + 150, 5) == SIZE_MAX, 1,
	    "busy for 150 ms: nobody counts, no limit");
	la_balance_gone(b, 1);
	la_balance_report(b, 2, now, 2, 1, 0);
	is_int(la_balance_budget(b, 0, now, 3), 1, "a dead worker is left out");
	ok(!la_balance_up(b, 1), "a dead worker is not up");
	ok(la_balance_up(b, 2), "a reporting worker is up");
	ok(!la_balance_up(b, 0), "a worker yet to report is not up");
	la_balance_free(b);
}

static void
test_listen_and_kick(void)
{
	struct la_balance *b = la_balance_new(2);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET}, out;
	int ep = epoll_create1(0);

	is_int(la_balance_listen(b, 0, 1), 0, "starting to listen: no kick");
	is_int(la_balance_listen(b, 1, 1), 0, "both listen");
	is_int(la_balance_listen(b, 0, 0), 0, "one stops: the other listens");
	is_int(la_balance_listen(b, 1, 0), 1, "the last one stops: kick");
	ok(la_balance_fd(b) >= 0, "a kick descriptor");
	epoll_ctl(ep, EPOLL_CTL_ADD, la_balance_fd(b), &ev);
	is_int(epoll_wait(ep, &out, 1, 0), 0, "no event before a kick");
	la_balance_kick(b);
	is_int(epoll_wait(ep, &out, 1, 0), 1, "a kick is an event");
	is_int(epoll_wait(ep, &out, 1, 0), 0, "once (edge-triggered)");
	la_balance_kick(b);
	is_int(epoll_wait(ep, &out, 1, 0), 1, "and the next kick another");
	close(ep);
	la_balance_free(b);
}

static void
test_null(void)
{
	is_int(la_balance_budget(NULL, 0, 0, 99) == SIZE_MAX, 1,
	    "no table: no limit");
	ok(la_balance_up(NULL, 0), "no table: up");
	is_int(la_balance_listen(NULL, 0, 0), 0, "no table: no kick");
	is_int(la_balance_fd(NULL), -1, "no table: no descriptor");
}

int
main(void)
{
	test_budget();
	test_listen_and_kick();
	test_null();
	return (done_testing());
}
