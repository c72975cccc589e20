/*
 * supervise.c: the event loop.  It dispatches as daemon(8) does: on the
 * source first (signal, exec pipe, deadline), then on the signal, one call
 * per case.
 */
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "errline.h"
#include "proctree.h"
#include "signals.h"
#include "signame.h"
#include "status.h"
#include "supervise.h"
#include "vlog.h"

/* The most of a long command name that a message shows (errline.h). */
#define CMD_SHOWN	300

/*
 * How long leftover descendants, or a command that was not ready in time,
 * get after the stop signal when -k does not say.
 */
static const struct timespec	default_grace = { 10, 0 };

enum { P_SIG, P_ERR, P_TIMEOUT, P_KILL, P_READYTO, P_READY, P_RETRY,
    P_HELD };

/* The first and the longest wait before queued signals are tried again. */
#define RETRY_MIN_MS	1
#define RETRY_MAX_MS	64

static void	read_batch(struct supervisor *, int);
static void	on_signal(struct supervisor *, const struct signalfd_siginfo *);
static void	on_retry(struct supervisor *);
static void	retry_later(struct supervisor *);
static void	report_lost(struct supervisor *);
static bool	own_sigpipe(const struct signalfd_siginfo *);
static void	on_exec_status(struct supervisor *);
static void	on_timeout(struct supervisor *);
static void	stop_command(struct supervisor *, const char *, bool);
static void	on_kill(struct supervisor *);
static void	on_held(struct supervisor *, struct held *);
static void	on_ready(struct supervisor *);
static void	on_ready_timeout(struct supervisor *);
static void	started(struct supervisor *);
static int	write_pidfiles(struct supervisor *);
static void	disarm(int);
static int	new_timer(void);
static bool	hold(struct supervisor *, const struct signalfd_siginfo *);
static void	forward(struct supervisor *, int,
		    const struct signalfd_siginfo *);
static void	reap(struct supervisor *);
static void	ended(struct supervisor *, int);
static void	tell_caller(struct supervisor *);
static void	tell(struct supervisor *, int, const char *);
static void	child_stopped(struct supervisor *);
static void	deliver(struct supervisor *, int,
		    const struct signalfd_siginfo *);
static void	queue_signal(struct supervisor *, int, int);
static void	group_members(struct supervisor *);
static void	signal_orphans(struct supervisor *, int);
static int	rewrite(const struct usher_config *, int);
static bool	is_stop_signal(const struct usher_config *, int);
static void	arm(int, const struct timespec *);
static void	arm_kill(struct supervisor *);
static bool	fired(const struct pollfd *);
static void	stop_self(void);

/*
 * Create the timers, arm -t, and become a subreaper for --orphans wait and
 * kill.  Returns -1 when a timerfd or prctl fails.
 */
