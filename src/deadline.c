/*
 * deadline.c: deadlines as data.  Times are kept as struct timespec on the
 * monotonic clock; a sum that would overflow time_t stays at the latest
 * time there is, which no run reaches.
 */
#include <stdint.h>

#include "deadline.h"

#define NSEC	1000000000L

/* time_t's largest value, without assuming its width. */
#define TIME_MAX	((time_t)(((uintmax_t)1 << (sizeof(time_t) * 8 - 1)) - 1))

static bool	before(const struct timespec *, const struct timespec *);

void
deadline_now(struct timespec *now)
{
	clock_gettime(CLOCK_MONOTONIC, now);
}

/* Turn d on, in from now. */
void
deadline_set(struct deadline *d, const struct timespec *in)
{
	deadline_now(&d->at);
	d->on = true;
	if (in->tv_sec > TIME_MAX - d->at.tv_sec - 1) {
		d->at = (struct timespec){ TIME_MAX, NSEC - 1 };
		return;
	}
	d->at.tv_sec += in->tv_sec;
	d->at.tv_nsec += in->tv_nsec;
	if (d->at.tv_nsec >= NSEC) {
		d->at.tv_sec++;
		d->at.tv_nsec -= NSEC;
	}
}

void
deadline_off(struct deadline *d)
{
	d->on = false;
}

/* True, once, when d is on and now has reached it: it is off after. */
bool
deadline_due(struct deadline *d, const struct timespec *now)
{
	if (!d->on || before(now, &d->at))
		return false;
	d->on = false;
	return true;
}

/*
 * How long until the earliest of the n deadlines of d, into *left, for
 * ppoll(2): zero when one has passed, NULL (wait for ever) when none is on.
 */
const struct timespec *
deadline_timeout(const struct deadline *d, size_t n, struct timespec *left)
{
	const struct timespec	*first = NULL;
	struct timespec		 now;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (d[i].on && (first == NULL || before(&d[i].at, first)))
			first = &d[i].at;
	if (first == NULL)
		return NULL;
	deadline_now(&now);
	if (!before(&now, first)) {
		*left = (struct timespec){ 0, 0 };
		return left;
	}
	left->tv_sec = first->tv_sec - now.tv_sec;
	left->tv_nsec = first->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += NSEC;
	}
	return left;
}

/* a < b */
static bool
before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}
