/*
 * Pagination cursors (see cursor.h): {"o":ordering,"d":±1,"k":[keys]}
 * in base64url, each key a tagged string or null.
 */
#include <string.h>

#include "arena.h"
#include "b64.h"
#include "cursor.h"
#include "json.h"
#include "str.h"

/*
 * Keys travel as tagged strings ("i42", "f0.5", "stext") rather than JSON
 * numbers: every int64 and every double, subnormals included, then comes
 * back exactly through our own strict parsers.
 */
static void
cursor_value(struct la_buf *b, const struct la_value *v)
{
	struct la_buf t;

	la_buf_init(&t);
	switch (v->kind) {
	case LA_V_INT:
		la_buf_printf(&t, "i%lld", (long long)v->i);
		break;
	case LA_V_FLOAT:
		la_buf_printf(&t, "f%.17g", v->f);
		break;
	case LA_V_TEXT:
		la_buf_putc(&t, 's');
		la_buf_append(&t, v->s, v->len);
		break;
	default:
		la_buf_puts(b, "null");
		return;
	}
	la_json_str(b, t.data, t.len);
	la_buf_free(&t);
}

void
la_cursor_encode(struct la_buf *out, const struct la_query *q, int dir,
    const struct la_value *keys)
{
	struct la_buf json;
	size_t i;

	la_buf_init(&json);
	la_buf_puts(&json, "{\"o\":");
	la_json_cstr(&json, q->ordering);
	la_buf_printf(&json, ",\"d\":%d,\"k\":[", dir);
	for (i = 0; i < q->norder; i++) {
		if (i > 0)
			la_buf_putc(&json, ',');
		cursor_value(&json, &keys[i]);
	}
	la_buf_puts(&json, "]}");
	la_b64url_encode(out, json.data, json.len);
	la_buf_free(&json);
}

/* A key of the kind the column stores, or -1. */
static int
cursor_key(yajl_val v, enum la_type ty, struct la_value *out)
{
	const char *s;
	size_t n;
	int text = ty != LA_T_INT && ty != LA_T_BOOL && ty != LA_T_FLOAT;
	int num = ty != LA_T_STR && ty != LA_T_TEXT;

	if (YAJL_IS_NULL(v)) {
		*out = LA_VALUE_NULL;
		return (0);
	}
	if (!YAJL_IS_STRING(v) || (n = strlen(v->u.string)) == 0)
		return (-1);
	s = v->u.string;
	out->kind = LA_V_NULL;
	if (s[0] == 'i' && num && la_str_to_i64(s + 1, n - 1, &out->i) == 0)
		out->kind = LA_V_INT;
	else if (s[0] == 'f' && num && ty != LA_T_INT && ty != LA_T_BOOL &&
	         la_str_to_double(s + 1, n - 1, &out->f) == 0)
		out->kind = LA_V_FLOAT;
	else if (s[0] == 's' && text)
		*out = la_value_text(s + 1, n - 1);
	return (out->kind == LA_V_NULL ? -1 : 0);
}

static int
cursor_keys(const struct la_catalog *c, const struct la_cat_table *t,
    const struct la_query *q, yajl_val k, struct la_value *keys)
{
	const struct la_cat_col *cols = la_catalog_cols(c, t);
	size_t i;

	if (k == NULL || !YAJL_IS_ARRAY(k) || k->u.array.len != q->norder)
		return (-1);
	for (i = 0; i < q->norder; i++)
		if (cursor_key(k->u.array.values[i],
		        (enum la_type)cols[q->order[i].col].type,
		        &keys[i]) != 0)
			return (-1);
	return (0);
}

int
la_cursor_decode(const struct la_catalog *c, const struct la_cat_table *t,
    const struct la_query *q, struct la_arena *a, int *dir,
    struct la_value *keys)
{
	unsigned char *raw;
	yajl_val root, o, d;
	ssize_t n;

	if (q->cursor_len > 4096)
		return (-1);
	raw = la_arena_alloc(a, LA_B64URL_DECODED_MAX(q->cursor_len));
	n = la_b64url_decode(q->cursor, q->cursor_len, raw);
	if (n <= 0)
		return (-1);
	root = la_json_parse((const char *)raw, (size_t)n, 4, a);
	if (root == NULL || !YAJL_IS_OBJECT(root))
		return (-1);
	o = la_json_get(root, "o", 1);
	d = la_json_get(root, "d", 1);
	if (o == NULL || !YAJL_IS_STRING(o) ||
	    strcmp(o->u.string, q->ordering) != 0 || d == NULL ||
	    !YAJL_IS_INTEGER(d) ||
	    (YAJL_GET_INTEGER(d) != LA_CURSOR_NEXT &&
	        YAJL_GET_INTEGER(d) != LA_CURSOR_PREV))
		return (-1);
	*dir = (int)YAJL_GET_INTEGER(d);
	return (cursor_keys(c, t, q, la_json_get(root, "k", 1), keys));
}
