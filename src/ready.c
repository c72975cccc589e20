/*
 * ready.c: the two readiness channels.  Both ends usher keeps are
 * close-on-exec and non-blocking; the command's end of the pipe reaches it
 * only through its fd map.
 */
#include <sys/socket.h>
#include <sys/stat.h>
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
static bool	says_ready(const char *, size_t);
static int	pipe_read(struct ready *);

#define NOTIFY_VAR	"NOTIFY_SOCKET="
#define NOTIFY_NAME	"notify"

/*
 * A fresh directory for the socket, made by mkdtemp(3): in /run for root,
 * else in $XDG_RUNTIME_DIR; or else in /tmp, whose sticky bit keeps other
 * users from renaming it.  Root does not use $XDG_RUNTIME_DIR: a sudo
 * caller's own directory would let that user swap ours for one of theirs.
 * dir has room for the socket's name after it.
 */
static int
notify_dir(char *dir, size_t size)
{
	const char	*base[2] = { "/run", "/tmp" }, *xdg;
	size_t		 i;

	if (geteuid() != 0) {
		xdg = getenv("XDG_RUNTIME_DIR");
		base[0] = xdg != NULL && xdg[0] == '/' ? xdg : "/tmp";
	}
	for (i = 0; i < 2; i++) {
		if ((size_t)snprintf(dir, size, "%s/usher-notify.XXXXXX",
		    base[i]) >= size - sizeof("/" NOTIFY_NAME)) {
			errno = ENAMETOOLONG;
			continue;
		}
		if (mkdtemp(dir) != NULL)
			return 0;
	}
	return -1;
}

/*
 * The socket: mode 0600 in a directory of mode 0711, and owned by the user
 * whose word counts.  Connecting to it needs write permission, so no other
 * user can reach it, let alone fill its queue (as anyone could with a
 * socket in the abstract namespace, making a non-blocking notifier fail).
 * r->env names the directory as soon as it exists, for ready_remove().
 */
static int
notify_open(struct ready *r)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	mode_t			mask;
	int			on = 1, rc;

	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->fd == -1 || setsockopt(r->fd, SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)) == -1 ||
	    notify_dir(sun.sun_path, sizeof(sun.sun_path)) == -1)
		return -1;
	(void)snprintf(r->env, sizeof(r->env), NOTIFY_VAR "%s",
	    sun.sun_path);
	if (chmod(sun.sun_path, 0711) == -1)
		return -1;
	strlcat(sun.sun_path, "/" NOTIFY_NAME, sizeof(sun.sun_path));
	mask = umask(0177);
	rc = bind(r->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (rc == -1)
		return -1;
	(void)snprintf(r->env, sizeof(r->env), NOTIFY_VAR "%s",
	    sun.sun_path);
	if (r->uid != geteuid() && chown(sun.sun_path, r->uid, (gid_t)-1) ==
	    -1)
		return -1;
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
 * The sender of a datagram, from the kernel's credentials: only root and
 * the command's own user are heard, should anyone else reach the socket.
 * (Checking the sender's pid would lose the message of a notifier that
 * exits at once, as systemd-notify does.)
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

/* Whether the n bytes at buf hold the line READY=1, bytes of any value. */
static bool
says_ready(const char *buf, size_t n)
{
	const char	*end = buf + n, *nl;
	size_t		 len;

	for (;;) {
		if ((nl = memchr(buf, '\n', (size_t)(end - buf))) == NULL)
			nl = end;
		len = (size_t)(nl - buf);
		if (len == 7 && memcmp(buf, "READY=1", 7) == 0)
			return true;
		if (nl == end)
			return false;
		buf = nl + 1;
	}
}

/* READY=1 on a line of its own in a datagram from the command's tree. */
static int
notify_read(struct ready *r)
{
	char		 buf[4096];
	union {
		struct cmsghdr	align;
		char		buf[CMSG_SPACE(sizeof(struct ucred))];
	}		 ctl;
	struct iovec	 iov = { buf, sizeof(buf) };
	struct msghdr	 mh;
	ssize_t		 n;

	for (;;) {
		mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
		if ((n = recvmsg(r->fd, &mh, MSG_CMSG_CLOEXEC)) < 0)
			return 0;
		if (sender_ok(r, &mh) && says_ready(buf, (size_t)n))
			return 1;
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

/*
 * Take the notify socket and its directory away, as far as they were made;
 * what is there after the directory's name says which.
 */
void
ready_remove(struct ready *r)
{
	char	*path, *slash;

	if (r->kind != READY_NOTIFY || r->env[0] == '\0')
		return;
	path = r->env + strlen(NOTIFY_VAR);
	if ((slash = strrchr(path, '/')) != NULL &&
	    strcmp(slash + 1, NOTIFY_NAME) == 0) {
		unlink(path);
		*slash = '\0';
	}
	rmdir(path);
	r->env[0] = '\0';
}
