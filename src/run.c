/*
 * run.c: the order of things, and the one caller of every other module.
 *
 * Everything that can fail is done before fork (fd maps checked and opened,
 * the readiness channel made, the user looked up, the environment built,
 * the pidfiles locked), so a mistake starts nothing and costs one line and
 * status 125.  Then usher detaches (-d), or becomes the command (-x), or
 * supervises it, restarting it if asked, and ends as it ended.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
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
#include "spawn.h"
#include "status.h"
#include "supervise.h"
#include "user.h"
#include "vlog.h"

/* A run that lasted this long resets the restart delay and count. */
static const struct timespec	restart_reset = { 60, 0 };

/* How the command ended, for the exit status and the report. */
struct ending {
	pid_t		pid;		/* the command, -1 if never started */
	bool		ended;		/* wstatus is valid */
	int		wstatus;
	bool		timed_out;	/* -t or --ready-timeout */
	int		fail_status;	/* setup or exec failed: 125-127 */
	unsigned	restarts;
	struct timespec	start;		/* realtime */
	struct timespec	start_mono;
};

/* One instance: what lives across restarts. */
struct instance {
	struct launch	l;
	struct pidlock	pl_cmd;		/* -p */
	struct pidlock	pl_sup;		/* -P */
	struct ready	ready;
	int		sigfd;
	int		link;		/* -d: the caller waits on it */
	bool		detached;	/* -d, and past the detaching */
	struct ending	e;
	int		tell_status;	/* -d: for the caller, or -1 */
	char		tell_msg[SPAWN_MSG_MAX];
	const char	*error;		/* the line usher printed, or NULL */
	int		spare;		/* --report: an fd kept for it */
};

static _Noreturn void	status_action(const struct usher_config *);
static _Noreturn void	stop_action(const struct usher_config *);
static void	fill_stdio(struct instance *);
static void	check_report(const struct usher_config *, struct instance *);
static void	prepare(const struct usher_config *, struct instance *);
static void	prepare_ready(const struct usher_config *, struct instance *);
static void	open_files(const struct usher_config *, struct instance *);
static void	lock_pidfiles(const struct usher_config *, struct instance *);
static void	lock_one(const struct usher_config *, struct instance *,
		    struct pidlock *, const char *);
static void	detach(const struct usher_config *, struct instance *);
static _Noreturn void	exec_in_place(struct instance *);
static _Noreturn void	supervise(const struct usher_config *,
			    struct instance *);
static void	refuse_if_stopped(const struct usher_config *,
		    struct instance *);
static bool	restart_wanted(const struct usher_config *,
		    const struct supervisor *, unsigned);
static void	set_title(const struct usher_config *);
static void	double_delay(struct timespec *, const struct timespec *);
static _Noreturn void	fail(struct instance *, const char *);
static _Noreturn void	fail_why(struct instance *, const char *,
			    const char *);
static _Noreturn void	fail_line(struct instance *, const char *);
static _Noreturn void	finish(const struct usher_config *,
			    struct instance *);
static void	write_report(const struct usher_config *,
		    const struct ending *, const struct outcome *, const char *);

_Noreturn void
run(const struct usher_config *cfg)
{
	struct instance	in = {
		.l = { .cfg = cfg, .exec_link = -1 },
		.pl_cmd = PIDLOCK_INIT, .pl_sup = PIDLOCK_INIT, .sigfd = -1,
		.link = -1, .e = { .pid = -1 }, .tell_status = -1, .spare = -1,
	};

	if (cfg->action == ACTION_STATUS)
		status_action(cfg);
	if (cfg->action == ACTION_STOP)
		stop_action(cfg);
	/* For a report of a failure before the start; set again below. */
	clock_gettime(CLOCK_REALTIME, &in.e.start);
	clock_gettime(CLOCK_MONOTONIC, &in.e.start_mono);
	prepare(cfg, &in);
	lock_pidfiles(cfg, &in);
	open_files(cfg, &in);
	clock_gettime(CLOCK_REALTIME, &in.e.start);
	clock_gettime(CLOCK_MONOTONIC, &in.e.start_mono);
	refuse_if_stopped(cfg, &in);
	if (cfg->mode == MODE_DAEMON)
		detach(cfg, &in);
	/* -x -s in a group leader cannot setsid in place: fork once. */
	if (cfg->exec && !(cfg->mode == MODE_SETSID && getpgrp() == getpid()))
		exec_in_place(&in);
	supervise(cfg, &in);
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
		errx(4, "%s: no valid pid in the file", cfg->pidfile);
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
		warnx("%s: could not be stopped", cfg->pidfile);
	exit(r);
}

