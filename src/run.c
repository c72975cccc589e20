/*
 * run.c: the order of things.  Everything that can fail is done before
 * fork (fd maps checked and opened, the user looked up, the environment
 * built), so a mistake starts nothing and costs one line and status 125.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "envops.h"
#include "report.h"
#include "run.h"
#include "signals.h"
#include "spawn.h"
#include "status.h"
#include "supervise.h"
#include "user.h"
#include "vlog.h"

static void	prepare(const struct usher_config *, struct launch *);
static void	fill_stdio(void);
/* How the command ended, for the exit status and the report. */
struct ending {
	pid_t		pid;		/* the command, -1 if never started */
	bool		ended;		/* wstatus is valid */
	int		wstatus;
	bool		timed_out;
	int		fail_status;	/* setup or exec failed: 125-127 */
	struct timespec	start;		/* realtime */
	struct timespec	start_mono;
};

static void	refuse_if_stopped(const struct usher_config *,
		    struct ending *);
static _Noreturn void	supervise(const struct usher_config *,
			    struct launch *);
static _Noreturn void	finish(const struct usher_config *,
			    const struct ending *);
static void	write_report(const struct usher_config *,
		    const struct ending *, const struct outcome *);

/*
 * If the caller closed any of fds 0-2, hold it with /dev/null, close-on-exec,
 * so that nothing usher opens lands there: its messages would go into the
 * command's files.  The command still finds the fd closed, as it was left.
 */
static void
fill_stdio(void)
{
	int	fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", O_RDWR | O_CLOEXEC) == -1)
			err(EXIT_USHER, "/dev/null");
}

/*
 * Open, look up and build everything the command needs.  Exits 125 with
 * one line on failure.  Source fds of -f are checked first of all, before
 * usher opens anything that could take their numbers.
 */
static void
prepare(const struct usher_config *cfg, struct launch *l)
{
	char	msg[512];
	mode_t	mask;

	mask = umask(0);
	umask(mask);
	if (cfg->umask_set)
		mask = cfg->umask;
	if (fdmap_check(cfg->fdmaps, cfg->nfdmaps, msg, sizeof(msg)) == -1)
		errx(EXIT_USHER, "%s", msg);
	fill_stdio();
	if (fdmap_open(cfg->fdmaps, cfg->nfdmaps, mask, msg, sizeof(msg)) == -1)
		errx(EXIT_USHER, "%s", msg);
	if (cfg->user != NULL &&
	    user_lookup(cfg->user, &l->ident, msg, sizeof(msg)) == -1)
		errx(EXIT_USHER, "%s", msg);
	if ((l->envp = envops_build(cfg->env, cfg->nenv, &l->ident)) == NULL)
		err(EXIT_USHER, "environment");
	l->jc = (struct jobctl){ -1, false };
	if (cfg->mode == MODE_FOREGROUND && !cfg->exec)
		jobctl_open(&l->jc);
	l->pdeathsig = cfg->pdeathsig;
	if (l->pdeathsig == -1)
		l->pdeathsig = cfg->exec ? 0 : SIGKILL;
	l->parent = cfg->exec ? getppid() : getpid();
}

/*
 * A stop signal that came before the command started means it never
 * starts: usher ends as if the command had died by it.
 */
static void
refuse_if_stopped(const struct usher_config *cfg, struct ending *e)
{
	const int	stops[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
	size_t		i;

	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		if (signals_pending(stops[i]))
			break;
	}
	if (i == sizeof(stops) / sizeof(stops[0]) &&
	    !signals_pending(cfg->stop_signal))
		return;
	e->ended = true;
	e->wstatus = i < sizeof(stops) / sizeof(stops[0]) ? stops[i] :
	    cfg->stop_signal;
	finish(cfg, e);
}

_Noreturn void
run(const struct usher_config *cfg)
{
	struct launch	l = { .cfg = cfg };

	prepare(cfg, &l);
	/* -x -s in a group leader cannot setsid in place: fork once. */
	if (cfg->exec && !(cfg->mode == MODE_SETSID && getpgrp() == getpid()))
		spawn_exec(&l);
	supervise(cfg, &l);
}

/*
 * Fork the command and watch it to its end.
 */
static _Noreturn void
supervise(const struct usher_config *cfg, struct launch *l)
{
	struct ending		e = { .pid = -1 };
	struct supervisor	s = {
		.cfg = cfg, .jc = &l->jc, .state = SUP_STARTING,
		.route = cfg->route == ROUTE_CHILD ? ROUTE_CHILD : ROUTE_GROUP,
		.pid = -1, .sigfd = -1, .errfd = -1, .tfd_timeout = -1,
		.tfd_kill = -1,
	};

	clock_gettime(CLOCK_REALTIME, &e.start);
	clock_gettime(CLOCK_MONOTONIC, &e.start_mono);
	if ((s.sigfd = signals_fd()) == -1)
		err(EXIT_USHER, "signalfd");
	if (supervise_init(&s) == -1)
		err(EXIT_USHER, "supervise");
	refuse_if_stopped(cfg, &e);
	if ((s.pid = spawn_start(l, &s.errfd)) == -1)
		err(EXIT_USHER, "fork");
	supervise_run(&s);
	if (s.fail_status != 0)
		fputs(s.fail_msg, stderr);
	e.pid = s.pid;
	e.ended = s.ended;
	e.wstatus = s.wstatus;
	e.timed_out = s.timed_out;
	e.fail_status = s.fail_status;
	vlog(cfg, "pid %d ended with status %d", (int)s.pid,
	    status_code(s.wstatus));
	finish(cfg, &e);
}

/*
 * The end: decide usher's status, write the report, and go.  A command
 * that never ran ends with usher's own status for why, unmapped.
 */
static _Noreturn void
finish(const struct usher_config *cfg, const struct ending *e)
{
	struct outcome	o;

	if (e->fail_status != 0)
		o = (struct outcome){ e->fail_status, 0 };
	else if (e->timed_out)
		o = (struct outcome){ EXIT_TIMEOUT, 0 };
	else
		status_outcome(cfg, e->wstatus, &o);
	if (cfg->report != NULL)
		write_report(cfg, e, &o);
	status_end(&o);
}

/* --report: a report that cannot be written is a warning, no more. */
static void
write_report(const struct usher_config *cfg, const struct ending *e,
    const struct outcome *o)
{
	struct report	r = {
		.argv = cfg->argv, .usher_pid = getpid(), .pid = e->pid,
		.start = e->start, .ended = e->ended, .wstatus = e->wstatus,
		.timed_out = e->timed_out, .restarts = 0,
		.status = o->die != 0 ? 128 + o->die : o->code,
	};
	struct timespec	now;
	char		msg[512];

	clock_gettime(CLOCK_REALTIME, &r.end);
	clock_gettime(CLOCK_MONOTONIC, &now);
	r.wall_s = (double)(now.tv_sec - e->start_mono.tv_sec) +
	    (double)(now.tv_nsec - e->start_mono.tv_nsec) / 1e9;
	getrusage(RUSAGE_CHILDREN, &r.ru);
	if (report_write(cfg->report, &r, msg, sizeof(msg)) == -1)
		warnx("%s", msg);
}
