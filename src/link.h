/*
 * link.h: the link, a pipe on which one process tells another how a start
 * went (SPEC §2): the forked child tells usher that its setup or exec
 * failed (spawn.c), the detached supervisor tells the caller of -d how the
 * start ended (daemon.c).  This module owns the codec, and is its only
 * one.
 *
 * A word on the link is one status byte followed by one message line (no
 * NUL), at most LINK_MSG_MAX bytes in all, sent in one write(2), which a
 * pipe keeps whole.  The message may be empty (a status alone).  End of
 * file without a word says that exec succeeded, the write end being close-
 * on-exec.  link_send() is async-signal-safe, for the forked child.
 */
#ifndef LINK_H
#define LINK_H

#include <stddef.h>

/*
 * A message and its NUL, as link_recv() gives it; a word on the pipe (the
 * status byte and the message without its NUL) is no longer.  A line that
 * errline() built in a buffer of this size is sent whole.
 */
#define LINK_MSG_MAX	512

int	link_send(int, int, const char *);
int	link_recv(int, int *, char *, size_t);

#endif /* LINK_H */
