/*
 * daemon.c: detach, and let the caller know how it went.
 *
 * The caller hears it on the link (link.h): a word of status and message
 * line for a failure or the command's end, a status of 0 alone for
 * success, nothing (end of file) when -x exec'd the command.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon.h"
#include "errline.h"
#include "fdmap.h"
#include "link.h"
#include "signals.h"

static _Noreturn void	caller_wait(const struct usher_config *, int, pid_t);
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
	char		msg[LINK_MSG_MAX];
	int		status, r;

	sigfillset(&all);
	/* Hold nothing of the instance: its lock, its pipes, its files. */
	fdmap_close_others(NULL, 0, &fd, 1);
	/* What was sent before the fork is not the caller's to die of now. */
	while (sigtimedwait(&all, NULL, &zero) > 0)
		continue;
	signals_restore();
	r = link_recv(fd, &status, msg, sizeof(msg));
	waitpid(mid, NULL, 0);
	if (r == 1) {
		fputs(msg, stderr);
		exit(status);
	}
	if (cfg->exec)
		exit(0);
	errline_exit(EXIT_USHER, "-d", "the supervisor ended without a word",
	    NULL);
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

/* Tell the caller all went well: a status of 0, no message. */
void
daemon_ok(int *link)
{
	daemon_fail(link, 0, "");
}

/*
 * Tell the caller how it ended: it exits with status, after printing msg
 * (a line that ends in \n, or "").  Once: the link is closed after.
 */
void
daemon_fail(int *link, int status, const char *msg)
{
	if (*link == -1)
		return;
	if (link_send(*link, status, msg) == -1) {
		/* The caller is gone: nobody to tell. */
	}
	close(*link);
	*link = -1;
}

/*
 * In the detached supervisor: close every fd above 2 but those in keep[]
 * (usher's own, and the sources of the command's fd maps), so that no pipe
 * or file of the caller's stays open for the daemon's whole life.  -1
 * entries are ignored.  fdmap.c does the closing, for the forked child
 * too.
 */
void
daemon_close_except(int *keep, size_t n)
{
	fdmap_close_others(NULL, 0, keep, n);
}