/*
 * If the caller closed any of fds 0-2, hold it with /dev/null, close-on-exec,
 * so that nothing usher opens lands there: its messages would go into the
 * command's files.  The command still finds the fd closed, as it was left.
 */
static void
fill_stdio(struct instance *in)
{
	int	fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", O_RDWR | O_CLOEXEC) == -1)
			fail_why(in, "/dev/null", strerror(errno));
}

/*
 * --report: a report that could not be written at the end would be lost
 * after the whole run; find out now, and refuse with 125 (no report: it
 * cannot be written).  One fd is kept aside, and given up just before the
 * report is written, so that a run that ends for want of fds still has one
 * for its report.
 */
static void
check_report(const struct usher_config *cfg, struct instance *in)
{
	char	msg[SPAWN_MSG_MAX];

	if (cfg->report == NULL)
		return;
	if (report_check(cfg->report, msg, sizeof(msg)) == -1)
		errx(EXIT_USHER, "%s", msg);
	if ((in->spare = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)) == -1) {
		errline_join(msg, sizeof(msg), "--report", cfg->report,
		    strerror(errno), NULL);
		errx(EXIT_USHER, "%s", msg);
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
prepare(const struct usher_config *cfg, struct instance *in)
{
	struct launch	*l = &in->l;
	char		 msg[SPAWN_MSG_MAX - ERRLINE_EXTRA];

	if (fdmap_check(cfg->fdmaps, cfg->nfdmaps, msg, sizeof(msg)) == -1)
		errx(EXIT_USHER, "%s", msg);
	fill_stdio(in);
	check_report(cfg, in);
	if (cfg->user != NULL &&
	    user_lookup(cfg->user, &l->ident, msg, sizeof(msg)) == -1)
		fail(in, msg);
	prepare_ready(cfg, in);
	if ((l->envp = envops_build(cfg->env, cfg->nenv, &l->ident,
	    in->ready.env)) == NULL)
		fail_why(in, "environment", strerror(errno));
	l->jc = (struct jobctl){ -1, false };
	if (cfg->mode != MODE_DAEMON && !cfg->exec)
		jobctl_open(&l->jc);
	l->pdeathsig = cfg->pdeathsig;
	if ((in->sigfd = signals_fd()) == -1)
		fail_why(in, "signalfd", strerror(errno));
}

/*
 * Open (create, truncate) the files of -f and -o, only now that the
 * pidfiles are ours: a start refused as "already running" must not empty
 * the running instance's log.  The files get the command's umask.  The
 * fds the command gets go into the launch, --ready's pipe end among them.
 */
static void
open_files(const struct usher_config *cfg, struct instance *in)
{
	char	msg[SPAWN_MSG_MAX - ERRLINE_EXTRA];

	if ((in->l.src = reallocarray(NULL, cfg->nfdmaps + 1,
	    sizeof(*in->l.src))) == NULL)
		fail_why(in, "-f", strerror(errno));
	if (fdmap_open(cfg->fdmaps, cfg->nfdmaps, in->l.src, cfg->umask, msg,
	    sizeof(msg)) == -1)
		fail(in, msg);
	fdmap_fill_slots(cfg->fdmaps, cfg->nfdmaps, in->l.src,
	    in->ready.cmdfd);
}

/*
 * --ready: the channel; open_files() gives the command's end of it to its
 * fd map.
 */
static void
prepare_ready(const struct usher_config *cfg, struct instance *in)
{
	if (ready_open(&in->ready, cfg->ready,
	    in->l.ident.set ? in->l.ident.uid : geteuid()) == -1)
		fail_why(in, "--ready", strerror(errno));
}

/*
 * Lock -P, then -p, before anything starts (and before detaching, so a
 * locked pidfile is reported to the caller's terminal).
 */
static void
lock_pidfiles(const struct usher_config *cfg, struct instance *in)
{
	if (cfg->spidfile != NULL)
		lock_one(cfg, in, &in->pl_sup, cfg->spidfile);
	if (cfg->pidfile != NULL)
		lock_one(cfg, in, &in->pl_cmd, cfg->pidfile);
}

/*
 * Lock one pidfile; --if-running says what a running instance means.  A
 * stop signal while waiting ends usher as if the command had died by it.
 */
static void
lock_one(const struct usher_config *cfg, struct instance *in,
    struct pidlock *pl, const char *path)
{
	char	why[64];
	pid_t	other;
	int	sig;

	while (pidlock_open(pl, path, &other) == -1) {
		if (errno != EEXIST)
			fail_why(in, path, pl->why != NULL ? pl->why :
			    strerror(errno));
		if (cfg->if_running == IF_RUNNING_SKIP) {
			vlog(cfg, "%s: already running; skipping", path);
			pidlock_remove(&in->pl_sup);
			exit(0);
		}
		if (cfg->if_running == IF_RUNNING_FAIL) {
			if (other > 0)
				(void)snprintf(why, sizeof(why),
				    "already running as pid %d", (int)other);
			else
				strlcpy(why, "already running", sizeof(why));
			fail_why(in, path, why);
		}
		if (pidlock_wait(path, in->sigfd, cfg->stop_signal, &sig) == -1) {
			in->e.ended = true;
			in->e.wstatus = sig;
			finish(cfg, in);
		}
	}
}

/*
 * -d: from here on, usher is the detached supervisor (or, with -x, the
 * command); the caller's process has stayed behind to report.  A failure
 * on the way, in whichever process, is usher's own: fail_line() tells the
 * caller once the files usher made are gone.
 */
static void
detach(const struct usher_config *cfg, struct instance *in)
{
	const char	*what;
	char		 line[SPAWN_MSG_MAX];
	int		*keep;
	size_t		 i, n = 0;

	if (daemon_detach(&in->l, &in->link, &what) == -1) {
		errline(line, sizeof(line), "-d", what, strerror(errno), NULL);
		fail_line(in, line);
	}
	if ((keep = reallocarray(NULL, cfg->nfdmaps + 9, sizeof(*keep))) ==
	    NULL)
		fail_why(in, "-d", strerror(errno));
	keep[n++] = in->link;
	keep[n++] = in->sigfd;
	keep[n++] = in->pl_cmd.fd;
	keep[n++] = in->pl_cmd.wfd;
	keep[n++] = in->pl_sup.fd;
	keep[n++] = in->pl_sup.wfd;
	keep[n++] = in->ready.fd;
	keep[n++] = in->ready.cmdfd;
	keep[n++] = in->spare;
	for (i = 0; i < cfg->nfdmaps; i++)
		keep[n++] = in->l.src[i].fd;
	daemon_close_except(keep, n);
	free(keep);
	openlog("usher", LOG_PID, LOG_DAEMON);
	in->detached = true;
	in->l.exec_link = in->link;
}

/*
 * -x: the pidfile (its lock held by the command from now on, on a
 * read-only fd: the command cannot change the file) gets usher's pid,
 * which is the command's, just before exec; spawn_exec() removes it again
 * if exec fails.
 */
static _Noreturn void
exec_in_place(struct instance *in)
{
	/* The caller, whose death --pdeathsig means: after any detaching. */
	in->l.parent = getppid();
	if (pidlock_held(&in->pl_cmd)) {
		if (pidlock_write(&in->pl_cmd, getpid()) == -1)
			fail_why(in, in->pl_cmd.path, strerror(errno));
		in->l.lock = &in->pl_cmd;
	}
	spawn_exec(&in->l);
}

/*
 * A stop signal that came before the command started means it never
 * starts: usher ends as if the command had died by it.
 */
static void
refuse_if_stopped(const struct usher_config *cfg, struct instance *in)
{
	int	sig;

	for (sig = 1; sig < NSIG; sig++)
		if (signals_is_stop(sig, cfg->stop_signal) &&
		    signals_pending(sig))
			break;
	if (sig == NSIG)
		return;
	in->e.ended = true;
	in->e.wstatus = sig;
	finish(cfg, in);
}

/*
 * Whether to start the command again: never after a stop usher sent or
 * forwarded, a timeout, a failed exec, or a first start that never became
 * ready; on-failure only after a status other than 0.
 */
static bool
restart_wanted(const struct usher_config *cfg, const struct supervisor *s,
    unsigned in_row)
{
	if (cfg->restart == RESTART_NO || s->stop_sent || s->timed_out ||
	    s->fail_status != 0 || s->ready_failed || !s->ready_done)
		return false;
	if (cfg->restart == RESTART_ON_FAILURE && status_code(s->wstatus) == 0)
		return false;
	if (cfg->restart_max != 0 && in_row >= cfg->restart_max) {
		vlog(cfg, "%u restarts in a row: giving up", in_row);
		return false;
	}
	return true;
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
 * Fork the command and watch it to its end; start it again while -r says
 * so.  A stop signal during the pause before a restart ends usher at once,
 * with the last status.
 */
static _Noreturn void
supervise(const struct usher_config *cfg, struct instance *in)
{
	struct supervisor	s = {
		.cfg = cfg, .jc = &in->l.jc, .state = SUP_STARTING,
		.route = cfg->route != ROUTE_DEFAULT ? cfg->route :
		    cfg->mode == MODE_DAEMON ? ROUTE_CHILD : ROUTE_GROUP,
		.pid = -1, .sigfd = in->sigfd, .errfd = -1,
		.launch = &in->l, .pl_cmd = &in->pl_cmd, .pl_sup = &in->pl_sup,
		.ready = &in->ready, .link = &in->link, .tell_status = -1,
	};
	struct timespec		delay = cfg->restart_delay, t0, t1;
	unsigned		in_row = 0;

	set_title(cfg);
	if (supervise_init(&s) == -1)
		fail_why(in, "supervise", strerror(errno));
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (supervise_start(&s) == -1)
			fail_why(in, "fork", strerror(errno));
		supervise_run(&s);
		/*
		 * A child that never exec'd never was the command: the report
		 * keeps the last one that was, if any.
		 */
		if (s.execd)
			in->e = (struct ending){ s.pid, s.ended, s.wstatus,
			    s.timed_out || s.ready_failed, 0, in->e.restarts,
			    in->e.start, in->e.start_mono };
		if (s.fail_status != 0)
			in->e.fail_status = s.fail_status;
		in->tell_status = s.tell_status;
		strlcpy(in->tell_msg, s.tell_msg, sizeof(in->tell_msg));
		in->error = s.fail_status != 0 ? s.fail_msg : NULL;
		if (s.fail_status != 0 && cfg->mode != MODE_DAEMON)
			fputs(s.fail_msg, stderr);
		vlog(cfg, "pid %d ended with status %d", (int)s.pid,
		    status_code(s.wstatus));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec >= restart_reset.tv_sec) {
			delay = cfg->restart_delay;
			in_row = 0;
		}
		if (!restart_wanted(cfg, &s, in_row))
			break;
		vlog(cfg, "restarting in %lld.%03lds", (long long)delay.tv_sec,
		    delay.tv_nsec / 1000000);
		/* No command runs in the pause: --status must not say so. */
		if (pidlock_held(&in->pl_cmd) &&
		    pidlock_clear(&in->pl_cmd) == -1)
			vlog(cfg, "%s: %s", cfg->pidfile, strerror(errno));
		if (!supervise_pause(&s, &delay))
			break;
		in->e.restarts++;
		in_row++;
		double_delay(&delay, &cfg->restart_delay);
	}
	finish(cfg, in);
}