int
supervise_init(struct supervisor *s)
{
	const struct usher_config	*cfg = s->cfg;
	size_t				 i;

	s->tfd_timeout = new_timer();
	s->tfd_kill = new_timer();
	s->tfd_ready = new_timer();
	s->tfd_pause = new_timer();
	s->tfd_retry = new_timer();
	s->sigfd_std = signals_fd_std();
	if (s->tfd_timeout == -1 || s->tfd_kill == -1 || s->tfd_ready == -1 ||
	    s->tfd_pause == -1 || s->tfd_retry == -1 || s->sigfd_std == -1)
		return -1;
	s->retry_ms = RETRY_MIN_MS;
	for (i = 0; i < cfg->ndelays; i++)
		if ((s->held[i].tfd = new_timer()) == -1)
			return -1;
	s->ready_done = s->ready == NULL || s->ready->kind == READY_NONE;
	if (cfg->orphans != ORPHANS_LEAVE &&
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		return -1;
	return 0;
}

static int
new_timer(void)
{
	return timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
}

static void
disarm(int fd)
{
	struct itimerspec	its = { { 0, 0 }, { 0, 0 } };

	timerfd_settime(fd, 0, &its, NULL);
}

/*
 * Start (or restart) the command: fresh per-run state, the -t deadline
 * armed anew.  Returns -1 when fork fails.
 */
int
supervise_start(struct supervisor *s)
{
	size_t	i;

	s->state = SUP_STARTING;
	s->execd = false;
	s->ended = false;
	s->wstatus = 0;
	s->fail_status = 0;
	s->kill_armed = false;
	s->expect_stop = false;
	disarm(s->tfd_kill);
	for (i = 0; i < s->cfg->ndelays; i++) {
		s->held[i].on = false;
		disarm(s->held[i].tfd);
	}
	/* A restart may find usher put in the background meanwhile. */
	if (s->cfg->mode == MODE_FOREGROUND && s->jc->tty != -1)
		s->jc->fg = jobctl_is_fg(s->jc);
	if ((s->pid = spawn_start(s->launch, &s->errfd)) == -1)
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

/* True once, when a timerfd has fired: reading it clears it. */
static bool
fired(const struct pollfd *p)
{
	uint64_t	ticks;

	return p->revents != 0 && read(p->fd, &ticks, sizeof(ticks)) > 0;
}

/*
 * Run until the command has ended, and its descendants with --orphans.
 */
void
supervise_run(struct supervisor *s)
{
	struct pollfd		pfd[P_HELD + DELAY_MAX];
	size_t			i, nd = s->cfg->ndelays;

	while (s->state != SUP_DONE) {
		pfd[P_SIG] = (struct pollfd){ sendq_full(&s->sendq) ?
		    s->sigfd_std : s->sigfd, POLLIN, 0 };
		pfd[P_ERR] = (struct pollfd){ s->errfd, POLLIN, 0 };
		pfd[P_TIMEOUT] = (struct pollfd){ s->tfd_timeout, POLLIN, 0 };
		pfd[P_KILL] = (struct pollfd){ s->tfd_kill, POLLIN, 0 };
		pfd[P_READYTO] = (struct pollfd){ s->tfd_ready, POLLIN, 0 };
		pfd[P_READY] = (struct pollfd){ s->ready != NULL ?
		    s->ready->fd : -1, POLLIN, 0 };
		pfd[P_RETRY] = (struct pollfd){ s->tfd_retry, POLLIN, 0 };
		for (i = 0; i < nd; i++)
			pfd[P_HELD + i] = (struct pollfd){ s->held[i].tfd,
			    POLLIN, 0 };
		if (poll(pfd, P_HELD + nd, -1) == -1) {
			if (errno == EINTR)
				continue;
			vlog(s->cfg, "poll: %s", strerror(errno));
			abort();
		}
		if (pfd[P_ERR].revents != 0)
			on_exec_status(s);
		if (pfd[P_READY].revents != 0)
			on_ready(s);
		if (fired(&pfd[P_TIMEOUT]))
			on_timeout(s);
		if (fired(&pfd[P_KILL]))
			on_kill(s);
		if (fired(&pfd[P_READYTO]))
			on_ready_timeout(s);
		for (i = 0; i < nd; i++)
			if (fired(&pfd[P_HELD + i]))
				on_held(s, &s->held[i]);
		if (fired(&pfd[P_RETRY]))
			on_retry(s);
		if (pfd[P_SIG].revents != 0)
			read_batch(s, pfd[P_SIG].fd);
	}
	disarm(s->tfd_timeout);
	disarm(s->tfd_retry);
	s->retry_armed = false;
	sendq_drop(&s->sendq);
	report_lost(s);
	sendq_free(&s->sendq);
	free(s->members);
	s->members = NULL;
}

/*
 * Read and handle at most SIGNALS_BATCH signals, so that the loop gets back
 * to its deadlines however fast signals come.  The group's members are
 * looked up at most once per batch, when a queued signal is for them.
 * Once the sendq is full, only standard signals are read.
 */
static void
read_batch(struct supervisor *s, int fd)
{
	struct signalfd_siginfo	si;
	int			i;

	for (i = 0; i < SIGNALS_BATCH && s->state != SUP_DONE; i++) {
		if (sendq_full(&s->sendq))
			fd = s->sigfd_std;
		if (read(fd, &si, sizeof(si)) != sizeof(si))
			break;
		on_signal(s, &si);
	}
	s->members_known = false;
	retry_later(s);
}

/*
 * Try the held queued signals again; back off while none goes.  Reap
 * first: the kernel takes, and discards, a signal for a command that has
 * ended but is not reaped yet, and those must count as not delivered.
 */
static void
on_retry(struct supervisor *s)
{
	size_t	n;

	s->retry_armed = false;
	reap(s);
	if ((n = sendq_flush(&s->sendq)) > 0)
		s->retry_ms = RETRY_MIN_MS;
	else if (s->retry_ms < RETRY_MAX_MS)
		s->retry_ms *= 2;
	if (n > 0 && sendq_len(&s->sendq) == 0)
		vlog(s->cfg, "every held signal delivered");
	retry_later(s);
}

/* Arm the retry timer while queued signals wait. */
static void
retry_later(struct supervisor *s)
{
	struct timespec	ts = { 0, s->retry_ms * 1000000L };

	if (s->retry_armed || sendq_len(&s->sendq) == 0)
		return;
	s->retry_armed = true;
	arm(s->tfd_retry, &ts);
}

/* -v: one line per reason why queued signals could not be delivered. */
static void
report_lost(struct supervisor *s)
{
	struct sendq_lost	*l = &s->sendq.lost;

	if (l->gone != 0)
		vlog(s->cfg, "%zu queued signals not delivered: the process "
		    "had ended", l->gone);
	if (l->left != 0)
		vlog(s->cfg, "%zu queued signals not delivered: the command "
		    "ended first", l->left);
	if (l->nomem != 0)
		vlog(s->cfg, "%zu queued signals not delivered: %s",
		    l->nomem, strerror(ENOMEM));
	if (l->refused != 0)
		vlog(s->cfg, "%zu queued signals not delivered: %s",
		    l->refused, strerror(l->refused_errno));
	*l = (struct sendq_lost){ 0, 0, 0, 0, 0 };
}

/*
 * The pause before a restart: returns true when it ran out, false when a
 * stop signal came first (the instance ends at once).  Other signals have
 * no command to go to; children are reaped.
 */
bool
supervise_pause(struct supervisor *s, const struct timespec *ts)
{
	struct signalfd_siginfo	si;
	struct pollfd		pfd[2];
	uint64_t		ticks;

	int			n;

	arm(s->tfd_pause, ts);
	for (;;) {
		pfd[0] = (struct pollfd){ s->sigfd, POLLIN, 0 };
		pfd[1] = (struct pollfd){ s->tfd_pause, POLLIN, 0 };
		if (poll(pfd, 2, -1) == -1 && errno != EINTR)
			return false;
		if (pfd[1].revents != 0 &&
		    read(s->tfd_pause, &ticks, sizeof(ticks)) > 0)
			return true;
		for (n = 0; n < SIGNALS_BATCH &&
		    read(s->sigfd, &si, sizeof(si)) == sizeof(si); n++) {
			if (si.ssi_signo == SIGCHLD)
				while (waitpid(-1, NULL, WNOHANG) > 0)
					continue;
			else if (!own_sigpipe(&si) &&
			    is_stop_signal(s->cfg, (int)si.ssi_signo)) {
				disarm(s->tfd_pause);
				return false;
			}
		}
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
	if (r == 0 && s->state == SUP_STARTING)
		started(s);
}

/*
 * The command was exec'd: the pidfiles get their pids now, and the caller
 * of -d hears of it, unless it is to wait for readiness.  A pidfile that
 * cannot be written fails the start (SPEC §5: it holds the pid once the
 * command runs): the command is stopped, and usher ends with 125.
 */
static void
started(struct supervisor *s)
{
	s->state = SUP_RUNNING;
	s->execd = true;
	vlog(s->cfg, "started %s as pid %d", s->cfg->argv[0], (int)s->pid);
	if (write_pidfiles(s) == -1) {
		if (s->link != NULL && *s->link != -1)
			tell(s, s->fail_status, s->fail_msg);
		if (!s->ended)
			stop_command(s, "no pidfile", true);
		return;
	}
	if (s->ready_done)
		daemon_ok(s->link);
	else if (s->cfg->ready_timeout.tv_sec != 0 ||
	    s->cfg->ready_timeout.tv_nsec != 0)
		arm(s->tfd_ready, &s->cfg->ready_timeout);
}

/*
 * -p gets the command's pid, -P usher's.  Returns -1, with fail_status
 * and fail_msg set, when one cannot be written.
 */
static int
write_pidfiles(struct supervisor *s)
{
	struct pidlock	*pl = NULL;

	if (s->pl_cmd != NULL && pidlock_held(s->pl_cmd) &&
	    pidlock_write(s->pl_cmd, s->pid) == -1)
		pl = s->pl_cmd;
	else if (s->pl_sup != NULL && pidlock_held(s->pl_sup) &&
	    pidlock_write(s->pl_sup, getpid()) == -1)
		pl = s->pl_sup;
	if (pl == NULL)
		return 0;
	s->fail_status = EXIT_USHER;
	errline(s->fail_msg, sizeof(s->fail_msg), pl->path, strerror(errno),
	    NULL);
	return -1;
}

/*
 * The readiness channel spoke.  After the first time it is only drained;
 * a start that failed already (no pidfile) stays failed.
 */
static void
on_ready(struct supervisor *s)
{
	if (ready_read(s->ready) != 1 || s->ready_done || s->ended ||
	    s->fail_status != 0)
		return;
	s->ready_done = true;
	disarm(s->tfd_ready);
	vlog(s->cfg, "pid %d is ready", (int)s->pid);
	daemon_ok(s->link);
}

/* --ready-timeout: stop the command, say so, and end with 124. */
static void
on_ready_timeout(struct supervisor *s)
{
	char	msg[SPAWN_MSG_MAX], cmd[CMD_SHOWN];

	if (s->ready_done || s->ended)
		return;
	s->ready_failed = true;
	errline_join(cmd, sizeof(cmd), s->cfg->argv[0], NULL);
	(void)snprintf(msg, sizeof(msg), "usher: --ready: %s was not ready in "
	    "time\n", cmd);
	if (s->link != NULL && *s->link != -1)
		tell(s, EXIT_TIMEOUT, msg);
	else
		fputs(msg, stderr);
	/* It must end, for the caller hears only then: KILL if need be. */
	stop_command(s, "not ready", true);
}

static void
on_timeout(struct supervisor *s)
{
	if (s->ended)
		return;
	s->timed_out = true;
	stop_command(s, "timed out", false);
}

/*
 * Send the stop signal (and CONT, so that a stopped command can act on
 * it), then KILL after -k; with must_end, after the default grace even
 * without -k.
 */
static void
stop_command(struct supervisor *s, const char *why, bool must_end)
{
	char	name[SIGNAME_MAX];

	vlog(s->cfg, "%s: sending %s", why,
	    signame_str(s->cfg->stop_signal, name, sizeof(name)));
	s->stop_sent = true;
	deliver(s, s->cfg->stop_signal, NULL);
	if (s->cfg->stop_signal != SIGKILL && s->cfg->stop_signal != SIGCONT)
		deliver(s, SIGCONT, NULL);
	if (!must_end || s->cfg->kill_after_set) {
		arm_kill(s);
	} else if (!s->kill_armed) {
		s->kill_armed = true;
		arm(s->tfd_kill, &default_grace);
	}
}

static void
on_kill(struct supervisor *s)
{
	vlog(s->cfg, "still running after the grace period: sending KILL");
	if (s->state == SUP_ORPHANS)
		signal_orphans(s, SIGKILL);
	else
		deliver(s, SIGKILL, NULL);
}

/* A -D delay ran out: the held signal goes now. */
static void
on_held(struct supervisor *s, struct held *h)
{
	if (!h->on)
		return;
	h->on = false;
	forward(s, (int)h->si.ssi_signo, &h->si);
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

/* TERM, INT, HUP, QUIT and -S are stop signals: they start -k's clock. */
static bool
is_stop_signal(const struct usher_config *cfg, int sig)
{
	return signals_is_stop(sig, cfg->stop_signal);
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
 * Hold the signal if -D names it.  A copy that comes while one is held
 * merges into it, as the kernel merges a pending signal, and does not
 * restart the delay.
 */
static bool
hold(struct supervisor *s, const struct signalfd_siginfo *si)
{
	size_t	i;

	for (i = 0; i < s->cfg->ndelays; i++) {
		if (s->cfg->delays[i].sig != (int)si->ssi_signo)
			continue;
		if (!s->held[i].on) {
			s->held[i].on = true;
			s->held[i].si = *si;
			arm(s->held[i].tfd, &s->cfg->delays[i].ts);
			vlog(s->cfg, "holding signal %d", (int)si->ssi_signo);
		}
		return true;
	}
	return false;
}

/*
 * A SIGPIPE that usher raised itself, writing to a caller that has gone
 * (-d) or a closed stderr (-v), is usher's, not the command's.
 */
static bool
own_sigpipe(const struct signalfd_siginfo *si)
{
	return si->ssi_signo == SIGPIPE && si->ssi_code == SI_USER &&
	    si->ssi_pid == (uint32_t)getpid();
}

/*
 * One signal read from the signalfd.
 */
static void
on_signal(struct supervisor *s, const struct signalfd_siginfo *si)
{
	if (si->ssi_signo == SIGCHLD) {
		reap(s);
		return;
	}
	if (own_sigpipe(si))
		return;
	if (hold(s, si))
		return;
	forward(s, (int)si->ssi_signo, si);
}

/*
 * Forward a signal usher received, after -R, where SPEC §7 routes it.
 * Job-control signals are special: CONT hands the terminal back first,
 * and with -s the stop signals become STOP for the command.
 */
static void
forward(struct supervisor *s, int sig, const struct signalfd_siginfo *si)
{
	if ((sig = rewrite(s->cfg, sig)) == 0)
		return;
	if (s->state == SUP_ORPHANS) {
		if (is_stop_signal(s->cfg, sig) && !s->kill_armed) {
			s->kill_armed = true;
			arm(s->tfd_kill, s->cfg->kill_after_set ?
			    &s->cfg->kill_after : &default_grace);
		}
		signal_orphans(s, sig);
		return;
	}
	if (sig == SIGCONT && s->cfg->mode == MODE_FOREGROUND) {
		/* Back from a stop: fg made us foreground, bg did not. */
		s->jc->fg = jobctl_is_fg(s->jc);
		jobctl_give(s->jc, s->pid);
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
	if (is_stop_signal(s->cfg, sig)) {
		s->stop_sent = true;
		arm_kill(s);
	}
}

/*
 * Send sig to the command where SPEC §7 routes it.  A forwarded real-time
 * signal, and any signal that carries a value (sigqueue), is queued with
 * its value (0 after kill(2)), so that none is lost nor merged: the kernel
 * would merge a real-time signal from kill(2) into a pending one when the
 * queue is full.  Until the child has made its group (or session), the
 * group does not exist yet: the child alone is the group then, and it
 * holds the signal blocked until exec.
 */
static void
deliver(struct supervisor *s, int sig, const struct signalfd_siginfo *si)
{
	char		name[SIGNAME_MAX];
	bool		group = s->route == ROUTE_GROUP;

	vlog(s->cfg, "sending %s to %s %d", signame_str(sig, name,
	    sizeof(name)), group ? "group" : "pid", (int)s->pid);
	if (si != NULL && (si->ssi_code == SI_QUEUE || sig >= SIGRTMIN)) {
		queue_signal(s, sig, si->ssi_int);
		return;
	}
	if (!group || kill(-s->pid, sig) == -1)
		kill(s->pid, sig);
}

/*
 * Queue sig with its value to the command, or to every member of its
 * group: there is no call that queues a value to a whole group.  Falls
 * back to the command when its group has no members yet.  What the
 * kernel refuses waits in the sendq.
 */
static void
queue_signal(struct supervisor *s, int sig, int value)
{
	struct sendq_item	it = { s->pid, 0, 0, sig, value };
	size_t			i, before = sendq_len(&s->sendq);

	if (s->route == ROUTE_GROUP)
		group_members(s);
	for (i = 0; s->route == ROUTE_GROUP && i < s->nmembers; i++) {
		it.pid = s->members[i].pid;
		/* The command is usher's child: its pid stays its own. */
		it.pgid = it.pid == s->pid ? 0 : s->members[i].pgid;
		it.start = s->members[i].start;
		sendq_send(&s->sendq, &it);
	}
	if (s->route != ROUTE_GROUP || s->nmembers == 0)
		sendq_send(&s->sendq, &it);
	if (before == 0 && sendq_len(&s->sendq) != 0)
		vlog(s->cfg, "signal queue full (RLIMIT_SIGPENDING): "
		    "holding queued signals");
}

/* The members of the command's group, looked up once per batch. */
static void
group_members(struct supervisor *s)
{
	if (s->members_known)
		return;
	free(s->members);
	s->nmembers = proctree_group(s->pid, &s->members);
	s->members_known = true;
}

/* Send sig to every descendant that is left (--orphans). */
static void
signal_orphans(struct supervisor *s, int sig)
{
	pid_t	*pids;
	size_t	 i, n;

	n = proctree_descendants(getpid(), &pids);
	vlog(s->cfg, "sending signal %d to %zu leftover processes", sig, n);
	for (i = 0; i < n; i++) {
		kill(pids[i], sig);
		if (sig != SIGKILL && sig != SIGCONT)
			kill(pids[i], SIGCONT);
	}
	free(pids);
}

/*
 * Reap every child that has changed state; only the command's own pid
 * counts as the command.  Children usher inherited, or adopted as a
 * subreaper, are reaped and otherwise ignored, until the orphans phase,
 * which ends when there are no children left at all.
 */
static void
reap(struct supervisor *s)
{
	int	st;
	pid_t	pid;

	while ((pid = waitpid(-1, &st, WNOHANG | WUNTRACED | WCONTINUED)) > 0) {
		if (pid != s->pid || s->ended)
			continue;
		if (WIFSTOPPED(st))
			child_stopped(s);
		else if (WIFEXITED(st) || WIFSIGNALED(st))
			ended(s, st);
	}
	if (s->state == SUP_ORPHANS && pid == -1 && errno == ECHILD)
		s->state = SUP_DONE;
}

/*
 * What the caller of -d is to hear, once the instance has ended and its
 * pidfiles are gone (run.c): the first word stands.
 */
static void
tell(struct supervisor *s, int status, const char *msg)
{
	if (s->tell_status != -1)
		return;
	s->tell_status = status;
	strlcpy(s->tell_msg, msg, sizeof(s->tell_msg));
}

/*
 * The command ended before the caller of -d heard it was running: the
 * caller exits with what usher would have exited with.
 */
static void
tell_caller(struct supervisor *s)
{
	char	msg[SPAWN_MSG_MAX], name[SIGNAME_MAX], cmd[CMD_SHOWN];

	if (s->fail_status != 0) {
		tell(s, s->fail_status, s->fail_msg);
		return;
	}
	errline_join(cmd, sizeof(cmd), s->cfg->argv[0], NULL);
	if (WIFSIGNALED(s->wstatus))
		(void)snprintf(msg, sizeof(msg), "usher: %s: killed by "
		    "signal %s before it was ready\n", cmd,
		    signame_str(WTERMSIG(s->wstatus), name, sizeof(name)));
	else
		(void)snprintf(msg, sizeof(msg), "usher: %s: exited with "
		    "status %d before it was ready\n", cmd,
		    WEXITSTATUS(s->wstatus));
	tell(s, status_code(s->wstatus), msg);
}

/* The command has ended: done, or on to its leftover descendants. */
static void
ended(struct supervisor *s, int st)
{
	pid_t	*pids;
	size_t	 n, i;

	s->ended = true;
	s->wstatus = st;
	sendq_forget(&s->sendq, s->pid);
	report_lost(s);
	for (i = 0; i < s->cfg->ndelays; i++)
		if (s->held[i].on && is_stop_signal(s->cfg,
		    (int)s->held[i].si.ssi_signo))
			s->stop_sent = true;	/* meant to stop: no restart */
	if (s->errfd != -1)
		on_exec_status(s);
	jobctl_take(s->jc, s->pid);
	if (s->link != NULL && *s->link != -1)
		tell_caller(s);
	s->state = SUP_DONE;
	if (s->cfg->orphans == ORPHANS_LEAVE)
		return;
	n = proctree_descendants(getpid(), &pids);
	free(pids);
	if (n == 0)
		return;
	vlog(s->cfg, "pid %d ended; %zu descendants left", (int)s->pid, n);
	s->state = SUP_ORPHANS;
	s->kill_armed = false;
	timerfd_settime(s->tfd_kill, 0, &(struct itimerspec){ { 0, 0 },
	    { 0, 0 } }, NULL);
	if (s->cfg->orphans == ORPHANS_KILL) {
		signal_orphans(s, s->cfg->stop_signal);
		s->kill_armed = true;
		arm(s->tfd_kill, s->cfg->kill_after_set ?
		    &s->cfg->kill_after : &default_grace);
	}
}

/*
 * The command stopped: take the terminal back and stop ourselves, so the
 * shell sees its job stopped.  Unless we stopped it ourselves (-s), and
 * are stopped already, or have no terminal (a daemon, cron, CI).
 */
static void
child_stopped(struct supervisor *s)
{
	if (s->expect_stop) {
		s->expect_stop = false;
		return;
	}
	if (s->cfg->mode == MODE_DAEMON || s->jc->tty == -1) {
		/* No job-control shell can see usher stop, without a
		 * terminal: a stopped usher would only miss the CONT sent
		 * to its command. */
		vlog(s->cfg, "pid %d stopped", (int)s->pid);
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
