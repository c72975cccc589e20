/*
 * supervise.c: one run of usher and its event loop (supervise.h draws the
 * states).  It dispatches as daemon(8) does: on the source first (signal,
 * exec pipe, readiness, deadline), then on the signal, one call per case.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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

/* A run that lasted this long resets the restart delay and count. */
static const struct timespec	restart_reset = { 60, 0 };

/* The first and the longest wait before queued signals are tried again. */
#define RETRY_MIN_MS	1
#define RETRY_MAX_MS	64

enum { P_SIG, P_ERR, P_READY, P_MAX };

static int	setup(struct supervisor *);
static int	start(struct supervisor *);
static int	wait_once(struct supervisor *, const char **);
static int	on_deadlines(struct supervisor *);
static void	read_batch(struct supervisor *, int);
static void	on_signal(struct supervisor *, const struct signalfd_siginfo *);
static void	on_signal_paused(struct supervisor *,
		    const struct signalfd_siginfo *);
static void	on_retry(struct supervisor *);
static void	retry_later(struct supervisor *);
static void	report_lost(struct supervisor *);
static bool	own_sigpipe(const struct signalfd_siginfo *);
static void	on_exec_status(struct supervisor *);
static void	started(struct supervisor *);
static int	write_pidfiles(struct supervisor *);
static void	on_ready(struct supervisor *);
static void	on_ready_timeout(struct supervisor *);
static void	on_timeout(struct supervisor *);
static void	stopping(struct supervisor *, enum sup_why);
static void	stop_command(struct supervisor *, const char *, enum sup_why,
		    bool);
static void	on_kill(struct supervisor *);
static void	on_held(struct supervisor *, size_t);
static void	arm_kill(struct supervisor *);
static bool	is_stop_signal(const struct usher_config *, int);
static int	rewrite(const struct usher_config *, int);
static bool	hold(struct supervisor *, const struct signalfd_siginfo *);
static void	forward(struct supervisor *, int,
		    const struct signalfd_siginfo *);
static void	deliver(struct supervisor *, int,
		    const struct signalfd_siginfo *);
