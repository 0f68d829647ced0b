/*
 * systemd's service notification protocol (sd_notify(3)), spoken directly:
 * datagrams of NAME=value lines sent to the Unix socket named by
 * $NOTIFY_SOCKET, so that a unit of Type=notify knows when the daemon is
 * ready, reloading or stopping, and shows its STATUS= line. Without
 * $NOTIFY_SOCKET every call does nothing.
 */
#ifndef LA_NOTIFY_H
#define LA_NOTIFY_H

#include <stdint.h>

/* Reads the environment (the master, after any daemonizing fork). */
void la_notify_init(void);
/* READY=1 with a STATUS= line. */
void la_notify_ready(const char *status);
/* RELOADING=1 with MONOTONIC_USEC= (systemd 253 and later want it). */
void la_notify_reloading(const char *status);
/* STOPPING=1. */
void la_notify_stopping(const char *status);
/* A STATUS= line alone. */
void la_notify_status(const char *status);
/* How often to send WATCHDOG=1 in ms (half of $WATCHDOG_USEC), or 0. */
int64_t la_notify_watchdog_ms(void);
/* WATCHDOG=1. */
void la_notify_watchdog(void);

#endif
