/*
 * Response model and serialisation (see response.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "la.h"
#include "arena.h"
#include "blake2b.h"
#include "json.h"
#include "response.h"

static const struct {
	int status;
	const char *reason;
} reasons[] = {
    {100, "Continue"},
    {200, "OK"},
    {201, "Created"},
    {204, "No Content"},
    {304, "Not Modified"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {422, "Unprocessable Content"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {503, "Service Unavailable"},
    {505, "HTTP Version Not Supported"},
};

/* Indexed by enum la_err. */
static const int resp_status_of[] = {
    [LA_ERR_BAD_REQUEST] = 400,
    [LA_ERR_UNAUTHORIZED] = 401,
    [LA_ERR_FORBIDDEN] = 403,
    [LA_ERR_NOT_FOUND] = 404,
    [LA_ERR_METHOD] = 405,
    [LA_ERR_CONFLICT] = 409,
    [LA_ERR_PRECONDITION] = 412,
    [LA_ERR_TOO_LARGE] = 413,
    [LA_ERR_INVALID] = 422,
    [LA_ERR_THROTTLED] = 429,
    [LA_ERR_INTERNAL] = 500,
    [LA_ERR_UNAVAILABLE] = 503,
};

static const char *const resp_ctypes[] = {
    [LA_CT_JSON] = "application/json",
    [LA_CT_HTML] = "text/html; charset=utf-8",
    [LA_CT_TEXT] = "text/plain; charset=utf-8",
    [LA_CT_JS] = "text/javascript; charset=utf-8",
    [LA_CT_CSS] = "text/css; charset=utf-8",
    [LA_CT_PROM] = "text/plain; version=0.0.4; charset=utf-8",
};

void
la_resp_init(struct la_resp *p, struct la_buf *body, struct la_arena *a)
{
	memset(p, 0, sizeof(*p));
	p->body = body;
	p->a = a;
	la_buf_reset(body);
}

const char *
la_resp_reason(int status)
{
	size_t i;

	for (i = 0; i < LA_NELEM(reasons); i++)
		if (reasons[i].status == status)
			return (reasons[i].reason);
	return ("Unknown");
}

int
la_resp_status(enum la_err kind)
{
	if ((size_t)kind >= LA_NELEM(resp_status_of) ||
	    resp_status_of[kind] == 0)
		return (500);
	return (resp_status_of[kind]);
}

void
la_resp_fail(struct la_resp *p, enum la_err kind, const char *detail)
{
	la_buf_reset(p->body);
	la_buf_puts(p->body, "{\"detail\":");
	la_json_cstr(p->body, detail);
	la_buf_putc(p->body, '}');
	la_resp_fail_body(p, kind);
}

void
la_resp_fail_body(struct la_resp *p, enum la_err kind)
{
	p->status = la_resp_status(kind);
	p->ctype = LA_CT_JSON;
	p->no_body = 0;
}

void
la_resp_json(struct la_resp *p, int status)
{
	la_resp_body(p, status, LA_CT_JSON);
}

void
la_resp_body(struct la_resp *p, int status, enum la_ctype ctype)
{
	p->status = status;
	p->ctype = ctype;
	p->no_body = 0;
}

void
la_resp_empty(struct la_resp *p, int status)
{
	la_buf_reset(p->body);
	p->status = status;
	p->no_body = 1;
}

static struct la_header *
resp_find(const struct la_resp *p, const char *name)
{
	size_t i;

	/* The first letter before the library call: most names differ. */
	for (i = 0; i < p->nh; i++)
		if ((p->h[i].name[0] | 0x20) == (name[0] | 0x20) &&
		    strcasecmp(p->h[i].name, name) == 0)
			return ((struct la_header *)&p->h[i]);
	return (NULL);
}

/* 1 when value is one of the comma-separated items of list. */
static int
resp_has_item(const char *list, const char *value)
{
	size_t n = strlen(value);
	const char *s = list;

	while (*s != '\0') {
		while (*s == ' ' || *s == ',')
			s++;
		if (strncasecmp(s, value, n) == 0 &&
		    (s[n] == '\0' || s[n] == ',' || s[n] == ' '))
			return (1);
		while (*s != '\0' && *s != ',')
			s++;
	}
	return (0);
}