/* usher's own failure: msg is "CONTEXT: REASON", cut if need be. */
static _Noreturn void
fail(struct instance *in, const char *msg)
{
	char	line[SPAWN_MSG_MAX];

	errline(line, sizeof(line), msg, NULL);
	fail_line(in, line);
}

/* fail() with "WHAT: REASON", cut (errline.h) so that the reason stays. */
static _Noreturn void
fail_why(struct instance *in, const char *what, const char *reason)
{
	char	line[SPAWN_MSG_MAX];

	errline(line, sizeof(line), what, reason, NULL);
	fail_line(in, line);
}

/*
 * usher's own failure, once FILE of --report is known: one line, 125, a
 * report with the line in "error", and nothing left on disk of what usher
 * made for a command that never started.  The line is printed before the
 * report is written (so a warning about the report follows it), but a
 * caller of -d hears it only once the report is there.
 */
static _Noreturn void
fail_line(struct instance *in, const char *line)
{
	const struct usher_config	*cfg = in->l.cfg;
	struct outcome			 o = { EXIT_USHER, 0 };

	if (in->e.pid == -1)
		fdmap_unlink_new(cfg->fdmaps, in->l.src, cfg->nfdmaps);
	if (in->link == -1)
		fputs(line, stderr);
	if (in->detached)
		syslog(LOG_ERR, "%.*s", (int)strcspn(line + 7, "\n"), line + 7);
	if (cfg->report != NULL) {
		in->e.fail_status = EXIT_USHER;
		close(in->spare);
		write_report(cfg, &in->e, &o, line);
	}
	if (in->link != -1)
		daemon_fail(&in->link, EXIT_USHER, line);
	ready_remove(&in->ready);
	pidlock_remove(&in->pl_cmd);
	pidlock_remove(&in->pl_sup);
	exit(EXIT_USHER);
}

