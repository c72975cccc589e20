/*
 * spawn.c: fork, set up, exec, and tell usher how it went.
 *
 * Between fork and exec the child calls only async-signal-safe functions,
 * plus strerror() on its way out, and never exit() or err(): one line is
 * built, written once, and the child _exits.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "errline.h"
#include "fdmap.h"
#include "link.h"
#include "signals.h"
#include "spawn.h"
#include "ttyguard.h"

extern char	**environ;

struct reporter {
	int		 fd;	/* the pipe, or usher's stderr with -x */
	bool		 pipe;	/* prefix the status byte */
	const struct pidlock *unlink; /* a pidfile to remove on failure */
};

static _Noreturn void	fail(const struct reporter *, int, const char *,
			    const char *, const char *);
static _Noreturn void	setup_exec(const struct launch *, struct reporter *,
			    pid_t);
static void		watch_parent(const struct launch *, pid_t);

/*
 * Report "usher: CONTEXT: [WHAT: ]REASON" and _exit with status: on the
 * pipe as a word of the link (link.h), else as a line in one write.
 */
static _Noreturn void
fail(const struct reporter *r, int status, const char *ctx, const char *what,
    const char *reason)
{
	char	 line[LINK_MSG_MAX];
	size_t	 len;

	if (r->unlink != NULL)
		pidlock_unlink(r->unlink);
	if (what != NULL)
		len = errline(line, sizeof(line), ctx, what, reason, NULL);
	else
		len = errline(line, sizeof(line), ctx, reason, NULL);
	if (r->pipe)
		(void)link_send(r->fd, status, line);
	else if (write(r->fd, line, len) == -1)
		_exit(status);
	_exit(status);
}

/*
 * Ask for the parent-death signal, then close the race in which the parent
 * died before the request took effect: it is our parent no more.
 */
static void
watch_parent(const struct launch *l, pid_t parent)
{
	struct sigaction	dfl = { .sa_handler = SIG_DFL };
	sigset_t		set;

	if (l->pdeathsig == 0)
		return;
	prctl(PR_SET_PDEATHSIG, l->pdeathsig, 0, 0, 0);
	if (getppid() == parent)
		return;
	sigaction(l->pdeathsig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, l->pdeathsig);
	kill(getpid(), l->pdeathsig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	_exit(128 + l->pdeathsig);
}

/*
 * The setup shared by the forked child and -x, in the order that each step
 * needs: fd maps before chdir (their paths were opened already), the
 * terminal guard and the user after everything that may need privilege,
 * the parent-death signal after the user (changing credentials clears
 * it), the caller's signal state last, so nothing arrives before exec
 * that could kill a half-set-up child.
 */
static _Noreturn void
setup_exec(const struct launch *l, struct reporter *r, pid_t parent)
{
	const struct usher_config	*cfg = l->cfg;
	const char			*step = NULL;
	int				 keep[2];

	keep[0] = r->fd;
	keep[1] = l->lock != NULL ? pidlock_fd(l->lock) : -1;
	if (fdmap_apply(cfg->fdmaps, l->src, cfg->nfdmaps, cfg->close_fds,
	    keep, l->lock != NULL ? 2 : 1) == -1)
		fail(r, EXIT_USHER, "-f", NULL, strerror(errno));
	r->fd = keep[0];
	/* -x -p: the lock passes to the command, its only extra fd. */
	if (l->lock != NULL && fcntl(keep[1], F_SETFD, 0) == -1)
		fail(r, EXIT_USHER, "-p", NULL, strerror(errno));
	if (cfg->chdir != NULL && chdir(cfg->chdir) == -1)
		fail(r, EXIT_USHER, "-C", cfg->chdir, strerror(errno));
	umask(cfg->umask);
	/*
	 * -u: the terminal guard goes in while the child is still root, so
	 * the kernel takes it without no_new_privs (see ttyguard.c), and
	 * after the fd maps, so that it sees the command's own terminals.
	 */
	if (l->ident.set && (ttyguard_apply(&step) == -1 ||
	    user_apply(&l->ident, &step) == -1))
		fail(r, EXIT_USHER, "-u", step, strerror(errno));
	watch_parent(l, parent);
	environ = l->envp;
	signals_restore();
	execvp(cfg->argv[0], cfg->argv);
	if (errno == ENOENT)
		fail(r, EXIT_NOTFOUND, cfg->argv[0], NULL,
		    strchr(cfg->argv[0], '/') == NULL ? "command not found" :
		    strerror(errno));
	fail(r, EXIT_NOEXEC, cfg->argv[0], NULL, strerror(errno));
}

/*
 * Fork the command.  Returns its pid and the read end of the status pipe
 * in *fdp (non-blocking, close-on-exec), or -1 when fork fails.
 */
pid_t
spawn_start(const struct launch *l, int *fdp)
{
	struct reporter	 r = { -1, true, NULL };
	int		 p[2];
	pid_t		 pid, parent;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	parent = getpid();
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		r.fd = p[1];
		if (l->cfg->mode == MODE_SETSID) {
			if (setsid() == -1)
				fail(&r, EXIT_USHER, "-s", "setsid", strerror(errno));
		} else {
			setpgid(0, 0);
			jobctl_give(&l->jc, getpid());
		}
		setup_exec(l, &r, parent);
	}
	close(p[1]);
	/* Both sides set the group, as shells do: neither may run ahead. */
	if (l->cfg->mode != MODE_SETSID) {
		setpgid(pid, pid);
		jobctl_give(&l->jc, pid);
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*fdp = p[0];
	return pid;
}

/*
 * Read the status pipe.  Returns 0 when exec succeeded (end of file),
 * 1 with *status and msg set when the child failed, -1 when nothing is
 * there yet.
 */
int
spawn_result(int fd, int *status, char *msg, size_t len)
{
	return link_recv(fd, status, msg, len);
}

/*
 * -x: set up and exec in place.  Errors go to usher's own stderr, kept
 * aside first, so an fd map of fd 2 does not swallow them; or, with -d,
 * to the caller that waits on link (else -1).
 */
_Noreturn void
spawn_exec(const struct launch *l, int link)
{
	struct reporter	r = { link, true, l->lock };

	if (r.fd == -1) {
		r.pipe = false;
		if ((r.fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) == -1)
			r.fd = STDERR_FILENO;
	}
	if (l->cfg->mode == MODE_SETSID && setsid() == -1)
		fail(&r, EXIT_USHER, "-s", "setsid", strerror(errno));
	/* -d -x: the command leads a group of its own, as ever. */
	if (l->cfg->mode == MODE_DAEMON)
		setpgid(0, 0);
	setup_exec(l, &r, l->parent);
}
