/*
 * Request bodies (see body.h).
 */
#include <stdio.h>

#include "body.h"
#include "json.h"

yajl_val
la_body_object(struct la_req *r)
{
	const struct la_json_limits *lim = &la_json_default_limits;
	enum la_json_err err = LA_JSON_INVALID;
	yajl_val v = NULL;
	char detail[160];

	if (r->body_len > 0)
		v = la_json_parse_limited(r->body, r->body_len, lim, r->a,
		    &err);
	if (v != NULL && YAJL_IS_OBJECT(v))
		return (v);
	if (err == LA_JSON_TOO_WIDE) {
		snprintf(detail, sizeof(detail),
		    "request body too wide: at most %zu elements per array "
		    "and %zu members per object",
		    lim->max_array, lim->max_keys);
		la_resp_fail(&r->resp, LA_ERR_TOO_LARGE, detail);
	} else
		la_resp_fail(&r->resp, LA_ERR_BAD_REQUEST,
		    "request body must be a JSON object");
	return (NULL);
}
