/*
 * pidlock.h: pidfiles (SPEC §5).  The writing side: open and lock before
 * anything starts, write a given pid (the command's, or usher's own),
 * empty it while no command runs, remove it at the end.  The reading side:
 * --status, --stop (which signals the processes that hold a pidfile's lock,
 * an flock on their open file as /proc/PID/fdinfo shows it), and
 * --if-running wait, pidlock_wait(), which returns when the lock is free
 * or a signal is there to read, and leaves what a signal means to its
 * caller.  pidlock_parse() is the one reader of a pid in a file.  Only
 * pidlock_fd() and pidlock_unlink() are async-signal-safe (for -x, whose
 * exec may fail).
 */
#ifndef PIDLOCK_H
#define PIDLOCK_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * A pidfile held: the lock is on a read-only fd (what -x hands to the
 * command), the writing is done through another, usher's alone.  dev and
 * ino name the file usher locked: only that one is ever removed.
 */
struct pidlock {
	int		 fd;		/* read-only, holds the flock; -1 */
	int		 wfd;		/* the same file, for writing */
	dev_t		 dev;
	ino_t		 ino;
	const char	*path;
	const char	*why;		/* why it was refused, or NULL */
};

#define PIDLOCK_INIT	{ .fd = -1, .wfd = -1 }

/* What a pidfile says, besides a pid (> 0). */
#define PIDLOCK_NOPID	0		/* empty: no command runs */
#define PIDLOCK_BADPID	(-1)		/* not a pid: written by another */

enum pidlock_state {
	PIDLOCK_RUNNING = 0,		/* locked: LSB "running" */
	PIDLOCK_STALE = 1,		/* there, not locked: "dead, pidfile" */
	PIDLOCK_NONE = 3		/* no file: "not running" */
};

int	pidlock_open(struct pidlock *, const char *, pid_t *);
int	pidlock_write(const struct pidlock *, pid_t);
int	pidlock_clear(const struct pidlock *);
int	pidlock_fd(const struct pidlock *);
bool	pidlock_held(const struct pidlock *);
void	pidlock_unlink(const struct pidlock *);
void	pidlock_remove(struct pidlock *);
int	pidlock_parse(const char *, size_t, long, pid_t *);
enum pidlock_state	pidlock_state(const char *, pid_t *);
int	pidlock_wait(const char *, int);
int	pidlock_stop(const char *, int, const struct timespec *);

#endif /* PIDLOCK_H */
