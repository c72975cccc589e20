/*
 * duration.h: "1.5", "500ms", "30s", "2m", "1h", "1d" and compounds such as
 * "1h30m" into a struct timespec (SPEC §3).  Pure: no state, no I/O.
 */
#ifndef DURATION_H
#define DURATION_H

#include <time.h>

int	duration_parse(const char *, struct timespec *);

#endif /* DURATION_H */
