/*
 * fuzz_num.c: the strict number parser on any string, with bounds taken
 * from the input's first bytes.  Property: num_dec() and num_oct() accept
 * exactly the non-empty strings of digits of their base whose value lies
 * within the bounds, and give that value, which is computed here another
 * way, by strtoull(3).
 */
#include <limits.h>
#include <string.h>

#include "fuzz.h"
#include "num.h"

/*
 * s's value in base, by strtoull(3), or -1 if s is not all digits, -2 if
 * beyond LLONG_MAX.  Past its leading zeros, 19 decimal or 21 octal digits
 * always fit an unsigned long long, and one more never fits a long long.
 */
static long long
value(const char *s, int base)
{
	unsigned long long	v;
	size_t			len;

	if (*s == '\0')
		return -1;
	for (len = 0; s[len] != '\0'; len++)
		if (s[len] < '0' || s[len] >= '0' + base)
			return -1;
	while (*s == '0')
		s++, len--;
	if (len > (base == 10 ? 19U : 21U))
		return -2;
	v = strtoull(s, NULL, base);
	return v > (unsigned long long)LLONG_MAX ? -2 : (long long)v;
}

static void
check_base(const char *s, int base, long long lo, long long hi)
{
	long long	n = -7, v = value(s, base);
	int		r;

	r = base == 10 ? num_dec(s, lo, hi, &n) : num_oct(s, lo, hi, &n);
	if (v >= 0 && v >= lo && v <= hi)
		check(r == 0 && n == v);
	else
		check(r == -1 && n == -7);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long	 b[2];
	long long		 lo, hi;
	char			*s;

	if (size < sizeof(b))
		return 0;
	memcpy(b, data, sizeof(b));
	lo = (long long)(b[0] % ((unsigned long long)LLONG_MAX + 1));
	hi = (long long)(b[1] % ((unsigned long long)LLONG_MAX + 1));
	if (lo > hi) {
		long long t = lo;
		lo = hi;
		hi = t;
	}
	s = fuzz_str(data + sizeof(b), size - sizeof(b));
	check_base(s, 10, lo, hi);
	check_base(s, 8, lo, hi);
	check_base(s, 10, 0, LLONG_MAX);
	free(s);
	return 0;
}
