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
static bool	sender_ok(const struct ready *, struct msghdr *);
static int	pipe_read(struct ready *);

/* An abstract socket named after usher's pid and a random tag. */
static int
notify_open(struct ready *r)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	char			name[48];
	socklen_t		len;
	int			on = 1;

	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->fd == -1 || setsockopt(r->fd, SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)) == -1)
		return -1;
	(void)snprintf(name, sizeof(name), "usher-notify-%d-%08x",
	    (int)getpid(), arc4random());
	memcpy(sun.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(name));
	if (bind(r->fd, (struct sockaddr *)&sun, len) == -1)
		return -1;
	(void)snprintf(r->env, sizeof(r->env), "NOTIFY_SOCKET=@%s", name);
	return 0;
}

/*
 * Create the channel.  Returns 0, or -1 with errno set.
 */
int
ready_open(struct ready *r, enum ready_kind kind, uid_t uid)
{
	int	p[2];

	r->kind = kind;
	r->uid = uid;
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

/*
 * The sender of a datagram, from the kernel's credentials: anyone may find
 * an abstract socket in /proc/net/unix, so only root and the command's own
 * user are heard.  (Checking the sender's pid would lose the message of a
 * notifier that exits at once, as systemd-notify does.)
 */
static bool
sender_ok(const struct ready *r, struct msghdr *mh)
{
	struct cmsghdr	*c;
	struct ucred	 uc;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET ||
		    c->cmsg_type != SCM_CREDENTIALS)
			continue;
		memcpy(&uc, CMSG_DATA(c), sizeof(uc));
		return uc.uid == 0 || uc.uid == r->uid;
	}
	return false;
}

/* READY=1 on a line of its own in a datagram from the command's tree. */
static int
notify_read(struct ready *r)
{
	char		 buf[4096], *line, *next;
	union {
		struct cmsghdr	align;
		char		buf[CMSG_SPACE(sizeof(struct ucred))];
	}		 ctl;
	struct iovec	 iov = { buf, sizeof(buf) - 1 };
	struct msghdr	 mh;
	ssize_t		 n;

	for (;;) {
		mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
		if ((n = recvmsg(r->fd, &mh, MSG_CMSG_CLOEXEC)) < 0)
			return 0;
		if (!sender_ok(r, &mh))
			continue;
		buf[n] = '\0';
		for (line = buf; line != NULL; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			if (strcmp(line, "READY=1") == 0)
				return 1;
		}
	}
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
