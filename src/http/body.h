/*
 * A request body read as a JSON object, with the limits every route
 * shares: nesting depth, and width (elements per array, members per
 * object), so that no body costs more than linear time to parse.
 */
#ifndef LA_BODY_H
#define LA_BODY_H

#include "handler.h"

/*
 * The body as a JSON object, or NULL after answering 400 ("request body
 * must be a JSON object": empty, not JSON, not strict UTF-8, too deep, or
 * not an object) or 413 (an array or object wider than its limit).
 */
yajl_val la_body_object(struct la_req *r);

#endif
