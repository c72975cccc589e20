/*
 * supervise.c: the event loop.  It dispatches as daemon(8) does: on the
 * source first (signal, exec pipe, deadline), then on the signal, one call
 * per case.
 */
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signame.h"
#include "supervise.h"
#include "vlog.h"

enum { P_SIG, P_ERR, P_TIMEOUT, P_KILL, P_N };

static void	on_signal(struct supervisor *, const struct signalfd_siginfo *);
static void	on_exec_status(struct supervisor *);
static void	on_timeout(struct supervisor *);
static void	on_kill(struct supervisor *);
static void	reap(struct supervisor *);
static void	child_stopped(struct supervisor *);
static void	deliver(struct supervisor *, int, const struct signalfd_siginfo *);
static void	queue_group(pid_t, int, int);
static int	rewrite(const struct usher_config *, int);
static bool	is_stop_signal(const struct usher_config *, int);
static void	arm(int, const struct timespec *);
static void	arm_kill(struct supervisor *);
static void	stop_self(void);

/* Create the timers and arm -t.  Returns -1 when a timerfd fails. */
int
supervise_init(struct supervisor *s)
{
	s->tfd_timeout = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC |
	    TFD_NONBLOCK);
	s->tfd_kill = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC |
	    TFD_NONBLOCK);
	if (s->tfd_timeout == -1 || s->tfd_kill == -1)
		return -1;
	if (s->cfg->timeout.tv_sec != 0 || s->cfg->timeout.tv_nsec != 0)
		arm(s->tfd_timeout, &s->cfg->timeout);
	return 0;
}

/* Arm a timer to fire once, ts from now on the monotonic clock. */
static void
arm(int fd, const struct timespec *ts)
{
	struct itimerspec	its = { { 0, 0 }, *ts };

	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;	/* zero would disarm */
	timerfd_settime(fd, 0, &its, NULL);
}

/*
 * Run until the command has ended.
 */
void
supervise_run(struct supervisor *s)
{
	struct signalfd_siginfo	si;
	struct pollfd		pfd[P_N];
	uint64_t		ticks;

	while (s->state != SUP_ENDED) {
		pfd[P_SIG] = (struct pollfd){ s->sigfd, POLLIN, 0 };
		pfd[P_ERR] = (struct pollfd){ s->errfd, POLLIN, 0 };
		pfd[P_TIMEOUT] = (struct pollfd){ s->tfd_timeout, POLLIN, 0 };
		pfd[P_KILL] = (struct pollfd){ s->tfd_kill, POLLIN, 0 };
		if (poll(pfd, P_N, -1) == -1) {
			if (errno == EINTR)
				continue;
			vlog(s->cfg, "poll: %s", strerror(errno));
			abort();
		}
		if (pfd[P_ERR].revents != 0)
			on_exec_status(s);
		if (pfd[P_TIMEOUT].revents != 0 &&
		    read(s->tfd_timeout, &ticks, sizeof(ticks)) > 0)
			on_timeout(s);
		if (pfd[P_KILL].revents != 0 &&
		    read(s->tfd_kill, &ticks, sizeof(ticks)) > 0)
			on_kill(s);
		while (s->state != SUP_ENDED &&
		    read(s->sigfd, &si, sizeof(si)) == sizeof(si))
			on_signal(s, &si);
	}
}

/* The exec-status pipe spoke: exec succeeded, or setup failed. */
static void
on_exec_status(struct supervisor *s)
{
	int	r;

	r = spawn_result(s->errfd, &s->fail_status, s->fail_msg,
	    sizeof(s->fail_msg));
	if (r == -1)
		return;
	close(s->errfd);
	s->errfd = -1;
	if (r == 0 && s->state == SUP_STARTING) {
		s->state = SUP_RUNNING;
		vlog(s->cfg, "started %s as pid %d", s->cfg->argv[0],
		    (int)s->pid);
	}
}

static void
on_timeout(struct supervisor *s)
{
	char	name[SIGNAME_MAX];

	s->timed_out = true;
	vlog(s->cfg, "timed out: sending %s",
	    signame_str(s->cfg->stop_signal, name, sizeof(name)));
	deliver(s, s->cfg->stop_signal, NULL);
	if (s->cfg->stop_signal != SIGKILL && s->cfg->stop_signal != SIGCONT)
		deliver(s, SIGCONT, NULL);
	arm_kill(s);
}

/* Start -k's clock at the first stop signal; later ones do not move it. */
static void
arm_kill(struct supervisor *s)
{
	if (s->cfg->kill_after_set && !s->kill_armed) {
		s->kill_armed = true;
		arm(s->tfd_kill, &s->cfg->kill_after);
	}
}

static void
on_kill(struct supervisor *s)
{
	vlog(s->cfg, "still running after -k: sending KILL");
	deliver(s, SIGKILL, NULL);
}

/* TERM, INT, HUP, QUIT and -S are stop signals: they start -k's clock. */
static bool
is_stop_signal(const struct usher_config *cfg, int sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGHUP ||
	    sig == SIGQUIT || sig == cfg->stop_signal;
}

