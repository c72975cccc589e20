/*
 * num.h: the one parser of the numbers usher is given or reads, in
 * options and in fields (-u UID[:GID], --restart-max, --exit-map, --ready
 * fd:N, -m, fd maps, signal numbers, the pids in pidfiles and those that
 * name /proc entries, pid_max).  A number is ASCII digits only: no
 * blanks, no sign, not empty, and within [lo, hi] (lo >= 0).  Pure: no
 * state, no allocation, async-signal-safe.  Each returns 0 with the value
 * in *n, or -1 and leaves *n alone.
 */
#ifndef NUM_H
#define NUM_H

int	num_dec(const char *, long long, long long, long long *);
int	num_oct(const char *, long long, long long, long long *);

#endif /* NUM_H */
