/*
 * fuzz_options.c: usher's whole command line, parsed and validated as
 * cmd/usher.c does it.  The input, split at its NUL bytes, is argv[1..]
 * (argv[0] is "usher"; an empty input is no word, a lone NUL one empty
 * word).  cmd/usher.c is included here with its main renamed; parsing leaves only through exit() (help and version: 0; every
 * refusal: 125), which this file turns into a longjmp back to the harness
 * with the status kept.  Standard error goes to a memfd while usher
 * parses; sanitizer reports keep the real one.
 *
 * Properties: a refusal is status 125 and exactly one line "usher: ...\n"
 * on stderr, with no control byte (nor NUL) in it, whose context is not a
 * bare "-" and does not call a short option that exists unknown; help and
 * version are status 0 and silent on stderr; a command line that parses is
 * silent and gives a consistent config: fds within the limit in every map,
 * durations normalised and capped, signals that are signals, statuses 0 to
 * 255, every default resolved (a route, a parent-death signal or none, a
 * grace, a umask), absolute paths, a command unless --status or --stop,
 * and nothing that needs a supervisor with -x.  What parsing allocated is freed
 * after each input, so a leak is a finding.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include "fuzz.h"

#define FUZZ_ARGS	32	/* words after argv[0], at most */
#define MAX_SEC		(3650L * 86400L)	/* duration.c's cap */

int	LLVMFuzzerInitialize(int *, char ***);
int	usher_main(int, char *[]);
static _Noreturn void	fuzz_exit(int);

/* Every header that cmd/usher.c includes is in, so these touch it alone. */
#define main	usher_main
#define exit	fuzz_exit
#include "../../cmd/usher.c"
#undef exit
#undef main

static jmp_buf	fuzz_jump;
static int	fuzz_status;
static int	fuzz_stderr = -1;	/* the real one */
static int	fuzz_capture = -1;	/* a memfd */

static _Noreturn void
fuzz_exit(int status)
{
	fuzz_status = status;
	longjmp(fuzz_jump, 1);
}

/* Parse and validate as main does: -1 when it parsed, else the status. */
static int
fuzz_parse(int argc, char *argv[], struct cmdline *cl)
{
	if (setjmp(fuzz_jump) != 0)
		return fuzz_status;
	optind = 0;	/* glibc: start afresh, forgetting the last input */
	parse(argc, argv, cl);
	validate(cl);
	return -1;
}