static void	queue_signal(struct supervisor *, int, int);
static void	group_members(struct supervisor *);
static void	signal_orphans(struct supervisor *, int);
static void	reap(struct supervisor *);
static void	ended(struct supervisor *, int);
static void	run_over(struct supervisor *);
static bool	restart_wanted(struct supervisor *);
static void	double_delay(struct timespec *, const struct timespec *);
static void	child_stopped(struct supervisor *);
static void	stop_self(void);
static size_t	word_not_ready(const struct supervisor *, char *, size_t);
static void	say(const struct supervisor *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* A supervisor before anything is prepared: nothing open, nothing run. */
void
supervise_new(struct supervisor *s, const struct usher_config *cfg)
{
	*s = (struct supervisor){
		.cfg = cfg,
		.launch = { .cfg = cfg, .jc = { -1, false } },
		.pl_cmd = PIDLOCK_INIT, .pl_sup = PIDLOCK_INIT,
		.ready = { .kind = READY_NONE, .fd = -1, .cmdfd = -1 },
		.sigfd = -1, .sigfd_std = -1, .link = -1, .spare = -1,
		.state = SUP_IDLE, .why = WHY_EXITED,
		.pid = -1, .cmd = -1, .errfd = -1,
		.retry_ms = RETRY_MIN_MS, .delay = cfg->restart_delay,
	};
}

/* The command has ended (or never started), and is not to run now. */
bool
supervise_ended(const struct supervisor *s)
{
	return s->state == SUP_ORPHANS || s->state == SUP_PAUSE ||
	    s->state == SUP_DONE;
}

/*
 * wstatus says how a command ended: the last that was exec'd, once it has
 * ended; or usher's own, ended by a stop signal before any start.
 */
bool
supervise_has_status(const struct supervisor *s)
{
	if (s->cmd == -1)
		return s->state == SUP_DONE && s->why == WHY_STOPPED;
	return s->cmd != s->pid || supervise_ended(s);
}

/*
 * What the caller of -d hears when it has not heard yet at the end: why
 * the command failed to start or to become ready, or how it ended before
 * that; else status, with no line.  Returns the status; msg gets the line.
 */
int
supervise_word(const struct supervisor *s, int status, char *msg,
    size_t size)
{
	char	name[SIGNAME_MAX], cmd[CMD_SHOWN], why[64];

	msg[0] = '\0';
	if (s->why == WHY_SETUP) {
		strlcpy(msg, s->fail_msg, size);
		return s->fail_status;
	}
	if (s->why == WHY_NOT_READY) {
		word_not_ready(s, msg, size);
		return EXIT_TIMEOUT;
	}
	if (s->cmd == -1 || !supervise_has_status(s))
		return status;
	errline_join(cmd, sizeof(cmd), s->cfg->argv[0], NULL);
	if (WIFSIGNALED(s->wstatus))
		(void)snprintf(why, sizeof(why), "killed by signal %s before "
		    "it was ready", signame_str(WTERMSIG(s->wstatus), name,
		    sizeof(name)));
	else
		(void)snprintf(why, sizeof(why), "exited with status %d before "
		    "it was ready", WEXITSTATUS(s->wstatus));
	errline(msg, size, cmd, why, NULL);
	return status_code(s->wstatus);
}

/* "usher: --ready: COMMAND was not ready in time\n" */
static size_t
word_not_ready(const struct supervisor *s, char *msg, size_t size)
{
	char	cmd[CMD_SHOWN], why[CMD_SHOWN + 32];

	errline_join(cmd, sizeof(cmd), s->cfg->argv[0], NULL);
	(void)snprintf(why, sizeof(why), "%s was not ready in time", cmd);
	return errline(msg, size, "--ready", why, NULL);
}

/*
 * Start the command, watch it, start it again while -r says so; return 0
 * when the instance is to end (state DONE), or -1 with errno set and
 * *what naming what failed (the loop could not go on).
 */
int
supervise_run(struct supervisor *s, const char **what)
{
	*what = "supervise";
	if (setup(s) == -1)
		return -1;
	while (s->state != SUP_DONE) {
		*what = "fork";
		if (s->state == SUP_IDLE && start(s) == -1)
			return -1;
		*what = "poll";
		if (wait_once(s, what) == -1)
			return -1;
	}
	return 0;
}

/*
 * Once per instance: the signalfd for standard signals alone (while the
 * sendq is full), readiness, and a subreaper for --orphans wait and kill.
 */
static int
setup(struct supervisor *s)
{
	if ((s->sigfd_std = signals_fd_std()) == -1)
		return -1;
	s->readiness = s->ready.kind == READY_NONE ? RDY_NONE : RDY_WAIT;
	if (s->cfg->orphans != ORPHANS_LEAVE &&
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		return -1;
	return 0;
}

/*
 * Start (or restart) the command: fresh per-run state, the -t deadline
 * set anew.  Returns -1 when fork fails.
 */
static int
start(struct supervisor *s)
{
	deadline_now(&s->run_start);
	s->state = SUP_STARTING;
	s->why = WHY_EXITED;
	s->fail_status = 0;
	s->expect_stop = false;
	deadline_off(&s->due[D_KILL]);
	/* A restart may find usher put in the background meanwhile. */
	if (s->cfg->mode == MODE_FOREGROUND && s->launch.jc.tty != -1)
		s->launch.jc.fg = jobctl_is_fg(&s->launch.jc);
	if ((s->pid = spawn_start(&s->launch, &s->errfd)) == -1)
		return -1;
	if (s->cfg->timeout.tv_sec != 0 || s->cfg->timeout.tv_nsec != 0)
		deadline_set(&s->due[D_TIMEOUT], &s->cfg->timeout);
	return 0;
}

/*
 * One wake-up: wait for a source or the earliest deadline, then handle
 * the exec-status pipe, readiness, the deadlines that have passed, and a
 * batch of signals, in that order.
 */
static int
wait_once(struct supervisor *s, const char **what)
{
	struct pollfd	pfd[P_MAX];
	struct timespec	left;
	size_t		nd = D_HELD + s->cfg->ndelays;

	pfd[P_SIG] = (struct pollfd){ sendq_full(&s->sendq) ?
	    s->sigfd_std : s->sigfd, POLLIN, 0 };
	pfd[P_ERR] = (struct pollfd){ s->errfd, POLLIN, 0 };
	pfd[P_READY] = (struct pollfd){ s->ready.fd, POLLIN, 0 };
	if (ppoll(pfd, P_MAX, deadline_timeout(s->due, nd, &left), NULL) ==
	    -1)
		return errno == EINTR ? 0 : -1;
	if (pfd[P_ERR].revents != 0)
		on_exec_status(s);
	if (pfd[P_READY].revents != 0)
		on_ready(s);
	*what = "fork";
	if (on_deadlines(s) == -1)
		return -1;
	if (pfd[P_SIG].revents != 0)
		read_batch(s, pfd[P_SIG].fd);
	return 0;
}

/* Act on every deadline that has passed.  -1 when a restart's fork fails. */
static int
on_deadlines(struct supervisor *s)
{
	struct timespec	now;
	size_t		i;

	deadline_now(&now);
	if (deadline_due(&s->due[D_TIMEOUT], &now))
		on_timeout(s);
	if (deadline_due(&s->due[D_KILL], &now))
		on_kill(s);
	if (deadline_due(&s->due[D_READY], &now))
		on_ready_timeout(s);
	for (i = 0; i < s->cfg->ndelays; i++)
		if (deadline_due(&s->due[D_HELD + i], &now))
			on_held(s, i);
	if (deadline_due(&s->due[D_RETRY], &now))
		on_retry(s);
	if (deadline_due(&s->due[D_PAUSE], &now)) {
		s->restarts++;
		s->in_row++;
		double_delay(&s->delay, &s->cfg->restart_delay);
		return start(s);
	}
	return 0;
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
		if (s->state == SUP_PAUSE)
			on_signal_paused(s, &si);
		else
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

	reap(s);
	if ((n = sendq_flush(&s->sendq)) > 0)
		s->retry_ms = RETRY_MIN_MS;
	else if (s->retry_ms < RETRY_MAX_MS)
		s->retry_ms *= 2;
	if (n > 0 && sendq_len(&s->sendq) == 0)
		say(s, "every held signal delivered");
	retry_later(s);
}

/* Set the retry deadline while queued signals wait. */
static void
retry_later(struct supervisor *s)
{
	struct timespec	ts = { 0, s->retry_ms * 1000000L };

	if (s->due[D_RETRY].on || sendq_len(&s->sendq) == 0)
		return;
	deadline_set(&s->due[D_RETRY], &ts);
}

/* -v: one line per reason why queued signals could not be delivered. */
static void
report_lost(struct supervisor *s)
{
	struct sendq_lost	*l = &s->sendq.lost;

	if (l->gone != 0)
		say(s, "%zu queued signals not delivered: the process "
		    "had ended", l->gone);
	if (l->left != 0)
		say(s, "%zu queued signals not delivered: the command "
		    "ended first", l->left);
	if (l->nomem != 0)
		say(s, "%zu queued signals not delivered: %s",
		    l->nomem, strerror(ENOMEM));
	if (l->refused != 0)
		say(s, "%zu queued signals not delivered: %s",
		    l->refused, strerror(l->refused_errno));
	*l = (struct sendq_lost){ 0, 0, 0, 0, 0 };
}

/*
 * A signal in the pause before a restart: a stop signal ends the instance
 * at once, with the last status; others have no command to go to.
 */
static void
on_signal_paused(struct supervisor *s, const struct signalfd_siginfo *si)
{
	if (si->ssi_signo == SIGCHLD) {
		reap(s);
		return;
	}
	if (own_sigpipe(si) || !is_stop_signal(s->cfg, (int)si->ssi_signo))
		return;
	deadline_off(&s->due[D_PAUSE]);
	s->state = SUP_DONE;
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
	if (r == 1)
		s->why = WHY_SETUP;
	else
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
	if (s->state == SUP_STARTING)
		s->state = SUP_RUNNING;
	s->cmd = s->pid;
	say(s, "started %s as pid %d", s->cfg->argv[0], (int)s->pid);
	if (write_pidfiles(s) == -1) {
		s->why = WHY_SETUP;
		if (!supervise_ended(s))
			stop_command(s, "no pidfile", WHY_SETUP, true);
		return;
	}
	if (s->readiness != RDY_WAIT)
		daemon_ok(&s->link);
	else if (s->cfg->ready_timeout.tv_sec != 0 ||
	    s->cfg->ready_timeout.tv_nsec != 0)
		deadline_set(&s->due[D_READY], &s->cfg->ready_timeout);
}

/*
 * -p gets the command's pid, -P usher's.  Returns -1, with fail_status
 * and fail_msg set, when one cannot be written.
 */
static int
write_pidfiles(struct supervisor *s)
{
	struct pidlock	*pl = NULL;

	if (pidlock_held(&s->pl_cmd) &&
	    pidlock_write(&s->pl_cmd, s->pid) == -1)
		pl = &s->pl_cmd;
	else if (pidlock_held(&s->pl_sup) &&
	    pidlock_write(&s->pl_sup, getpid()) == -1)
		pl = &s->pl_sup;
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
	if (ready_read(&s->ready) != 1 || s->readiness != RDY_WAIT ||
	    supervise_ended(s) || s->why == WHY_SETUP)
		return;
	s->readiness = RDY_READY;
	deadline_off(&s->due[D_READY]);
	say(s, "pid %d is ready", (int)s->pid);
	daemon_ok(&s->link);
}

/*
 * --ready-timeout: stop the command and end with 124; the line goes to
 * the caller of -d at the end, or to stderr now.
 */
static void
on_ready_timeout(struct supervisor *s)
{
	char	msg[LINK_MSG_MAX];
	size_t	len;

	if (s->readiness != RDY_WAIT || supervise_ended(s))
		return;
	if (s->link == -1 && s->why != WHY_SETUP) {
		len = word_not_ready(s, msg, sizeof(msg));
		if (write(STDERR_FILENO, msg, len) == -1) {
			/* stderr is gone: nobody to tell. */
		}
	}
	/* It must end, for the caller hears only then: KILL if need be. */
	stop_command(s, "not ready", WHY_NOT_READY, true);
}

static void
on_timeout(struct supervisor *s)
{
	if (supervise_ended(s))
		return;
	stop_command(s, "timed out", WHY_TIMEOUT, false);
}

/*
 * The command is to end, for why: the first reason stands, but not ready
 * in time stands over -t and a stop signal (a failed setup, set where it
 * is found, over any), and no restart follows.
 */
static void
stopping(struct supervisor *s, enum sup_why why)
{
	if (s->why == WHY_EXITED ||
	    (why == WHY_NOT_READY && s->why != WHY_SETUP))
		s->why = why;
	if (s->state == SUP_STARTING || s->state == SUP_RUNNING)
		s->state = SUP_STOPPING;
}

/*
 * Send the stop signal (and CONT, so that a stopped command can act on
 * it), then KILL after -k; with must_end, after the default grace even
 * without -k.
 */
static void
stop_command(struct supervisor *s, const char *what, enum sup_why why,
    bool must_end)
{
	char	name[SIGNAME_MAX];

	say(s, "%s: sending %s", what,
	    signame_str(s->cfg->stop_signal, name, sizeof(name)));
	stopping(s, why);
	deliver(s, s->cfg->stop_signal, NULL);
	if (signals_needs_cont(s->cfg->stop_signal))
		deliver(s, SIGCONT, NULL);
	if (must_end && !s->due[D_KILL].on)
		deadline_set(&s->due[D_KILL], &s->cfg->kill_after);
	else
		arm_kill(s);
}

static void
on_kill(struct supervisor *s)
{
	say(s, "still running after the grace period: sending KILL");
	if (s->state == SUP_ORPHANS)
		signal_orphans(s, SIGKILL);
	else
		deliver(s, SIGKILL, NULL);
}

/* A -D delay ran out: the held signal goes now. */
static void
on_held(struct supervisor *s, size_t i)
{
	forward(s, (int)s->held[i].ssi_signo, &s->held[i]);
}

/* Start -k's clock at the first stop signal; later ones do not move it. */
static void
arm_kill(struct supervisor *s)
{
	if (s->cfg->kill_after_set && !s->due[D_KILL].on)
		deadline_set(&s->due[D_KILL], &s->cfg->kill_after);
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
		if (!s->due[D_HELD + i].on) {
			s->held[i] = *si;
			deadline_set(&s->due[D_HELD + i],
			    &s->cfg->delays[i].ts);
			say(s, "holding signal %d", (int)si->ssi_signo);
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

/* One signal read from the signalfd, while a command runs or is left. */
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
		if (is_stop_signal(s->cfg, sig) && !s->due[D_KILL].on)
			deadline_set(&s->due[D_KILL], &s->cfg->kill_after);
		signal_orphans(s, sig);
		return;
	}
	if (sig == SIGCONT && s->cfg->mode == MODE_FOREGROUND) {
		/* Back from a stop: fg made us foreground, bg did not. */
		s->launch.jc.fg = jobctl_is_fg(&s->launch.jc);
		jobctl_give(&s->launch.jc, s->pid);
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
		stopping(s, WHY_STOPPED);
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
	bool		group = s->cfg->route == ROUTE_GROUP;

	say(s, "sending %s to %s %d", signame_str(sig, name,
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

	if (s->cfg->route == ROUTE_GROUP)
		group_members(s);
	for (i = 0; s->cfg->route == ROUTE_GROUP && i < s->nmembers; i++) {
		it.pid = s->members[i].pid;
		/* The command is usher's child: its pid stays its own. */
		it.pgid = it.pid == s->pid ? 0 : s->members[i].pgid;
		it.start = s->members[i].start;
		sendq_send(&s->sendq, &it);
	}
	if (s->cfg->route != ROUTE_GROUP || s->nmembers == 0)
		sendq_send(&s->sendq, &it);
	if (before == 0 && sendq_len(&s->sendq) != 0)
		say(s, "signal queue full (RLIMIT_SIGPENDING): "
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
	say(s, "sending signal %d to %zu leftover processes", sig, n);
	for (i = 0; i < n; i++) {
		kill(pids[i], sig);
		if (signals_needs_cont(sig))
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
		if (pid != s->pid || supervise_ended(s))
			continue;
		if (WIFSTOPPED(st))
			child_stopped(s);
		else if (WIFEXITED(st) || WIFSIGNALED(st))
			ended(s, st);
	}
	if (s->state == SUP_ORPHANS && pid == -1 && errno == ECHILD)
		run_over(s);
}

/* The command has ended: the run is over, or on to its descendants. */
static void
ended(struct supervisor *s, int st)
{
	pid_t	*pids;
	size_t	 n, i;

	/* Ended first: a pidfile that fails now stops nothing. */
	s->state = SUP_ORPHANS;
	if (s->errfd != -1)
		on_exec_status(s);
	if (s->cmd == s->pid)
		s->wstatus = st;
	say(s, "pid %d ended with status %d", (int)s->pid,
	    status_code(st));
	sendq_forget(&s->sendq, s->pid);
	report_lost(s);
	for (i = 0; i < s->cfg->ndelays; i++)
		if (s->due[D_HELD + i].on && is_stop_signal(s->cfg,
		    (int)s->held[i].ssi_signo))
			stopping(s, WHY_STOPPED);  /* meant to stop it */
	jobctl_take(&s->launch.jc, s->pid);
	n = 0;
	if (s->cfg->orphans != ORPHANS_LEAVE) {
		n = proctree_descendants(getpid(), &pids);
		free(pids);
	}
	if (n == 0) {
		run_over(s);
		return;
	}
	say(s, "pid %d ended; %zu descendants left", (int)s->pid, n);
	deadline_off(&s->due[D_KILL]);
	if (s->cfg->orphans == ORPHANS_KILL) {
		signal_orphans(s, s->cfg->stop_signal);
		deadline_set(&s->due[D_KILL], &s->cfg->kill_after);
	}
}

/*
 * The command and what it left have ended: tidy up the run, then pause
 * before a restart, or be done.  A failed setup is said on stderr (a
 * daemon's caller hears it at the end).
 */
static void
run_over(struct supervisor *s)
{
	struct timespec	now;
	size_t		i;

	for (i = D_TIMEOUT; i < D_MAX; i++)
		deadline_off(&s->due[i]);
	sendq_drop(&s->sendq);
	report_lost(s);
	sendq_free(&s->sendq);
	free(s->members);
	s->members = NULL;
	s->members_known = false;
	if (s->why == WHY_SETUP && s->cfg->mode != MODE_DAEMON)
		fputs(s->fail_msg, stderr);
	deadline_now(&now);
	if (now.tv_sec - s->run_start.tv_sec >= restart_reset.tv_sec) {
		s->delay = s->cfg->restart_delay;
		s->in_row = 0;
	}
	s->state = SUP_DONE;
	if (!restart_wanted(s))
		return;
	say(s, "restarting in %lld.%03lds", (long long)s->delay.tv_sec,
	    s->delay.tv_nsec / 1000000);
	/* No command runs in the pause: --status must not say so. */
	if (pidlock_held(&s->pl_cmd) && pidlock_clear(&s->pl_cmd) == -1)
		say(s, "%s: %s", s->cfg->pidfile, strerror(errno));
	s->state = SUP_PAUSE;
	deadline_set(&s->due[D_PAUSE], &s->delay);
}

/*
 * Whether to start the command again: never after a stop usher sent or
 * forwarded, a timeout, a failed setup, or a first start that never
 * became ready; on-failure only after a status other than 0.
 */
static bool
restart_wanted(struct supervisor *s)
{
	const struct usher_config	*cfg = s->cfg;

	if (cfg->restart == RESTART_NO || s->why != WHY_EXITED ||
	    s->readiness == RDY_WAIT)
		return false;
	if (cfg->restart == RESTART_ON_FAILURE && status_code(s->wstatus) == 0)
		return false;
	if (cfg->restart_max != 0 && s->in_row >= cfg->restart_max) {
		say(s, "%u restarts in a row: giving up", s->in_row);
		return false;
	}
	return true;
}

/*
 * Lengthen the delay before the next restart: twice as long (from 0, a
 * tenth of a second, so that a crash loop never spins), up to 60 s, or up
 * to the first delay where that was longer.
 */
static void
double_delay(struct timespec *d, const struct timespec *first)
{
	d->tv_sec *= 2;
	d->tv_nsec *= 2;
	if (d->tv_nsec >= 1000000000L) {
		d->tv_sec++;
		d->tv_nsec -= 1000000000L;
	}
	if (d->tv_sec == 0 && d->tv_nsec < 100000000L)
		d->tv_nsec = 100000000L;
	if (d->tv_sec >= 60)
		*d = (struct timespec){ 60, 0 };
	if (first->tv_sec >= 60)
		*d = *first;
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
	if (s->cfg->mode == MODE_DAEMON || s->launch.jc.tty == -1) {
		/* No job-control shell can see usher stop, without a
		 * terminal: a stopped usher would only miss the CONT sent
		 * to its command. */
		say(s, "pid %d stopped", (int)s->pid);
		return;
	}
	say(s, "pid %d stopped; stopping too", (int)s->pid);
	jobctl_take(&s->launch.jc, s->pid);
	stop_self();
}

/* SIGSTOP cannot be blocked; CONT, when it comes, is read as a signal. */
static void
stop_self(void)
{
	kill(getpid(), SIGSTOP);
}

/* -v (vlog.h): on stderr, or to syslog once detached. */
static void
say(const struct supervisor *s, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog_va(s->cfg, s->detached, fmt, ap);
	va_end(ap);
}
