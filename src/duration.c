/*
 * duration.c: parse SPEC §3 durations.  A duration is one or more terms
 * NUMBER[.FRACTION]UNIT with UNIT one of ms, s, m, h, d; a lone number
 * without a unit means seconds.  Units may repeat in any order ("1m1m" is
 * two minutes), which is harmless; the total is capped at ten years.
 *
 * A fraction is rounded up to the next nanosecond, as timeout(1) rounds:
 * a duration that is not zero never becomes zero, which would mean "no
 * timeout" to -t.  The arithmetic is exact, in integers.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "duration.h"

#define NS_PER_S	1000000000ULL
#define MAX_NS		(3650ULL * 86400ULL * NS_PER_S)

static const char	*term_parse(const char *, uint64_t *, int);
static int		 unit_ns(const char **, uint64_t *);
static uint64_t		 frac_ns(uint64_t, uint64_t, bool, uint64_t);

/*
 * Parse one term at s into *ns.  alone says the term may go without a unit
 * (it is the whole string).  Returns the position after the term, or NULL.
 */
static const char *
term_parse(const char *s, uint64_t *ns, int alone)
{
	uint64_t	 whole = 0, frac = 0, scale = 1, unit;
	int		 digits = 0;
	bool		 more = false;	/* a digit past the nanoseconds */

	for (; isdigit((unsigned char)*s); s++, digits++) {
		if (whole > MAX_NS / 10)
			return NULL;
		whole = whole * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, digits++) {
			if (scale < NS_PER_S) {
				frac = frac * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			} else if (*s != '0')
				more = true;
		}
	}
	if (digits == 0)
		return NULL;
	if (*s == '\0' && alone)
		unit = NS_PER_S;
	else if (unit_ns(&s, &unit) == -1)
		return NULL;
	if (whole > MAX_NS / unit)
		return NULL;
	*ns = whole * unit + frac_ns(frac, scale, more, unit);
	return s;
}

/*
 * frac / scale of unit, in nanoseconds rounded up; more says that digits
 * beyond scale were not all zero.  Every unit is a whole number of
 * milliseconds, so frac * unit / scale is computed as frac * (unit /
 * scale) while scale divides unit, else as frac * (unit / 1e6) / (scale /
 * 1e6): frac < scale <= 1e9 and unit <= 1 day keep both below 2^64.
 */
static uint64_t
frac_ns(uint64_t frac, uint64_t scale, bool more, uint64_t unit)
{
	uint64_t	num, den;

	if (scale <= 1000000) {
		num = frac * (unit / scale);
		den = 1;
	} else {
		num = frac * (unit / 1000000);
		den = scale / 1000000;
	}
	return num / den + (num % den != 0 || more ? 1 : 0);
}

static int
unit_ns(const char **sp, uint64_t *unit)
{
	const char	*s = *sp;

	if (strncmp(s, "ms", 2) == 0) {
		*unit = NS_PER_S / 1000;
		s += 2;
	} else if (*s == 's')
		*unit = NS_PER_S, s++;
	else if (*s == 'm')
		*unit = 60 * NS_PER_S, s++;
	else if (*s == 'h')
		*unit = 3600 * NS_PER_S, s++;
	else if (*s == 'd')
		*unit = 86400 * NS_PER_S, s++;
	else
		return -1;
	*sp = s;
	return 0;
}

/*
 * Parse s into *ts.  Returns 0, or -1 if s is not a duration.
 */
int
duration_parse(const char *s, struct timespec *ts)
{
	uint64_t	 total = 0, ns;
	int		 alone = 1;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		if ((s = term_parse(s, &ns, alone)) == NULL)
			return -1;
		alone = 0;
		if (ns > MAX_NS - total)
			return -1;
		total += ns;
	}
	ts->tv_sec = (time_t)(total / NS_PER_S);
	ts->tv_nsec = (long)(total % NS_PER_S);
	return 0;
}
