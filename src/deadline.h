/*
 * deadline.h: deadlines as data, for every place that waits (SPEC §7: no
 * tick).  A deadline is a point on the monotonic clock, or off.  A loop
 * sleeps in ppoll(2) until the earliest of its deadlines
 * (deadline_timeout()), then asks each whether it has passed
 * (deadline_due(), true once).  No timer is created, no fd kept, nothing
 * is done while no deadline is on.
 */
#ifndef DEADLINE_H
#define DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct deadline {
	struct timespec	at;		/* CLOCK_MONOTONIC */
	bool		on;
};

void	deadline_set(struct deadline *, const struct timespec *);
void	deadline_off(struct deadline *);
bool	deadline_due(struct deadline *, const struct timespec *);
const struct timespec	*deadline_timeout(const struct deadline *, size_t,
			    struct timespec *);
void	deadline_now(struct timespec *);

#endif /* DEADLINE_H */
