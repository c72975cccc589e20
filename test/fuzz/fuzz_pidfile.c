/*
 * fuzz_pidfile.c: pidlock_parse() on any content, against a reference
 * that shares none of its arithmetic.  Properties: it accepts exactly
 * [1-9][0-9]* with at most one newline after it, for a value from 1 to
 * max; what it accepts is that value (the digits printed again give the
 * digits read), so no content ever wraps or is cut into a pid.  Each input
 * is tried against several limits: the kernel's ceiling, the common
 * default, the smallest, and int's largest.
 */
#include <limits.h>
#include <stdbool.h>

#include "fuzz.h"
#include "pidlock.h"

static bool	shaped(const uint8_t *, size_t, size_t *);
static bool	within(const uint8_t *, size_t, long);

/* Whether data is [1-9][0-9]*\n?; *ndigits is how many digits. */
static bool
shaped(const uint8_t *data, size_t size, size_t *ndigits)
{
	size_t	i;

	if (size > 0 && data[size - 1] == '\n')
		size--;
	if (size == 0 || data[0] == '0')
		return false;
	for (i = 0; i < size; i++)
		if (data[i] < '0' || data[i] > '9')
			return false;
	*ndigits = size;
	return true;
}

/* Whether the digits are at most max, compared as strings. */
static bool
within(const uint8_t *digits, size_t n, long max)
{
	char	m[32];
	size_t	mlen;

	mlen = (size_t)snprintf(m, sizeof(m), "%ld", max);
	if (n != mlen)
		return n < mlen;
	return memcmp(digits, m, n) <= 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long	maxes[] = { 4194303, 32767, 1, INT_MAX };
	char			back[32];
	size_t			i, n = 0;
	pid_t			pid;
	bool			want;
	int			r;

	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		pid = -42;
		r = pidlock_parse((const char *)data, size, maxes[i], &pid);
		want = shaped(data, size, &n) && within(data, n, maxes[i]);
		check((r == 0) == want);
		if (r != 0) {
			check(pid == -42);
			continue;
		}
		check(pid >= 1 && pid <= maxes[i]);
		check((size_t)snprintf(back, sizeof(back), "%d", (int)pid) ==
		    n);
		check(memcmp(back, data, n) == 0);
	}
	return 0;
}