static bool
ts_ok(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_sec <= MAX_SEC &&
	    ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

static bool
sig_ok(int sig)
{
	return sig >= 1 && sig <= SIGRTMAX;
}

static bool
path_ok(const char *p)
{
	return p == NULL || p[0] == '/';
}

static void
check_fdmaps(const struct usher_config *cfg)
{
	const struct fdmap	*m;
	size_t			 i;

	for (i = 0; i < cfg->nfdmaps; i++) {
		m = &cfg->fdmaps[i];
		check(m->fd >= 0 && m->fd < FUZZ_NOFILE);
		check(m->kind != FDMAP_DUP ||
		    (m->src >= 0 && m->src < FUZZ_NOFILE));
		check(m->kind != FDMAP_SLOT ||
		    (cfg->ready == READY_FD && m->fd == cfg->ready_fd));
		check(m->kind != FDMAP_FILE ||
		    (m->path != NULL && m->path[0] != '\0'));
		check(m->share == -1 || (m->share == 1 && i >= 1));
	}
	if (cfg->ready == READY_FD)
		check(cfg->ready_fd >= 0 && cfg->ready_fd < FUZZ_NOFILE);
	if (cfg->mode == MODE_DAEMON && cfg->action == ACTION_RUN)
		check(cfg->close_fds && cfg->nfdmaps >= 3);
}

static void
check_signals(const struct usher_config *cfg)
{
	size_t	i, j;

	check(sig_ok(cfg->stop_signal));
	check(cfg->pdeathsig == 0 || sig_ok(cfg->pdeathsig));
	for (i = 0; i < cfg->nrewrite; i++) {
		check(sig_ok(cfg->rewrite[i].from));
		check(cfg->rewrite[i].from != SIGKILL &&
		    cfg->rewrite[i].from != SIGSTOP &&
		    cfg->rewrite[i].from != SIGCHLD);
		check(cfg->rewrite[i].to == 0 || sig_ok(cfg->rewrite[i].to));
	}
	check(cfg->ndelays <= DELAY_MAX);
	for (i = 0; i < cfg->ndelays; i++) {
		check(sig_ok(cfg->delays[i].sig) && ts_ok(&cfg->delays[i].ts));
		for (j = 0; j < i; j++)
			check(cfg->delays[j].sig != cfg->delays[i].sig);
	}
	check(cfg->route == ROUTE_GROUP || cfg->route == ROUTE_CHILD);
}

static void
check_config(const struct cmdline *cl)
{
	const struct usher_config	*cfg = &cl->cfg;
	size_t				 i;

	check_fdmaps(cfg);
	check_signals(cfg);
	check(cfg->kill_after_set || (cfg->kill_after.tv_sec == 10 &&
	    cfg->kill_after.tv_nsec == 0));
	check(ts_ok(&cfg->timeout) && ts_ok(&cfg->kill_after) &&
	    ts_ok(&cfg->ready_timeout) && ts_ok(&cfg->restart_delay));
	for (i = 0; i < cfg->nexitmap; i++)
		check(cfg->exitmap[i].from >= 0 && cfg->exitmap[i].from <= 255 &&
		    cfg->exitmap[i].to >= 0 && cfg->exitmap[i].to <= 255);
	for (i = 0; i < cfg->nenv; i++)
		check(cfg->env[i].arg[0] != '\0' && cfg->env[i].arg[0] != '=' &&
		    cfg->env[i].unset == (strchr(cfg->env[i].arg, '=') == NULL));
	check(cfg->umask <= 0777 && cfg->restart_max <= 1000000000);
	check(cl->umask_given || cfg->umask == cfg->usher_umask);
	check(path_ok(cfg->chdir) && path_ok(cfg->pidfile) &&
	    path_ok(cfg->spidfile) && path_ok(cfg->report));
	if (cfg->action == ACTION_RUN) {
		check(cfg->argv[0] != NULL);
		check(!cfg->exec || supervisor_option(cl) == NULL);
	} else
		check(cfg->pidfile != NULL && cfg->argv[0] == NULL);
}

/*
 * The context of a refusal that names an option names one ("-" alone is
 * none), and a short option that exists is never "unknown".
 */
static void
check_context(const char *line)
{
	const struct usage	*u;

	check(!(line[0] == '-' && ((line[1] == ':' && line[2] == ' ') ||
	    line[1] == '\n')));
	if (line[0] == '-' && line[1] != '-' && line[1] != '\0' &&
	    strncmp(line + 2, ": unknown option\n", 17) == 0) {
		u = usage_of((unsigned char)line[1]);
		check(u == NULL);
	}
}

/* What usher wrote on stderr: nothing, or one line (status 125). */
static void
check_stderr(int status)
{
	char	buf[ERRLINE_MAX + 1];
	off_t	len;
	ssize_t	i;

	len = lseek(fuzz_capture, 0, SEEK_CUR);
	check(len >= 0 && (size_t)len < sizeof(buf));
	check(pread(fuzz_capture, buf, (size_t)len, 0) == len);
	buf[len] = '\0';
	if (status != EXIT_USHER) {
		check(status == -1 || status == 0);
		check(len == 0);
		return;
	}
	check(len > 7 && memcmp(buf, "usher: ", 7) == 0);
	check(buf[len - 1] == '\n');
	check_context(buf + 7);
	for (i = 0; i < len - 1; i++)
		check((unsigned char)buf[i] >= 0x20 && buf[i] != 0x7f);
}

static void
config_free(struct usher_config *cfg)
{
	free((void *)cfg->fdmaps);
	free((void *)cfg->env);
	free((void *)cfg->rewrite);
	free((void *)cfg->exitmap);
	free((void *)cfg->delays);
	free((char *)cfg->chdir);
	free((char *)cfg->pidfile);
	free((char *)cfg->spidfile);
	free((char *)cfg->report);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_nofile();
	if (freopen("/dev/null", "w", stdout) == NULL ||
	    (fuzz_stderr = dup(STDERR_FILENO)) == -1 ||
	    (fuzz_capture = memfd_create("stderr", MFD_CLOEXEC)) == -1)
		abort();
	__sanitizer_set_report_fd((void *)(intptr_t)fuzz_stderr);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		 name[] = "usher";
	struct cmdline		 cl = { .cfg = defaults };
	char			*argv[FUZZ_ARGS + 2], *buf = fuzz_str(data, size);
	size_t			 off;
	int			 argc = 1, status;

	argv[0] = name;
	for (off = 0; off < size && argc <= FUZZ_ARGS; argc++) {
		argv[argc] = buf + off;
		off += strlen(buf + off) + 1;
	}
	argv[argc] = NULL;
	if (ftruncate(fuzz_capture, 0) == -1 ||
	    lseek(fuzz_capture, 0, SEEK_SET) == -1 ||
	    dup2(fuzz_capture, STDERR_FILENO) == -1)
		abort();
	status = fuzz_parse(argc, argv, &cl);
	if (dup2(fuzz_stderr, STDERR_FILENO) == -1)
		abort();
	check_stderr(status);
	if (status == -1)
		check_config(&cl);
	config_free(&cl.cfg);
	free(buf);
	return 0;
}
