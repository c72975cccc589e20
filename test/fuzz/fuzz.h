/*
 * fuzz.h: what every libFuzzer harness in test/fuzz/ shares.  A property
 * that does not hold is a finding: check() aborts, so the fuzzer stops and
 * keeps the input that broke it.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <sys/resource.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define check(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* The input as a NUL-terminated string, cut at its first NUL; free it. */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * FUZZ_NOFILE as the soft limit of open files, so that "beyond the limit"
 * is within reach of the inputs.
 */
#define FUZZ_NOFILE	100

static inline void
fuzz_nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		abort();
	rl.rlim_cur = FUZZ_NOFILE;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		abort();
}

#endif /* FUZZ_H */
