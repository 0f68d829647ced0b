/*
 * The replay driver shared by every fuzz target: without libFuzzer, a
 * target built with LA_FUZZ_REPLAY runs each file named on its command
 * line once and prints TAP, so make check replays the seed corpora.
 * Include it at the end of a target, after LLVMFuzzerTestOneInput.
 */
#ifndef LA_FUZZ_REPLAY_MAIN_H
#define LA_FUZZ_REPLAY_MAIN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int
fuzz_read(const char *path, char **data, size_t *size)
{
	struct la_buf b;
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return (-1);
	la_buf_init(&b);
	do {
		n = fread(la_buf_reserve(&b, 4096), 1, 4096, f);
		b.len += n;
	} while (n > 0);
	fclose(f);
	/* An exact-size copy, so that reads past the end are caught. */
	*size = b.len;
	*data = malloc(b.len > 0 ? b.len : 1);
	if (b.len > 0)
		memcpy(*data, b.data, b.len);
	la_buf_free(&b);
	return (0);
}

int
main(int argc, char **argv)
{
	char *data;
	size_t size;
	int i, failed = 0;

	for (i = 1; i < argc; i++) {
		if (fuzz_read(argv[i], &data, &size) != 0) {
			printf("not ok %d - %s: cannot read\n", i, argv[i]);
			failed = 1;
			continue;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)data, size);
		free(data);
		printf("ok %d - %s\n", i, argv[i]);
		fflush(stdout);
	}
	printf("1..%d\n", argc - 1);
	return (failed);
}

#endif
