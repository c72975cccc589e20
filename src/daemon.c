/*
 * daemon.c: detach, and let the caller know how it went.
 *
 * The link speaks the exec-status protocol of spawn.c: one status byte and
 * one message line for a failure, a single 0 byte for success, nothing
 * (end of file) when -x exec'd the command.
 */
#include <sys/wait.h>

#include <linux/close_range.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "signals.h"
#include "spawn.h"

static _Noreturn void	caller_wait(const struct usher_config *, int, pid_t);
static int		cmp_int(const void *, const void *);
static void		park_stdio_sources(struct launch *);
static int		null_stdio(void);

/*
 * The caller's process: wait for the word from the supervisor, then exit
 * with it.  The caller's signal state is back in force while it waits: a
 * Ctrl-C ends the wait (and this process), not the daemon.
 */
static _Noreturn void
caller_wait(const struct usher_config *cfg, int fd, pid_t mid)
{
	struct timespec	zero = { 0, 0 };
	sigset_t	all;
	char		buf[SPAWN_MSG_MAX + 1];
	ssize_t		n;

	sigfillset(&all);
	/* Hold nothing of the instance: its lock, its pipes, its files. */
	if (fd > 3)
		close_range(3, (unsigned)fd - 1, 0);
	closefrom(fd + 1);
	/* What was sent before the fork is not the caller's to die of now. */
	while (sigtimedwait(&all, NULL, &zero) > 0)
		continue;
	signals_restore();
	do {
		n = read(fd, buf, sizeof(buf) - 1);
	} while (n == -1 && errno == EINTR);
	waitpid(mid, NULL, 0);
	if (n > 0) {
		buf[n] = '\0';
		fputs(buf + 1, stderr);
		exit((unsigned char)buf[0]);
	}
	if (cfg->exec)
		exit(0);
	fputs("usher: -d: the supervisor ended without a word\n", stderr);
	exit(EXIT_USHER);
}

/*
 * An -f map whose source is one of fds 0-2 names the caller's fd, which the
 * daemon is about to replace with /dev/null: keep a copy above 2 for it.
 */
static void
park_stdio_sources(struct launch *l)
{
	const struct usher_config	*cfg = l->cfg;
	size_t				 i;
	int				 fd;

	for (i = 0; i < cfg->nfdmaps; i++) {
		if (cfg->fdmaps[i].kind != FDMAP_DUP ||
		    l->src[i].fd < 0 || l->src[i].fd > 2)
			continue;
		if ((fd = fcntl(l->src[i].fd, F_DUPFD_CLOEXEC, 3)) != -1)
			l->src[i].fd = fd;
	}
}

/* The daemon keeps no terminal, nor any pipe a caller may wait on. */
static int
null_stdio(void)
{
	int	fd, i;

	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	for (i = 0; i <= 2; i++)
		if (fd != i && dup2(fd, i) == -1)
			return -1;
	if (fd > 2)
		close(fd);
	return 0;
}

/*
 * Detach.  Returns 0 in the supervisor, with the link's write end in
 * *link, or -1 with errno set and *what naming the step that failed
 * ("-d: WHAT: REASON"): in the caller's process when the first fork fails
 * (*link stays -1), else in the middle process or the supervisor, which
 * must tell the caller through *link, having removed what usher made
 * (pidfiles, -o files).  Never returns in the caller's process otherwise,
 * nor in the middle one.
 */
int
daemon_detach(struct launch *l, int *link, const char **what)
{
	int	p[2];
	pid_t	pid;

	*what = "cannot detach";
	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid > 0) {
		close(p[1]);
		caller_wait(l->cfg, p[0], pid);
	}
	close(p[0]);
	*link = p[1];
	if (setsid() == -1 || (pid = fork()) == -1)
		return -1;
	if (pid > 0)
		_exit(0);
	park_stdio_sources(l);
	*what = "/dev/null";
	if (null_stdio() == -1)
		return -1;
	*what = "/";
	if (chdir("/") == -1)
		return -1;
	return 0;
}

/* Tell the caller all went well. */
void
daemon_ok(int *link)
{
	if (*link == -1)
		return;
	if (write(*link, "", 1) == -1) {
		/* The caller is gone: nobody to tell. */
	}
	close(*link);
	*link = -1;
}

/* Tell the caller what failed; it exits with status.  msg ends in \n. */
void
daemon_fail(int *link, int status, const char *msg)
{
	char	buf[SPAWN_MSG_MAX + 1];

	if (*link == -1)
		return;
	buf[0] = (char)status;
	strlcpy(buf + 1, msg, sizeof(buf) - 1);
	if (write(*link, buf, 1 + strlen(buf + 1)) == -1) {
		/* The caller is gone: nobody to tell. */
	}
	close(*link);
	*link = -1;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * In the detached supervisor: close every fd above 2 but those in keep[]
 * (usher's own, and the sources of the command's fd maps), so that no pipe
 * or file of the caller's stays open for the daemon's whole life.  keep[]
 * is sorted in place; -1 entries are ignored.
 */
void
daemon_close_except(int *keep, size_t n)
{
	size_t	i;
	int	lo = 3;

	qsort(keep, n, sizeof(*keep), cmp_int);
	for (i = 0; i < n; i++) {
		if (keep[i] < lo)
			continue;
		if (keep[i] > lo)
			close_range((unsigned)lo, (unsigned)keep[i] - 1, 0);
		lo = keep[i] + 1;
	}
	closefrom(lo);
}
