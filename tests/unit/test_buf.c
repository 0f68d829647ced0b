/* Unit tests for lib/buf.c. */
#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct la_buf b;
	int i;

	la_buf_init(&b);
	la_buf_puts(&b, "abc");
	la_buf_putc(&b, 'd');
	la_buf_printf(&b, "%05d", 42);
	is_str(b.data, "abcd00042", "append, putc and printf");
	is_int(b.len, 9, "length excludes the terminator");
	la_buf_consume(&b, 4);
	is_str(b.data, "00042", "consume drops the front");
	la_buf_truncate(&b, 2);
	is_str(b.data, "00", "truncate");
	la_buf_reset(&b);
	for (i = 0; i < 10000; i++)
		la_buf_printf(&b, "%d,", i % 10);
	is_int(b.len, 20000, "printf grows the buffer");
	ok(b.data[b.len] == '\0', "always terminated");
	la_buf_consume(&b, 100000);
	is_int(b.len, 0, "consuming more than len empties it");
	la_buf_free(&b);
	ok(b.data == NULL, "free resets");
	return (done_testing());
}
