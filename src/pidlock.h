/*
 * pidlock.h: pidfiles (SPEC §5), through libbsd's pidfile(3), which owns
 * the pidfile_ prefix.  The writing side: open and lock before anything
 * starts, write a given pid (the command's, or usher's own), remove at the
 * end.  The reading side: --status, --stop, --if-running wait, and which
 * processes hold a pidfile's lock (an flock on their open file, as
 * /proc/PID/fdinfo shows it).  None of it is async-signal-safe.
 */
#ifndef PIDLOCK_H
#define PIDLOCK_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

struct pidfh;

struct pidlock {
	struct pidfh	*pfh;		/* NULL when not held */
	const char	*path;
};

enum pidlock_state {
	PIDLOCK_RUNNING = 0,		/* locked: LSB "running" */
	PIDLOCK_STALE = 1,		/* there, not locked: "dead, pidfile" */
	PIDLOCK_NONE = 3		/* no file: "not running" */
};

int	pidlock_open(struct pidlock *, const char *, pid_t *);
int	pidlock_write(const struct pidlock *, pid_t);
int	pidlock_fd(const struct pidlock *);
void	pidlock_remove(struct pidlock *);
enum pidlock_state	pidlock_state(const char *, pid_t *);
size_t	pidlock_holders(const char *, pid_t **);
int	pidlock_wait(const char *, int, int, int *);
int	pidlock_stop(const char *, int, const struct timespec *);

#endif /* PIDLOCK_H */