/*
 * The end: decide usher's status, write the report, remove the pidfiles,
 * and go.  A command that never ran ends with usher's own status for why,
 * unmapped.
 */
static _Noreturn void
finish(const struct usher_config *cfg, struct instance *in)
{
	const struct ending	*e = &in->e;
	struct outcome		 o;

	if (e->fail_status != 0)
		o = (struct outcome){ e->fail_status, 0 };
	else if (e->timed_out)
		o = (struct outcome){ EXIT_TIMEOUT, 0 };
	else
		status_outcome(cfg, e->wstatus, &o);
	if (cfg->report != NULL) {
		close(in->spare);
		write_report(cfg, e, &o, in->error);
	}
	ready_remove(&in->ready);
	pidlock_remove(&in->pl_cmd);
	pidlock_remove(&in->pl_sup);
	/* Only now may a caller of -d that still waits hear how it ended. */
	if (in->link != -1)
		daemon_fail(&in->link, in->tell_status != -1 ?
		    in->tell_status : o.die != 0 ? 128 + o.die : o.code,
		    in->tell_status != -1 ? in->tell_msg : "");
	status_end(&o);
}

/*
 * --report: a report that cannot be written is a warning, no more.  line
 * is the error line usher printed, or NULL; "error" gets it without the
 * "usher: " prefix and the newline.
 */
