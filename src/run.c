/*
 * run.c: the order of things.
 *
 * Everything that can fail is done before fork (fd maps checked and opened,
 * the readiness channel made, the user looked up, the environment built,
 * the pidfiles locked), so a mistake starts nothing and costs one line and
 * status 125.  Then usher detaches (-d), or becomes the command (-x), or
 * hands it to supervise.c.  One struct supervisor (supervise.h) holds the
 * state of the whole run: run.c fills its instance part while it prepares,
 * supervise.c runs the command with it, finish() reads it and ends as the
 * command ended.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon.h"
#include "envops.h"
#include "errline.h"
#include "pidlock.h"
#include "ready.h"
#include "report.h"
#include "run.h"
#include "signals.h"
#include "link.h"
#include "spawn.h"
#include "status.h"
#include "supervise.h"
#include "user.h"
#include "vlog.h"

static _Noreturn void	status_action(const struct usher_config *);
static _Noreturn void	stop_action(const struct usher_config *);
static void	fill_stdio(struct supervisor *);
static void	check_report(const struct usher_config *, struct supervisor *);
static void	prepare(const struct usher_config *, struct supervisor *);
static void	prepare_ready(const struct usher_config *, struct supervisor *);
static void	open_files(const struct usher_config *, struct supervisor *);
static void	lock_pidfiles(const struct usher_config *, struct supervisor *);
static void	lock_one(const struct usher_config *, struct supervisor *,
		    struct pidlock *, const char *);
static void	detach(const struct usher_config *, struct supervisor *);
static _Noreturn void	exec_in_place(struct supervisor *);
static _Noreturn void	supervise(const struct usher_config *,
			    struct supervisor *);
static void	refuse_if_stopped(const struct usher_config *,
		    struct supervisor *);
static void	set_title(const struct usher_config *);
static _Noreturn void	fail(struct supervisor *, const char *);
static _Noreturn void	fail_why(struct supervisor *, const char *,
			    const char *);
static _Noreturn void	fail_line(struct supervisor *, const char *);
static _Noreturn void	finish(const struct usher_config *,
			    struct supervisor *);
static _Noreturn void	stopped_before_start(struct supervisor *, int);
static bool	timed_out(const struct supervisor *);
static void	write_report(const struct usher_config *,
		    const struct supervisor *, int, const char *);

_Noreturn void
run(const struct usher_config *cfg)
{
	struct supervisor	s;

	supervise_new(&s, cfg);
	if (cfg->action == ACTION_STATUS)
		status_action(cfg);
	if (cfg->action == ACTION_STOP)
		stop_action(cfg);
	/* For a report of a failure before the start; set again below. */
	clock_gettime(CLOCK_REALTIME, &s.start);
	clock_gettime(CLOCK_MONOTONIC, &s.start_mono);
	prepare(cfg, &s);
	lock_pidfiles(cfg, &s);
	open_files(cfg, &s);
	clock_gettime(CLOCK_REALTIME, &s.start);
	clock_gettime(CLOCK_MONOTONIC, &s.start_mono);
	refuse_if_stopped(cfg, &s);
	if (cfg->mode == MODE_DAEMON)
		detach(cfg, &s);
	/* -x -s in a group leader cannot setsid in place: fork once. */
	if (cfg->exec && !(cfg->mode == MODE_SETSID && getpgrp() == getpid()))
		exec_in_place(&s);
	supervise(cfg, &s);
}

/*
 * --status, as LSB's status action: 0 running (and the pid), 1 a stale
 * pidfile, 3 not running: no file, or an instance whose file holds no pid
 * because no command runs (before its start, between restarts).  A locked
 * file that holds no valid pid says nothing that can be trusted: LSB's 4,
 * status unknown, and one line.
 */
static _Noreturn void
status_action(const struct usher_config *cfg)
{
	enum pidlock_state	st;
	pid_t			pid;

	signals_restore();
	if ((st = pidlock_state(cfg->pidfile, &pid)) != PIDLOCK_RUNNING)
		exit((int)st);
	if (pid == PIDLOCK_NOPID)
		exit(PIDLOCK_NONE);
	if (pid == PIDLOCK_BADPID)
		errline_exit(4, cfg->pidfile, "no valid pid in the file", NULL);
	printf("%d\n", (int)pid);
	exit(0);
}

/* --stop: 0 when the instance is gone (or was), 1 when it stays. */
static _Noreturn void
stop_action(const struct usher_config *cfg)
{
	int	r;

	signals_restore();
	if ((r = pidlock_stop(cfg->pidfile, cfg->stop_signal,
	    &cfg->kill_after)) != 0)
		errline_say(cfg->pidfile, "could not be stopped", NULL);
	exit(r);
}

