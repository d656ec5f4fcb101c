// SPDX-License-Identifier: MIT
/* Run a fuzz target over files and directories of inputs, one TAP line
 * each: the corpus as an ordinary test (after systemd's fuzz-main.c). A
 * crash, an abort or a sanitizer report fails the test. --one DIR: the
 * files of DIR as one TAP line (libFuzzer's corpus, thousands of inputs),
 * each named in a comment before it runs. */
#include "util.h"

#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned count;
static bool one; /* the directory being run is one TAP line */
static unsigned inputs;

static void run_file(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct stat st;

	if (!f || fstat(fileno(f), &st) < 0) {
		printf("not ok %u - %s: %s\n", ++count, path, strerror(errno));
		return;
	}
	size_t size = (size_t)st.st_size;
	_cleanup_free_ uint8_t *data = xmalloc(size + 1);
	if (fread(data, 1, size, f) != size) {
		printf("not ok %u - %s: short read\n", ++count, path);
		return;
	}
	if (one)
		printf("# %s\n", path);
	fflush(stdout);
	(void)LLVMFuzzerTestOneInput(data, size);
	if (one)
		inputs++;
	else
		printf("ok %u - %s (%zu bytes)\n", ++count, path, size);
	fflush(stdout);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void run_path(const char *path)
{
	struct stat st;
	struct dirent **ents;
	int n;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	n = scandir(path, &ents, NULL, by_name);
	for (int i = 0; i < n; i++) {
		/* files only: a topology's folders (its nodes' files) are not inputs */
		_cleanup_free_ char *sub = xasprintf("%s/%s", path, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(sub, &st) == 0 && S_ISREG(st.st_mode))
			run_file(sub);
		free(ents[i]);
	}
	if (n < 0)
		printf("not ok %u - %s: %s\n", ++count, path, strerror(errno));
	else
		free(ents);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		one = streq(argv[i], "--one") && i + 1 < argc;
		if (!one) {
			run_path(argv[i]);
			continue;
		}
		unsigned before = count;
		inputs = 0;
		run_path(argv[++i]);
		if (count == before) /* no input failed to read */
			printf("ok %u - %s: %u inputs\n", ++count, argv[i], inputs);
		one = false;
	}
	printf("1..%u\n", count);
	return 0;
}
