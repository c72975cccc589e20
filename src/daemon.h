/*
 * daemon.h: -d (SPEC §2).  daemon_detach() forks twice: the caller's
 * process waits in it for the outcome and exits with it; the middle one
 * calls setsid() and exits; the last one, no session leader, returns and
 * becomes the supervisor (or, with -x, the command).  The supervisor tells
 * the caller once, through the link: daemon_ok(), or daemon_fail() with a
 * status and one line.  A failure to detach is returned, to be cleaned up
 * and told by run.c.  An fd map whose source is one of fds 0-2, which the
 * daemon replaces with /dev/null, gets a copy above 2 in the launch's
 * src[].  With -x, exec itself closes the link (close-on-
 * exec), which the caller takes for success.  daemon_close_except()
 * leaves the supervisor only the fds it names.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <stddef.h>

#include "spawn.h"

int	daemon_detach(struct launch *, int *, const char **);
void	daemon_ok(int *);
void	daemon_fail(int *, int, const char *);
void	daemon_close_except(int *, size_t);

#endif /* DAEMON_H */