/*
 * If the caller closed any of fds 0-2, hold it with /dev/null, close-on-exec,
 * so that nothing usher opens lands there: its messages would go into the
 * command's files.  The command still finds the fd closed, as it was left.
 */
static void
fill_stdio(struct supervisor *s)
{
	int	fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", O_RDWR | O_CLOEXEC) == -1)
			fail_why(s, "/dev/null", strerror(errno));
}

/*
 * --report: a report that could not be written at the end would be lost
 * after the whole run; find out now, and refuse with 125 (no report: it
 * cannot be written).  One fd is kept aside, and given up just before the
 * report is written, so that a run that ends for want of fds still has one
 * for its report.
 */
static void
check_report(const struct usher_config *cfg, struct supervisor *s)
{
	char	msg[LINK_MSG_MAX];

	if (cfg->report == NULL)
		return;
	if (report_check(cfg->report, msg, sizeof(msg)) == -1)
		errline_exit(EXIT_USHER, msg, NULL);
	if ((s->spare = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)) == -1) {
		errline_join(msg, sizeof(msg), "--report", cfg->report,
		    strerror(errno), NULL);
		errline_exit(EXIT_USHER, msg, NULL);
	}
}

/*
 * Open, look up and build everything the command needs.  Exits 125 with
 * one line on failure (and a report, once the report's directory is known
 * to take one).  Source fds of -f are checked first of all, before usher
 * opens anything that could take their numbers; that check refuses the
 * command line itself, so it writes no report.
 */
static void
prepare(const struct usher_config *cfg, struct supervisor *s)
{
	struct launch	*l = &s->launch;
	char		 msg[LINK_MSG_MAX - ERRLINE_EXTRA];

	if (fdmap_check(cfg->fdmaps, cfg->nfdmaps, msg, sizeof(msg)) == -1)
		errline_exit(EXIT_USHER, msg, NULL);
	fill_stdio(s);
	check_report(cfg, s);
	if (cfg->user != NULL &&
	    user_lookup(cfg->user, &l->ident, msg, sizeof(msg)) == -1)
		fail(s, msg);
	prepare_ready(cfg, s);
	if ((l->envp = envops_build(cfg->env, cfg->nenv, &l->ident,
	    s->ready.env)) == NULL)
		fail_why(s, "environment", strerror(errno));
	l->jc = (struct jobctl){ -1, false };
	if (cfg->mode != MODE_DAEMON && !cfg->exec)
		jobctl_open(&l->jc);
	l->pdeathsig = cfg->pdeathsig;
	if ((s->sigfd = signals_fd()) == -1)
		fail_why(s, "signalfd", strerror(errno));
}

/*
 * Open (create, truncate) the files of -f and -o, only now that the
 * pidfiles are ours: a start refused as "already running" must not empty
 * the running instance's log.  The files get the command's umask.  The
 * fds the command gets go into the launch, --ready's pipe end among them.
 */
static void
open_files(const struct usher_config *cfg, struct supervisor *s)
{
	char	msg[LINK_MSG_MAX - ERRLINE_EXTRA];

	if ((s->launch.src = reallocarray(NULL, cfg->nfdmaps + 1,
	    sizeof(*s->launch.src))) == NULL)
		fail_why(s, "-f", strerror(errno));
	if (fdmap_open(cfg->fdmaps, cfg->nfdmaps, s->launch.src, cfg->umask, msg,
	    sizeof(msg)) == -1)
		fail(s, msg);
	fdmap_fill_slots(cfg->fdmaps, cfg->nfdmaps, s->launch.src,
	    s->ready.cmdfd);
}

/*
 * --ready: the channel; open_files() gives the command's end of it to its
 * fd map.
 */
static void
prepare_ready(const struct usher_config *cfg, struct supervisor *s)
{
	if (ready_open(&s->ready, cfg->ready,
	    s->launch.ident.set ? s->launch.ident.uid : geteuid()) == -1)
		fail_why(s, "--ready", strerror(errno));
}

/*
 * Lock -P, then -p, before anything starts (and before detaching, so a
 * locked pidfile is reported to the caller's terminal).
 */
static void
lock_pidfiles(const struct usher_config *cfg, struct supervisor *s)
{
	if (cfg->spidfile != NULL)
		lock_one(cfg, s, &s->pl_sup, cfg->spidfile);
	if (cfg->pidfile != NULL)
		lock_one(cfg, s, &s->pl_cmd, cfg->pidfile);
}

/*
 * Lock one pidfile; --if-running says what a running instance means.  A
 * stop signal while waiting ends usher as if the command had died by it.
 */
static void
lock_one(const struct usher_config *cfg, struct supervisor *s,
    struct pidlock *pl, const char *path)
{
	char	why[64];
	pid_t	other;
	int	r, i, sig;

