/*
 * ready.h: readiness (SPEC §3 --ready).  fd:N: a pipe whose write end the
 * command gets as fd N, and a line on it means ready.  notify: a datagram
 * socket of usher's own, named in NOTIFY_SOCKET, in a fresh directory that
 * only root and the command's user can reach (ready_remove() takes both
 * away), and READY=1 in a datagram from root or the command's user means
 * ready, as in systemd's sd_notify protocol.  usher polls ready.fd;
 * ready_read() says what came.
 */
#ifndef READY_H
#define READY_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

enum ready_kind {
	READY_NONE,
	READY_FD,		/* --ready fd:N */
	READY_NOTIFY		/* --ready notify */
};

struct ready {
	enum ready_kind	kind;
	int		fd;		/* usher's end, or -1 */
	int		cmdfd;		/* READY_FD: the command's end */
	char		env[128];	/* READY_NOTIFY: NOTIFY_SOCKET=PATH */
	uid_t		uid;		/* READY_NOTIFY: whose word counts */
};

int	ready_open(struct ready *, enum ready_kind, uid_t);
int	ready_read(struct ready *);
void	ready_remove(struct ready *);

#endif /* READY_H */
