/*
 * num.c: strict numbers.  Not libbsd's strtonum(3): like strtoll(3) it
 * skips leading blanks and takes a sign, so " +0" would pass as 0 (root,
 * for -u), and it knows only base 10.  Here every byte must be a digit of
 * the base, and the value is checked against hi digit by digit, so that
 * no length of input can overflow.
 */
#include <stddef.h>

#include "num.h"

static int	num_base(const char *, int, long long, long long, long long *);

/* A decimal number in [lo, hi]. */
int
num_dec(const char *s, long long lo, long long hi, long long *n)
{
	return num_base(s, 10, lo, hi, n);
}

/* An octal number in [lo, hi] (a umask). */
int
num_oct(const char *s, long long lo, long long hi, long long *n)
{
	return num_base(s, 8, lo, hi, n);
}

static int
num_base(const char *s, int base, long long lo, long long hi, long long *n)
{
	long long	v = 0;
	int		d;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s >= '0' + base)
			return -1;
		d = *s - '0';
		/* v * base + d > hi, asked without computing it. */
		if (hi < d || v > (hi - d) / base)
			return -1;
		v = v * base + d;
	}
	if (v < lo)
		return -1;
	*n = v;
	return 0;
}
