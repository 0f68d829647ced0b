/*
 * The client's address (SPEC §12): the socket's peer, or, with
 * server.trust_proxy, the address the trusted proxies forwarded (see
 * lib/proxyaddr.h for the walk). It is what the access log, the login
 * throttle and the rate limit see as r->peer.
 */
#ifndef LA_CLIENTADDR_H
#define LA_CLIENTADDR_H

#include "handler.h"

/* Sets r->peer from the forwarding headers when the peer is trusted. */
int la_clientaddr_phase(struct la_req *r);

#endif
