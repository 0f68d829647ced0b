/*
 * Unit tests for lib/users.c: the users file format (name:hash:{claims}),
 * comments, blank lines and CRLF, claims that default to {}, and every
 * malformed line reported as "NAME:LINE: message" while the good lines
 * around it are still kept.
 */
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "tap.h"
#include "users.h"

static struct la_arena *arena;
static struct la_users users;
static struct la_buf errs;

static int
parse(const char *text)
{
	la_buf_reset(&errs);
	return (la_users_parse("users.txt", text, strlen(text), arena, &users,
	    &errs));
}

static const char *
errtext(void)
{
	return (errs.data != NULL ? errs.data : "");
}

static void
test_good(void)
{
	const struct la_user *u;

	ok(parse("# the admins\n"
	         "\n"
	         "alice:$2b$10$abc:{\"role\":\"admin\",\"n\":[1,2]}\n"
	         "   \n"
	         "bob:$6$salt$hash\r\n"
	         "carol:x:{}") == -1,
	    "a line of spaces is not blank: it is malformed");
	ok(parse("# the admins\n"
	         "\n"
	         "alice:$2b$10$abc:{\"role\":\"admin\",\"n\":[1,2]}\n"
	         "\r\n"
	         "bob:$6$salt$hash\r\n"
	         "carol:x:{}") == 0,
	    "comments, blank and CRLF lines, no final newline");
	is_str(errtext(), "", "no errors");
	is_int(users.n, 3, "three users");
	is_str(users.v[0].name, "alice", "first name");
	is_str(users.v[0].hash, "$2b$10$abc", "hash with dollars kept whole");
	is_str(users.v[0].claims, "{\"role\":\"admin\",\"n\":[1,2]}",
	    "claims as written");
	is_str(users.v[1].name, "bob", "CRLF line");
	is_str(users.v[1].hash, "$6$salt$hash", "no CR in the hash");
	is_str(users.v[1].claims, "{}", "no claims: {}");
	is_str(users.v[2].claims, "{}", "empty object");

	u = la_users_find(&users, "bob", 3);
	ok(u == &users.v[1], "find bob");
	ok(la_users_find(&users, "bo", 2) == NULL, "no prefix match");
	ok(la_users_find(&users, "bobby", 3) == &users.v[1],
	    "the length bounds the name");
	ok(la_users_find(&users, "Bob", 3) == NULL, "case-sensitive");
	ok(la_users_find(&users, "", 0) == NULL, "empty name");

	ok(parse("") == 0 && users.n == 0, "empty file: no users");
	ok(parse("#only:a:comment\n\n") == 0 && users.n == 0, "comments only");
	ok(parse("dave:h:") == -1, "empty claims are not an object");
	ok(parse("erin:h:{\"a\":\"b:c\"}") == 0 &&
	        strcmp(users.v[0].claims, "{\"a\":\"b:c\"}") == 0,
	    "colons inside the claims belong to them");
}

static void
test_bad(void)
{
	static const char nul[] = "ok:$6$s$h\n\0alice:$6$s$h\n";

	la_buf_reset(&errs);
	ok(la_users_parse("users.txt", nul, sizeof(nul) - 1, arena, &users,
	       &errs) == -1,
	    "a NUL byte is refused");
	is_str(errtext(), "users.txt:2: NUL byte in the line\n",
	    "NUL: message and line");
	ok(parse("alice\n") == -1, "no colon");
	is_str(errtext(), "users.txt:1: expected username:hash:{claims}\n",
	    "no colon: message and line");
	ok(parse("\n\n:hash\n") == -1, "empty name");
	is_str(errtext(), "users.txt:3: expected username:hash:{claims}\n",
	    "empty name on line 3");
	ok(parse("alice:\n") == -1, "empty hash");
	is_str(errtext(), "users.txt:1: expected username:hash:{claims}\n",
	    "empty hash");
	ok(parse("alice::{}\n") == -1, "empty hash before claims");
	ok(parse("alice:h:[1]\n") == -1, "claims an array");
	is_str(errtext(),
	    "users.txt:1: the claims of 'alice' are not a JSON object\n",
	    "array claims: message names the user");
	ok(parse("# c\nalice:h:{\n") == -1, "claims not JSON");
	is_str(errtext(),
	    "users.txt:2: the claims of 'alice' are not a JSON object\n",
	    "bad JSON on line 2");
	ok(parse("alice:h:{\"a\":1} trailing\n") == -1, "junk after claims");

	ok(parse("ok1:h\nbad\nok2:h:{}\nalso:h:nope\n") == -1,
	    "mixed file fails");
	is_str(errtext(),
	    "users.txt:2: expected username:hash:{claims}\n"
	    "users.txt:4: the claims of 'also' are not a JSON object\n",
	    "every bad line reported, in order");
	is_int(users.n, 2, "the good lines are kept");
	is_str(users.v[1].name, "ok2", "after the bad line");
}

int
main(void)
{
	arena = la_arena_new(4096);
	la_buf_init(&errs);
	test_good();
	test_bad();
	la_buf_free(&errs);
	la_arena_free(arena);
	return (done_testing());
}
