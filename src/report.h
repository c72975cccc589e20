/*
 * report.h: the --report FILE JSON object (SPEC §6a).  This module owns the
 * report's format (keys, order, number and time formats, UTF-8 repair) and
 * writing it atomically: a temporary file in the same directory, renamed
 * over FILE.
 *
 * report_format() renders the object into memory, newline included (pure;
 * the fuzzer drives it).  report_write() writes it (give it an absolute
 * path, see path.h); on failure it fills err with "--report: PATH: REASON"
 * for the caller to print as a warning.  report_check() proves, before the
 * command starts, that a report can be created where it is to go: it
 * creates a temporary file there and removes it at once; on failure err
 * holds the same message.  None is async-signal-safe (all allocate).  The
 * file gets mode 0666 & ~umask, as open(2) would create it; the umask is
 * given (usher's own, not the command's).
 */
#ifndef REPORT_H
#define REPORT_H

#include <sys/types.h>
#include <sys/resource.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct report {
	char *const	*argv;		/* the command's argv */
	pid_t		 usher_pid;
	pid_t		 pid;		/* the command's last pid, or -1 */
	struct timespec	 start;		/* CLOCK_REALTIME at start */
	struct timespec	 end;		/* CLOCK_REALTIME at end */
	double		 wall_s;	/* from CLOCK_MONOTONIC */
	struct rusage	 ru;		/* getrusage(RUSAGE_CHILDREN) at end */
	bool		 ended;		/* wstatus is valid */
	int		 wstatus;	/* the command's wait status */
	bool		 timed_out;
	unsigned	 restarts;
	int		 status;	/* usher's status as a shell sees it */
	const char	*error;		/* usher's message, or NULL */
	mode_t		 umask;		/* report_write(): for the file's mode */
};

char	*report_format(const struct report *, size_t *);
int	 report_write(const char *, const struct report *, char *, size_t);
int	 report_check(const char *, char *, size_t);

#endif /* REPORT_H */
