/*
 * UUID parsing (see uuid.h). The accepted forms and the diagnosis of a
 * refused text follow the uuid crate Pydantic uses, because its messages
 * reach LightAPI clients in 422 items; the diagnosis only runs on the
 * error path, so the common case is one pass over 36 bytes.
 */
#include <string.h>

#include "arena.h"
#include "uuid.h"

static int
uuid_hex(char ch)
{
	return ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	        (ch >= 'A' && ch <= 'F'));
}

int
la_uuid_parse(const char *s, size_t len, char out[LA_UUID_LEN + 1])
{
	size_t i, n = 0;

	if (len == 38 && s[0] == '{' && s[37] == '}')
		s++, len = 36;
	else if (len == 45 && memcmp(s, "urn:uuid:", 9) == 0)
		s += 9, len = 36;
	if (len != 32 && len != 36)
		return (-1);
	for (i = 0; i < len; i++) {
		if (len == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-')
				return (-1);
			continue;
		}
		if (!uuid_hex(s[i]))
			return (-1);
		out[n++] = (char)(s[i] | 0x20);
		if (n == 8 || n == 13 || n == 18 || n == 23)
			out[n++] = '-';
	}
	out[LA_UUID_LEN] = '\0';
	return (0);
}

/* Bytes of the character at s, as the uuid crate names it in errors. */
static size_t
uuid_char_len(const char *s, size_t left)
{
	unsigned char ch = (unsigned char)s[0];
	size_t n = ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc0 ? 2 : 1;

	return (n < left ? n : left);
}

/* With five groups, the first one of the wrong length. */
static const char *
uuid_groups(struct la_arena *a, const size_t bounds[4], size_t inlen)
{
	static const size_t starts[] = {0, 9, 14, 19, 24};
	static const int expect[] = {8, 4, 4, 4, 12};
	size_t i;

	/* Group lengths are measured from fixed starts, as the crate does. */
	for (i = 0; i < 4; i++)
		if (bounds[i] != starts[i + 1] - 1)
			return (la_arena_printf(a,
			    "invalid group length in group %zu: expected %d, "
			    "found %zu",
			    i, expect[i], bounds[i] - starts[i]));
	return (la_arena_printf(a,
	    "invalid group length in group 4: expected 12, found %zu",
	    inlen - starts[4]));
}

const char *
la_uuid_why(const char *in, size_t inlen, struct la_arena *a)
{
	const char *s = in;
	size_t len = inlen, off = 0, i, hy = 0, bounds[4] = {0};

	if (len >= 2 && s[0] == '{' && s[len - 1] == '}')
		off = 1;
	else if (len >= 9 && memcmp(s, "urn:uuid:", 9) == 0)
		off = 9;
	s += off;
	len -= off == 1 ? 2 : off;
	for (i = 0; i < len; i++) {
		if (s[i] == '-' && hy < 4)
			bounds[hy] = i;
		if (s[i] == '-')
			hy++;
		else if (!uuid_hex(s[i]))
			return (la_arena_printf(a,
			    "invalid character: expected an optional prefix of "
			    "`urn:uuid:` followed by [0-9a-fA-F-], found "
			    "`%.*s` "
			    "at %zu",
			    (int)uuid_char_len(s + i, len - i), s + i,
			    i + off + 1));
	}
	if (hy == 0 && off == 0)
		return (la_arena_printf(a,
		    "invalid length: expected length 32 for simple format, "
		    "found %zu",
		    inlen));
	if (hy != 4)
		return (la_arena_printf(a,
		    "invalid group count: expected 5, found %zu", hy + 1));
	return (uuid_groups(a, bounds, inlen));
}