void
la_resp_header(struct la_resp *p, const char *name, const char *value)
{
	struct la_header *h;
	char *v;
	size_t n;

	if ((name[0] | 0x20) == 'v' && strcasecmp(name, "Vary") == 0 &&
	    (h = resp_find(p, name)) != NULL) {
		if (resp_has_item(h->value, value))
			return;
		n = strlen(h->value) + strlen(value) + 3;
		v = la_arena_alloc(p->a, n);
		snprintf(v, n, "%s, %s", h->value, value);
		h->value = v;
		return;
	}
	if (p->nh == LA_RESP_MAX_HEADERS)
		return;
	p->h[p->nh].name = name;
	p->h[p->nh].value = la_arena_strdup(p->a, value);
	p->nh++;
}

void
la_resp_header_n(struct la_resp *p, const char *name, const char *value,
    size_t len)
{
	/* Vary merges, and a full list drops: la_resp_header decides. */
	if ((name[0] | 0x20) == 'v' || p->nh == LA_RESP_MAX_HEADERS) {
		la_resp_header(p, name, la_arena_strndup(p->a, value, len));
		return;
	}
	p->h[p->nh].name = name;
	p->h[p->nh].value = la_arena_strndup(p->a, value, len);
	p->nh++;
}

void
la_resp_header_set(struct la_resp *p, const char *name, const char *value)
{
	size_t i, j = 0;

	for (i = 0; i < p->nh; i++)
		if (strcasecmp(p->h[i].name, name) != 0)
			p->h[j++] = p->h[i];
	p->nh = j;
	la_resp_header(p, name, value);
}

const char *
la_resp_header_get(const struct la_resp *p, const char *name)
{
	const struct la_header *h = resp_find(p, name);

	return (h != NULL ? h->value : NULL);
}

void
la_resp_allow(struct la_buf *b, unsigned m)
{
	/* Alphabetical, as clients comparing header values expect. */
	static const unsigned order[] = {LA_M_DELETE, LA_M_GET, LA_M_HEAD,
	    LA_M_OPTIONS, LA_M_PATCH, LA_M_POST, LA_M_PUT};
	size_t i;
	int n = 0;

	if (m & LA_M_GET)
		m |= LA_M_HEAD;
	m |= LA_M_OPTIONS;
	for (i = 0; i < LA_NELEM(order); i++)
		if (m & order[i])
			la_buf_printf(b, "%s%s", n++ ? ", " : "",
			    la_verb_name(order[i]));
}

void
la_resp_allow_header(struct la_resp *p, unsigned methods)
{
	struct la_buf b;

	la_buf_init(&b);
	la_resp_allow(&b, methods);
	la_resp_header_set(p, "Allow", b.data);
	la_buf_free(&b);
}