	while (pidlock_open(pl, path, &other) == -1) {
		if (errno != EEXIST)
			fail_why(s, path, pl->why != NULL ? pl->why :
			    strerror(errno));
		if (cfg->if_running == IF_RUNNING_SKIP) {
			vlog(cfg, s->detached, "%s: already running; skipping",
			    path);
			pidlock_remove(&s->pl_sup);
			exit(0);
		}
		if (cfg->if_running == IF_RUNNING_FAIL) {
			if (other > 0)
				(void)snprintf(why, sizeof(why),
				    "already running as pid %d", (int)other);
			else
				strlcpy(why, "already running", sizeof(why));
			fail_why(s, path, why);
		}
		if ((r = pidlock_wait(path, s->sigfd)) == -1)
			fail_why(s, path, strerror(errno));
		/* Other signals are dropped: there is no command yet. */
		for (i = 0; r == 1 && i < SIGNALS_BATCH &&
		    (sig = signals_read(s->sigfd)) != 0; i++)
			if (signals_is_stop(sig, cfg->stop_signal))
				stopped_before_start(s, sig);
	}
}

/*
 * -d: from here on, usher is the detached supervisor (or, with -x, the
 * command); the caller's process has stayed behind to report.  A failure
 * on the way, in whichever process, is usher's own: fail_line() tells the
 * caller once the files usher made are gone.
 */
static void
detach(const struct usher_config *cfg, struct supervisor *s)
{
	const char	*what;
	char		 line[LINK_MSG_MAX];
	int		*keep;
	size_t		 i, n = 0;

	if (daemon_detach(&s->launch, &s->link, &what) == -1) {
		errline(line, sizeof(line), "-d", what, strerror(errno), NULL);
		fail_line(s, line);
	}
	if ((keep = reallocarray(NULL, cfg->nfdmaps + 9, sizeof(*keep))) ==
	    NULL)
		fail_why(s, "-d", strerror(errno));
	keep[n++] = s->link;
	keep[n++] = s->sigfd;
	keep[n++] = s->pl_cmd.fd;
	keep[n++] = s->pl_cmd.wfd;
	keep[n++] = s->pl_sup.fd;
	keep[n++] = s->pl_sup.wfd;
	keep[n++] = s->ready.fd;
	keep[n++] = s->ready.cmdfd;
	keep[n++] = s->spare;
	for (i = 0; i < cfg->nfdmaps; i++)
		keep[n++] = s->launch.src[i].fd;
	daemon_close_except(keep, n);
	free(keep);
	openlog("usher", LOG_PID, LOG_DAEMON);
	s->detached = true;
}

/*
 * -x: the pidfile (its lock held by the command from now on, on a
 * read-only fd: the command cannot change the file) gets usher's pid,
 * which is the command's, just before exec; spawn_exec() removes it again
 * if exec fails.
 */
static _Noreturn void
exec_in_place(struct supervisor *s)
{
	/* The caller, whose death --pdeathsig means: after any detaching. */
	s->launch.parent = getppid();
	if (pidlock_held(&s->pl_cmd)) {
		if (pidlock_write(&s->pl_cmd, getpid()) == -1)
			fail_why(s, s->pl_cmd.path, strerror(errno));
		s->launch.lock = &s->pl_cmd;
	}
	spawn_exec(&s->launch, s->link);
}

/*
 * A stop signal that came before the command started means it never
 * starts: usher ends as if the command had died by it.
 */
static void
refuse_if_stopped(const struct usher_config *cfg, struct supervisor *s)
{
	int	sig;

	for (sig = 1; sig < NSIG; sig++)
		if (signals_is_stop(sig, cfg->stop_signal) &&
		    signals_pending(sig))
			break;
	if (sig != NSIG)
		stopped_before_start(s, sig);
}

/* A stop signal before the start: usher ends as if the command had
 * died by it. */
static _Noreturn void
stopped_before_start(struct supervisor *s, int sig)
{
	s->state = SUP_DONE;
	s->why = WHY_STOPPED;
	s->wstatus = sig;
	finish(s->cfg, s);
}

/* -T, or "usher: COMMAND": what ps shows for the supervisor. */
static void
set_title(const struct usher_config *cfg)
{
	if (cfg->title != NULL)
		setproctitle("-%s", cfg->title);
	else
		setproctitle("-usher: %s", cfg->argv[0]);
}

/*
 * Fork the command and watch it to its end, and start it again while -r
 * says so (supervise.c); then end as it ended.
 */
static _Noreturn void
supervise(const struct usher_config *cfg, struct supervisor *s)
{
	const char	*what;

	set_title(cfg);
	if (supervise_run(s, &what) == -1)
		fail_why(s, what, strerror(errno));
	finish(cfg, s);
}

