/*
 * Unit tests for lib/uuid.c: the four accepted forms in any case, the
 * canonical output, and the uuid crate's diagnosis of refused texts.
 */
#include <string.h>

#include "arena.h"
#include "tap.h"
#include "uuid.h"

#define CANON "6fa459ea-ee8a-3ca4-894e-db77e160355e"

static struct la_arena *arena;

/* The canonical form, or "E:" and the diagnosis. */
static const char *
uuid(const char *s)
{
	char out[LA_UUID_LEN + 1];

	if (la_uuid_parse(s, strlen(s), out) != 0)
		return (la_arena_printf(arena, "E:%s",
		    la_uuid_why(s, strlen(s), arena)));
	return (la_arena_strdup(arena, out));
}

static void
test_accepted(void)
{
	is_str(uuid(CANON), CANON, "hyphenated");
	is_str(uuid("6FA459EA-EE8A-3CA4-894E-DB77E160355E"), CANON,
	    "upper case folded");
	is_str(uuid("6fa459eaee8a3ca4894edb77e160355e"), CANON, "simple");
	is_str(uuid("{" CANON "}"), CANON, "braced");
	is_str(uuid("urn:uuid:" CANON), CANON, "URN");
	is_str(uuid("00000000-0000-0000-0000-000000000000"),
	    "00000000-0000-0000-0000-000000000000", "nil");
	is_str(uuid("ffffffff-ffff-ffff-ffff-ffffffffffff"),
	    "ffffffff-ffff-ffff-ffff-ffffffffffff", "max");
}

static void
test_refused(void)
{
	is_str(uuid(""),
	    "E:invalid length: expected length 32 for simple format, found 0",
	    "empty");
	is_str(uuid("6fa459eaee8a3ca4894edb77e160355"),
	    "E:invalid length: expected length 32 for simple format, found "
	    "31",
	    "31 digits");
	is_str(uuid("6fa459eaee8a3ca4894edb77e160355e0"),
	    "E:invalid length: expected length 32 for simple format, found "
	    "33",
	    "33 digits");
	is_str(uuid("6fa459ea-ee8a-3ca4-894e-db77e160355g"),
	    "E:invalid character: expected an optional prefix of `urn:uuid:` "
	    "followed by [0-9a-fA-F-], found `g` at 36",
	    "bad character, 1-based position");
	is_str(uuid("urn:uuid:6fa459ea-ee8a-3ca4-894e-db77e160355x"),
	    "E:invalid character: expected an optional prefix of `urn:uuid:` "
	    "followed by [0-9a-fA-F-], found `x` at 45",
	    "position counts the prefix");
	is_str(uuid("6fa459ea-ee8a-3ca4-894e-db77e160355\xc3\xa9"),
	    "E:invalid character: expected an optional prefix of `urn:uuid:` "
	    "followed by [0-9a-fA-F-], found `\xc3\xa9` at 36",
	    "a multi-byte character is named whole");
	is_str(uuid("6fa459ea-ee8a-3ca4-894edb77e160355e"),
	    "E:invalid group count: expected 5, found 4", "four groups");
	is_str(uuid("6fa459ea-ee8a-3ca4-894e-db77-e160355e"),
	    "E:invalid group count: expected 5, found 6", "six groups");
	is_str(uuid("6fa459e-aee8a-3ca4-894e-db77e160355e"),
	    "E:invalid group length in group 0: expected 8, found 7",
	    "first group short");
	is_str(uuid("6fa459ea-ee8a-3ca4-894e-db77e160355"),
	    "E:invalid group length in group 4: expected 12, found 11",
	    "last group short");
	is_str(uuid("{6fa459eaee8a3ca4894edb77e160355e}"),
	    "E:invalid group count: expected 5, found 1",
	    "braces need hyphens");
	is_str(uuid("{" CANON),
	    "E:invalid character: expected an optional prefix of `urn:uuid:` "
	    "followed by [0-9a-fA-F-], found `{` at 1",
	    "unclosed brace");
	is_str(uuid("URN:UUID:" CANON),
	    "E:invalid character: expected an optional prefix of `urn:uuid:` "
	    "followed by [0-9a-fA-F-], found `U` at 1",
	    "the URN prefix is lower case only");
	is_str(uuid(" " CANON),
	    "E:invalid character: expected an optional prefix of `urn:uuid:` "
	    "followed by [0-9a-fA-F-], found ` ` at 1",
	    "no trimming");
}

int
main(void)
{
	arena = la_arena_new(4096);
	test_accepted();
	test_refused();
	la_arena_free(arena);
	return (done_testing());
}