/* The signal that -R delivers for sig; 0 drops it. */
static int
rewrite(const struct usher_config *cfg, int sig)
{
	size_t	i;

	for (i = 0; i < cfg->nrewrite; i++)
		if (cfg->rewrite[i].from == sig)
			return cfg->rewrite[i].to;
	return sig;
}

/*
 * One signal read from the signalfd.
 */
static void
on_signal(struct supervisor *s, const struct signalfd_siginfo *si)
{
	int	sig = (int)si->ssi_signo;

	if (sig == SIGCHLD) {
		reap(s);
		return;
	}
	if ((sig = rewrite(s->cfg, sig)) == 0)
		return;
	if (sig == SIGCONT) {
		/* Back from a stop: the shell may have made us foreground. */
		if (s->cfg->mode == MODE_FOREGROUND && jobctl_is_fg(s->jc)) {
			s->jc->fg = true;
			jobctl_give(s->jc, s->pid);
		}
		deliver(s, SIGCONT, si);
		return;
	}
	if (s->cfg->mode == MODE_SETSID && (sig == SIGTSTP ||
	    sig == SIGTTIN || sig == SIGTTOU)) {
		/* The command has no terminal to stop it: STOP does. */
		deliver(s, SIGSTOP, NULL);
		s->expect_stop = true;
		stop_self();
		return;
	}
	deliver(s, sig, si);
	if (is_stop_signal(s->cfg, sig))
		arm_kill(s);
}

/*
 * Send sig where SPEC §7 routes it.  A signal that carries a value
 * (sigqueue) keeps it.  Until the child has made its group (or session),
 * the group does not exist yet: the child alone is the group then, and it
 * holds the signal blocked until exec.
 */
static void
deliver(struct supervisor *s, int sig, const struct signalfd_siginfo *si)
{
	char	name[SIGNAME_MAX];
	bool	group = s->route == ROUTE_GROUP;
	union sigval v;

	vlog(s->cfg, "sending %s to %s %d", signame_str(sig, name,
	    sizeof(name)), group ? "group" : "pid", (int)s->pid);
	if (si != NULL && si->ssi_code == SI_QUEUE) {
		v.sival_int = si->ssi_int;
		if (group)
			queue_group(s->pid, sig, si->ssi_int);
		else
			sigqueue(s->pid, sig, v);
		return;
	}
	if (!group || kill(-s->pid, sig) == -1)
		kill(s->pid, sig);
}

/*
 * sigqueue() to every member of process group pgid; there is no call that
 * queues a value to a whole group.  Falls back to the leader.
 */
static void
queue_group(pid_t pgid, int sig, int value)
{
	union sigval	 v = { .sival_int = value };
	struct dirent	*de;
	DIR		*d;
	FILE		*f;
	char		 path[64], *p, buf[512];
	long		 pid, pgrp;
	bool		 any = false;

	if ((d = opendir("/proc")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (!isdigit((unsigned char)de->d_name[0]))
				continue;
			pid = strtol(de->d_name, NULL, 10);
			snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
			if ((f = fopen(path, "re")) == NULL)
				continue;
			p = fgets(buf, sizeof(buf), f);
			fclose(f);
			if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
			    sscanf(p + 1, " %*c %*d %ld", &pgrp) != 1 ||
			    pgrp != pgid)
				continue;
			if (sigqueue((pid_t)pid, sig, v) == 0)
				any = true;
		}
		closedir(d);
	}
	if (!any)
		sigqueue(pgid, sig, v);
}

/*
 * Reap every child that has changed state; only the command's own pid
 * counts as the command.  Children usher inherited are reaped and ignored.
 */
static void
reap(struct supervisor *s)
{
	int	st;
	pid_t	pid;

	while ((pid = waitpid(-1, &st, WNOHANG | WUNTRACED | WCONTINUED)) > 0) {
		if (pid != s->pid)
			continue;
		if (WIFSTOPPED(st))
			child_stopped(s);
		else if (WIFEXITED(st) || WIFSIGNALED(st)) {
			s->wstatus = st;
			s->state = SUP_ENDED;
			if (s->errfd != -1)
				on_exec_status(s);
			jobctl_take(s->jc, s->pid);
			return;
		}
	}
}

/*
 * The command stopped: take the terminal back and stop ourselves, so the
 * shell sees its job stopped.  Unless we stopped it ourselves (-s), and
 * are stopped already.
 */
static void
child_stopped(struct supervisor *s)
{
	if (s->expect_stop) {
		s->expect_stop = false;
		return;
	}
	vlog(s->cfg, "pid %d stopped; stopping too", (int)s->pid);
	jobctl_take(s->jc, s->pid);
	stop_self();
}

/* SIGSTOP cannot be blocked; CONT, when it comes, is read as a signal. */
static void
stop_self(void)
{
	kill(getpid(), SIGSTOP);
}