/* usher's own failure: msg is "CONTEXT: REASON", cut if need be. */
static _Noreturn void
fail(struct supervisor *s, const char *msg)
{
	char	line[LINK_MSG_MAX];

	errline(line, sizeof(line), msg, NULL);
	fail_line(s, line);
}

/* fail() with "WHAT: REASON", cut (errline.h) so that the reason stays. */
static _Noreturn void
fail_why(struct supervisor *s, const char *what, const char *reason)
{
	char	line[LINK_MSG_MAX];

	errline(line, sizeof(line), what, reason, NULL);
	fail_line(s, line);
}

/*
 * usher's own failure, once FILE of --report is known: one line, 125, a
 * report with the line in "error", and nothing left on disk of what usher
 * made for a command that never started.  The line is printed before the
 * report is written (so a warning about the report follows it), but a
 * caller of -d hears it only once the report is there.
 */
static _Noreturn void
fail_line(struct supervisor *s, const char *line)
{
	const struct usher_config	*cfg = s->cfg;

	if (s->cmd == -1)
		fdmap_unlink_new(cfg->fdmaps, s->launch.src, cfg->nfdmaps);
	if (s->link == -1)
		fputs(line, stderr);
	if (s->detached)
		syslog(LOG_ERR, "%.*s", (int)strcspn(line + 7, "\n"), line + 7);
	if (cfg->report != NULL) {
		close(s->spare);
		write_report(cfg, s, EXIT_USHER, line);
	}
	if (s->link != -1)
		daemon_fail(&s->link, EXIT_USHER, line);
	ready_remove(&s->ready);
	pidlock_remove(&s->pl_cmd);
	pidlock_remove(&s->pl_sup);
	exit(EXIT_USHER);
}

/*
 * The end: decide usher's status, write the report, remove the pidfiles,
 * and go.  A command that never ran ends with usher's own status for why,
 * unmapped.
 */
static _Noreturn void
finish(const struct usher_config *cfg, struct supervisor *s)
{
	char		msg[LINK_MSG_MAX];
	struct outcome	o;
	int		status;

	if (s->why == WHY_SETUP)
		o = (struct outcome){ s->fail_status, 0 };
	else if (timed_out(s))
		o = (struct outcome){ EXIT_TIMEOUT, 0 };
	else
		status_outcome(cfg, s->wstatus, &o);
	status = o.die != 0 ? 128 + o.die : o.code;
	if (cfg->report != NULL) {
		close(s->spare);
		write_report(cfg, s, status, s->why == WHY_SETUP ?
		    s->fail_msg : NULL);
	}
	ready_remove(&s->ready);
	pidlock_remove(&s->pl_cmd);
	pidlock_remove(&s->pl_sup);
	/* Only now may a caller of -d that still waits hear how it ended. */
	if (s->link != -1) {
		status = supervise_word(s, status, msg, sizeof(msg));
		daemon_fail(&s->link, status, msg);
	}
	status_end(&o);
}

/* -t or --ready-timeout: usher ends with 124. */
static bool
timed_out(const struct supervisor *s)
{
	return s->why == WHY_TIMEOUT || s->why == WHY_NOT_READY;
}

/*
 * --report: a report that cannot be written is a warning, no more.  line
 * is the error line usher printed, or NULL; "error" gets it without the
 * "usher: " prefix and the newline.
 */
static void
write_report(const struct usher_config *cfg, const struct supervisor *s,
    int status, const char *line)
{
	struct report	r = {
		.argv = cfg->argv, .usher_pid = getpid(), .pid = s->cmd,
		.start = s->start, .ended = supervise_has_status(s),
		.wstatus = s->wstatus, .timed_out = timed_out(s),
		.restarts = s->restarts, .status = status,
		.umask = cfg->usher_umask,
	};
	struct timespec	now;
	char		msg[LINK_MSG_MAX], error[LINK_MSG_MAX];

	if (line != NULL) {
		if (strncmp(line, "usher: ", 7) == 0)
			line += 7;
		strlcpy(error, line, sizeof(error));
		error[strcspn(error, "\n")] = '\0';
		r.error = error;
	}
	clock_gettime(CLOCK_REALTIME, &r.end);
	clock_gettime(CLOCK_MONOTONIC, &now);
	r.wall_s = (double)(now.tv_sec - s->start_mono.tv_sec) +
	    (double)(now.tv_nsec - s->start_mono.tv_nsec) / 1e9;
	getrusage(RUSAGE_CHILDREN, &r.ru);
	if (report_write(cfg->report, &r, msg, sizeof(msg)) == -1)
		vlog_warn(s->detached, "%s", msg);
}
