/*
 * ready.c: the two readiness channels.  Both ends usher keeps are
 * close-on-exec and non-blocking; the command's end of the pipe reaches it
 * only through its fd map.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ready.h"

static int	notify_open(struct ready *);
static int	notify_read(struct ready *);
static int	pipe_read(struct ready *);

/* An abstract socket named after usher's pid and a random tag. */
static int
notify_open(struct ready *r)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	char			name[48];
	socklen_t		len;

	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->fd == -1)
		return -1;
	snprintf(name, sizeof(name), "usher-notify-%d-%08x", (int)getpid(),
	    arc4random());
	memcpy(sun.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(name));
	if (bind(r->fd, (struct sockaddr *)&sun, len) == -1)
		return -1;
	snprintf(r->env, sizeof(r->env), "NOTIFY_SOCKET=@%s", name);
	return 0;
}

/*
 * Create the channel.  Returns 0, or -1 with errno set.
 */
int
ready_open(struct ready *r, enum ready_kind kind)
{
	int	p[2];

	r->kind = kind;
	r->fd = r->cmdfd = -1;
	r->env[0] = '\0';
	if (kind == READY_NOTIFY)
		return notify_open(r);
	if (kind == READY_FD) {
		if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
			return -1;
		r->fd = p[0];
		r->cmdfd = p[1];
		/* The command's end blocks, as a plain pipe would. */
		fcntl(p[1], F_SETFL, 0);
	}
	return 0;
}

/* Any line (a newline) on the pipe is readiness; EOF is not. */
static int
pipe_read(struct ready *r)
{
	char	buf[256];
	ssize_t	n;

	while ((n = read(r->fd, buf, sizeof(buf))) > 0)
		if (memchr(buf, '\n', (size_t)n) != NULL)
			return 1;
	if (n == 0)
		return -1;
	return 0;
}

/* READY=1 on a line of its own in any datagram. */
static int
notify_read(struct ready *r)
{
	char	buf[4096], *line, *next;
	ssize_t	n;

	while ((n = recv(r->fd, buf, sizeof(buf) - 1, 0)) >= 0) {
		buf[n] = '\0';
		for (line = buf; line != NULL; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			if (strcmp(line, "READY=1") == 0)
				return 1;
		}
	}
	return 0;
}

/*
 * Read what is there.  Returns 1 when the command said it is ready, 0 when
 * not yet, -1 when it can no longer say so (the pipe was closed).
 */
int
ready_read(struct ready *r)
{
	if (r->kind == READY_FD)
		return pipe_read(r);
	if (r->kind == READY_NOTIFY)
		return notify_read(r);
	return 0;
}

/* Close usher's end; the command's end is closed by the caller. */
void
ready_close(struct ready *r)
{
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
}