/* n in decimal; printf's parsing costs more than the whole head. */
static void
resp_num(struct la_buf *out, size_t n)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	la_buf_append(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void
resp_head(struct la_buf *out, int status, const char *date)
{
	static const char ok[] =
	    "HTTP/1.1 200 OK\r\nServer: lightapid\r\nDate: ";

	/* Most answers are 200: its line is a constant. */
	if (status == 200) {
		la_buf_append(out, ok, sizeof(ok) - 1);
		la_buf_puts(out, date);
		la_buf_append(out, "\r\n", 2);
		return;
	}
	la_buf_append(out, "HTTP/1.1 ", 9);
	resp_num(out, (size_t)(status > 0 ? status : 0));
	la_buf_putc(out, ' ');
	la_buf_puts(out, la_resp_reason(status));
	la_buf_append(out, "\r\nServer: lightapid\r\nDate: ", 27);
	la_buf_puts(out, date);
	la_buf_append(out, "\r\n", 2);
}

/* Appends n bytes at d, which has room; the end. */
static inline char *
resp_put(char *d, const char *s, size_t n)
{
	memcpy(d, s, n);
	return (d + n);
}

/* The header fields after the status line and Date, into room counted
 * beforehand (see la_resp_write): the lengths are taken once. */
static char *
resp_fields(const struct la_resp *p, char *d, const size_t *len)
{
	size_t i;

	for (i = 0; i < p->nh; i++) {
		d = resp_put(d, p->h[i].name, len[2 * i]);
		*d++ = ':';
		*d++ = ' ';
		d = resp_put(d, p->h[i].value, len[2 * i + 1]);
		*d++ = '\r';
		*d++ = '\n';
	}
	return (d);
}

/* "Content-Length: n\r\n" with n written from its last digit. */
static char *
resp_length(char *d, size_t n)
{
	char tmp[24], *q = tmp + sizeof(tmp);

	do {
		*--q = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	d = resp_put(d, "\r\nContent-Length: ", 18);
	return (resp_put(d, q, (size_t)(tmp + sizeof(tmp) - q)));
}

/*
 * The whole head, and the body, in one reservation: every response
 * writes one, so the lengths are added up first and the pieces copied
 * without a capacity check each.
 */
void
la_resp_write(const struct la_resp *p, int head_only, enum la_persist persist,
    const char *date, struct la_buf *out)
{
	size_t len[2 * LA_RESP_MAX_HEADERS], need, i;
	int body = !p->no_body && !head_only;
	char *d, *start;

	resp_head(out, p->status, date);
	need = 96 + (body ? p->body->len : 0);
	for (i = 0; i < p->nh; i++) {
		len[2 * i] = strlen(p->h[i].name);
		len[2 * i + 1] = strlen(p->h[i].value);
		need += len[2 * i] + len[2 * i + 1] + 4;
	}
	if (!p->no_body)
		need += strlen(resp_ctypes[p->ctype]);
	start = d = la_buf_reserve(out, need);
	d = resp_fields(p, d, len);
	if (!p->no_body) {
		d = resp_put(d, "Content-Type: ", 14);
		d = resp_put(d, resp_ctypes[p->ctype],
		    strlen(resp_ctypes[p->ctype]));
		d = resp_length(d, p->body->len);
		d = resp_put(d, "\r\n", 2);
	}
	if (persist == LA_PERSIST_CLOSE)
		d = resp_put(d, "Connection: close\r\n", 19);
	else if (persist == LA_PERSIST_SAY)
		d = resp_put(d, "Connection: keep-alive\r\n", 24);
	d = resp_put(d, "\r\n", 2);
	if (body)
		d = resp_put(d, p->body->data, p->body->len);
	out->len += (size_t)(d - start);
	out->data[out->len] = '\0';
}

void
la_resp_raw_error(int status, const char *detail, const char *date,
    struct la_buf *out)
{
	la_resp_raw_error_id(status, detail, NULL, date, out);
}

void
la_resp_raw_error_id(int status, const char *detail, const char *request_id,
    const char *date, struct la_buf *out)
{
	struct la_buf body;

	la_buf_init(&body);
	la_buf_puts(&body, "{\"detail\":");
	la_json_cstr(&body, detail);
	la_buf_putc(&body, '}');
	resp_head(out, status, date);
	if (request_id != NULL)
		la_buf_printf(out, "X-Request-Id: %s\r\n", request_id);
	la_buf_printf(out,
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n",
	    body.len);
	la_buf_append(out, body.data, body.len);
	la_buf_free(&body);
}

/* Each byte as two lowercase hex digits. */
static const char resp_hex2[256][2] = {
    "00",
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "0a",
    "0b",
    "0c",
    "0d",
    "0e",
    "0f",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "1a",
    "1b",
    "1c",
    "1d",
    "1e",
    "1f",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
    "28",
    "29",
    "2a",
    "2b",
    "2c",
    "2d",
    "2e",
    "2f",
    "30",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "38",
    "39",
    "3a",
    "3b",
    "3c",
    "3d",
    "3e",
    "3f",
    "40",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "47",
    "48",
    "49",
    "4a",
    "4b",
    "4c",
    "4d",
    "4e",
    "4f",
    "50",
    "51",
    "52",
    "53",
    "54",
    "55",
    "56",
    "57",
    "58",
    "59",
    "5a",
    "5b",
    "5c",
    "5d",
    "5e",
    "5f",
    "60",
    "61",
    "62",
    "63",
    "64",
    "65",
    "66",
    "67",
    "68",
    "69",
    "6a",
    "6b",
    "6c",
    "6d",
    "6e",
    "6f",
    "70",
    "71",
    "72",
    "73",
    "74",
    "75",
    "76",
    "77",
    "78",
    "79",
    "7a",
    "7b",
    "7c",
    "7d",
    "7e",
    "7f",
    "80",
    "81",
    "82",
    "83",
    "84",
    "85",
    "86",
    "87",
    "88",
    "89",
    "8a",
    "8b",
    "8c",
    "8d",
    "8e",
    "8f",
    "90",
    "91",
    "92",
    "93",
    "94",
    "95",
    "96",
    "97",
    "98",
    "99",
    "9a",
    "9b",
    "9c",
    "9d",
    "9e",
    "9f",
    "a0",
    "a1",
    "a2",
    "a3",
    "a4",
    "a5",
    "a6",
    "a7",
    "a8",
    "a9",
    "aa",
    "ab",
    "ac",
    "ad",
    "ae",
    "af",
    "b0",
    "b1",
    "b2",
    "b3",
    "b4",
    "b5",
    "b6",
    "b7",
    "b8",
    "b9",
    "ba",
    "bb",
    "bc",
    "bd",
    "be",
    "bf",
    "c0",
    "c1",
    "c2",
    "c3",
    "c4",
    "c5",
    "c6",
    "c7",
    "c8",
    "c9",
    "ca",
    "cb",
    "cc",
    "cd",
    "ce",
    "cf",
    "d0",
    "d1",
    "d2",
    "d3",
    "d4",
    "d5",
    "d6",
    "d7",
    "d8",
    "d9",
    "da",
    "db",
    "dc",
    "dd",
    "de",
    "df",
    "e0",
    "e1",
    "e2",
    "e3",
    "e4",
    "e5",
    "e6",
    "e7",
    "e8",
    "e9",
    "ea",
    "eb",
    "ec",
    "ed",
    "ee",
    "ef",
    "f0",
    "f1",
    "f2",
    "f3",
    "f4",
    "f5",
    "f6",
    "f7",
    "f8",
    "f9",
    "fa",
    "fb",
    "fc",
    "fd",
    "fe",
    "ff",
};

void
la_resp_etag(const char *body, size_t len, char tag[LA_ETAG_LEN])
{
	unsigned char md[16];
	size_t i;

	/* A digest, not a fast hash: a strong tag must never match two
	 * bodies, even ones a client chose. 128 bits are plenty. */
	la_blake2b(md, sizeof(md), body, len);
	tag[0] = '"';
	for (i = 0; i < 16; i++)
		memcpy(tag + 1 + 2 * i, resp_hex2[md[i]], 2);
	tag[33] = '"';
	tag[34] = '\0';
}

int
la_etag_match(const char *list, size_t len, const char *tag, int weak)
{
	const char *p = list, *end = list + len, *q;
	size_t n = strlen(tag);
	int is_weak;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p == end)
			break;
		if (*p == '*')
			return (1);
		is_weak = end - p > 2 && p[0] == 'W' && p[1] == '/';
		if (is_weak)
			p += 2;
		if (*p != '"')
			return (0); /* not a list of entity tags */
		for (q = p + 1; q < end && *q != '"'; q++)
			;
		if (q == end)
			return (0);
		q++;
		if ((weak || !is_weak) && (size_t)(q - p) == n &&
		    memcmp(p, tag, n) == 0)
			return (1);
		p = q;
	}
	return (0);
}