static void
write_report(const struct usher_config *cfg, const struct ending *e,
    const struct outcome *o, const char *line)
{
	struct report	r = {
		.argv = cfg->argv, .usher_pid = getpid(), .pid = e->pid,
		.start = e->start, .ended = e->ended, .wstatus = e->wstatus,
		.timed_out = e->timed_out, .restarts = e->restarts,
		.status = o->die != 0 ? 128 + o->die : o->code,
		.umask = cfg->usher_umask,
	};
	struct timespec	now;
	char		msg[SPAWN_MSG_MAX], error[SPAWN_MSG_MAX];

	if (line != NULL) {
		if (strncmp(line, "usher: ", 7) == 0)
			line += 7;
		strlcpy(error, line, sizeof(error));
		error[strcspn(error, "\n")] = '\0';
		r.error = error;
	}
	clock_gettime(CLOCK_REALTIME, &r.end);
	clock_gettime(CLOCK_MONOTONIC, &now);
	r.wall_s = (double)(now.tv_sec - e->start_mono.tv_sec) +
	    (double)(now.tv_nsec - e->start_mono.tv_nsec) / 1e9;
	getrusage(RUSAGE_CHILDREN, &r.ru);
	if (report_write(cfg->report, &r, msg, sizeof(msg)) == -1)
		vlog_warn(cfg, "%s", msg);
}
