/*
 * probe: a test helper that tests run under usher.
 *
 * It reports the facts of the process it finds itself in (ids, terminal,
 * credentials, signal mask, open descriptors, environment), records the
 * signals it is sent, waits as told and ends as told.  Tests compare the
 * report and the signal log with what usher promises.  It stands alone,
 * without usher's library, so that it sees the world as any wrapped
 * command would.
 *
 * probe [-r FILE] [-e NAME]... [-t SIGLIST] [-s FILE] [-w SIG] [-W FILE]
 *       [-R FILE] [-c N] [-Z N] [-B FILE] [-N NAME] [-T SECONDS]
 *       [-d USEC] [-x CODE | -k SIG]
 *
 * -N NAME sets the probe's own name (the comm of /proc/PID/stat, at most
 * 15 bytes, any bytes but NUL) first of all, as a hostile process would.
 * -d USEC makes a slow reader: the probe sleeps that many microseconds
 * after each signal it records, so that its signal queue fills up.
 */

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define EXIT_TIMEDOUT	99	/* a wait passed the -T deadline */
#define EXIT_SURVIVED	98	/* -k did not kill the probe */
#define EXIT_PROBE	97	/* bad usage or a failed system call */

struct options {
	const char	 *report;	/* -r */
	char		**names;	/* -e */
	int		  nnames;
	sigset_t	  trap;		/* -t, plus -w */
	const char	 *siglog;	/* -s */
	int		  waitsig;	/* -w, 0 for none */
	long long	  count;	/* -c */
	const char	 *waitfile;	/* -W */
	const char	 *ready;	/* -R */
	int		  zombies;	/* -Z */
	const char	 *bgfile;	/* -B */
	const char	 *comm;		/* -N */
	int64_t		  timeout;	/* -T, in milliseconds */
	long long	  lag;		/* -d, microseconds per signal */
	int		  code;		/* -x, -1 for none */
	int		  killsig;	/* -k, 0 for none */
};

struct state {
	int		logfd;		/* -s file, or -1 */
	int64_t		deadline;	/* monotonic milliseconds */
	long long	seen;		/* times -w SIG arrived */
	sigset_t	origmask;	/* the inherited signal mask */
};

static const struct {
	const char	*name;
	int		 sig;
} signames[] = {
	{ "HUP", SIGHUP },	{ "INT", SIGINT },	{ "QUIT", SIGQUIT },
	{ "ILL", SIGILL },	{ "TRAP", SIGTRAP },	{ "ABRT", SIGABRT },
	{ "BUS", SIGBUS },	{ "FPE", SIGFPE },	{ "KILL", SIGKILL },
	{ "USR1", SIGUSR1 },	{ "SEGV", SIGSEGV },	{ "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE },	{ "ALRM", SIGALRM },	{ "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },	{ "CONT", SIGCONT },
	{ "STOP", SIGSTOP },	{ "TSTP", SIGTSTP },	{ "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU },	{ "URG", SIGURG },	{ "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ },	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH },	{ "IO", SIGIO },	{ "PWR", SIGPWR },
	{ "SYS", SIGSYS },
	/* Aliases last, so that names print as above. */
	{ "IOT", SIGABRT },	{ "CLD", SIGCHLD },	{ "POLL", SIGIO },
};

static void	usage(void);
static void	parse_options(int, char **, struct options *);
static int	sig_parse(const char *);
static int	sig_rt(const char *, int, int);
static int	sig_trappable(int);
static void	sig_name(int, char *, size_t);
static void	trap_parse(const char *, sigset_t *);
static int64_t	seconds_parse(const char *);
static int64_t	now_ms(void);
static struct timespec ms_to_ts(int64_t);
static char	*collect(const struct options *, size_t *);
static void	report_fds(FILE *);
static int	intcmp(const void *, const void *);
static void	report_fd(FILE *, int);
static void	report_ids(FILE *);
static void	report_stat(FILE *);
static void	report_ctty(FILE *, unsigned int);
static int	ctty_find(dev_t, char *, size_t);
static void	report_status(FILE *);
static void	report_creds(FILE *);
static void	report_env(FILE *, const struct options *);
static void	write_all(int, const char *, size_t);
static void	write_atomic(const char *, const char *, size_t);
static void	record(struct state *, const struct options *,
		    const siginfo_t *);
static int	wait_done(const struct options *, const struct state *);
static void	wait_signals(const struct options *, struct state *);
static void	drain(const struct options *, struct state *);
static void	background(const struct options *, struct state *);
static void	zombies(int);
static void	finish(const struct options *);

static void
usage(void)
{
	fprintf(stderr, "usage: probe [-r FILE] [-e NAME]... [-t SIGLIST] "
	    "[-s FILE] [-w SIG] [-W FILE]\n"
	    "             [-R FILE] [-c N] [-Z N] [-B FILE] [-N NAME] "
	    "[-T SECONDS]\n"
	    "             [-d USEC] [-x CODE | -k SIG]\n");
	exit(EXIT_PROBE);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	const char *errstr;
	int ch;

	while ((ch = getopt(argc, argv, "+B:c:d:e:k:N:R:r:s:T:t:W:w:x:Z:")) != -1) {
		errstr = NULL;
		switch (ch) {
		case 'B':
			o->bgfile = optarg;
			break;
		case 'c':
			o->count = strtonum(optarg, 1, INT_MAX, &errstr);
			break;
		case 'd':
			o->lag = strtonum(optarg, 0, 1000000, &errstr);
			break;
		case 'e':
			o->names[o->nnames++] = optarg;
			break;
		case 'k':
			if ((o->killsig = sig_parse(optarg)) == -1)
				errx(EXIT_PROBE, "%s: bad signal", optarg);
			break;
		case 'N':
			if (strlen(optarg) > 15)
				errx(EXIT_PROBE, "-N: longer than 15 bytes");
			o->comm = optarg;
			break;
		case 'R':
			o->ready = optarg;
			break;
		case 'r':
			o->report = optarg;
			break;
		case 's':
			o->siglog = optarg;
			break;
		case 'T':
			o->timeout = seconds_parse(optarg);
			break;
		case 't':
			trap_parse(optarg, &o->trap);
			break;
		case 'W':
			o->waitfile = optarg;
			break;
		case 'w':
			o->waitsig = sig_parse(optarg);
			if (!sig_trappable(o->waitsig))
				errx(EXIT_PROBE, "%s: cannot wait for it",
				    optarg);
			break;
		case 'x':
			o->code = strtonum(optarg, 0, 255, &errstr);
			break;
		case 'Z':
			o->zombies = strtonum(optarg, 0, 10000, &errstr);
			break;
		default:
			usage();
		}
		if (errstr != NULL)
			errx(EXIT_PROBE, "-%c %s: %s", ch, optarg, errstr);
	}
	if (optind != argc)
		usage();
	if (o->code != -1 && o->killsig != 0)
		errx(EXIT_PROBE, "-x and -k exclude each other");
	if (o->waitsig != 0)
		sigaddset(&o->trap, o->waitsig);
}

/*
 * A signal by name (any case, SIG prefix optional), by number, or as
 * RTMIN, RTMIN+N, RTMAX, RTMAX-N.  Returns -1 when it names none.
 */
static int
sig_parse(const char *s)
{
	const char *errstr;
	size_t i;
	int n;

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (isdigit((unsigned char)*s)) {
		n = strtonum(s, 1, SIGRTMAX, &errstr);
		return errstr == NULL ? n : -1;
	}
	if (strncasecmp(s, "RTMIN", 5) == 0)
		return sig_rt(s + 5, SIGRTMIN, 1);
	if (strncasecmp(s, "RTMAX", 5) == 0)
		return sig_rt(s + 5, SIGRTMAX, -1);
	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (strcasecmp(s, signames[i].name) == 0)
			return signames[i].sig;
	return -1;
}

/* The real-time signal BASE, moved by "+N" or "-N" in direction DIR. */
static int
sig_rt(const char *s, int base, int dir)
{
	const char *errstr;
	int n;

	if (*s == '\0')
		return base;
	if (*s != (dir > 0 ? '+' : '-'))
		return -1;
	n = strtonum(s + 1, 0, SIGRTMAX - SIGRTMIN, &errstr);
	return errstr == NULL ? base + dir * n : -1;
}

/* Whether sigtimedwait can collect SIG: glibc keeps 32 and 33 for itself. */
static int
sig_trappable(int sig)
{
	if (sig < 1 || sig > SIGRTMAX || sig == SIGKILL || sig == SIGSTOP)
		return 0;
	return sig <= SIGSYS || sig >= SIGRTMIN;
}

/* SIG's name without the SIG prefix; real-time ones as RTMIN+k. */
static void
sig_name(int sig, char *buf, size_t len)
{
	size_t i;

	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		snprintf(buf, len, "RTMIN+%d", sig - SIGRTMIN);
		return;
	}
	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++) {
		if (signames[i].sig == sig) {
			snprintf(buf, len, "%s", signames[i].name);
			return;
		}
	}
	snprintf(buf, len, "%d", sig);
}

/*
 * Add a comma-separated list of signals to SET.  "all" is every signal
 * sigtimedwait can collect except CHLD, which must be named on its own.
 */
static void
trap_parse(const char *list, sigset_t *set)
{
	char *copy, *p, *word;
	int sig;

	if ((copy = strdup(list)) == NULL)
		err(EXIT_PROBE, "strdup");
	p = copy;
	while ((word = strsep(&p, ",")) != NULL) {
		if (strcasecmp(word, "all") == 0) {
			for (sig = 1; sig <= SIGRTMAX; sig++)
				if (sig_trappable(sig) && sig != SIGCHLD)
					sigaddset(set, sig);
			continue;
		}
		sig = sig_parse(word);
		if (!sig_trappable(sig))
			errx(EXIT_PROBE, "%s: cannot trap it", word);
		sigaddset(set, sig);
	}
	free(copy);
}

/* Fractional seconds to milliseconds. */
static int64_t
seconds_parse(const char *s)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(d) ||
	    d < 0 || d > 1e6)
		errx(EXIT_PROBE, "%s: bad number of seconds", s);
	return (int64_t)(d * 1000 + 0.5);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(EXIT_PROBE, "clock_gettime");
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timespec
ms_to_ts(int64_t ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	return ts;
}

/*
 * Gather the report in memory.  The descriptors come first, while the
 * probe has opened none of its own: memory streams take no descriptor,
 * and the directory that lists them is left out.
 */
static char *
collect(const struct options *o, size_t *lenp)
{
	FILE *fp, *fdfp;
	char *buf, *fdbuf;
	size_t fdlen;

	if ((fdfp = open_memstream(&fdbuf, &fdlen)) == NULL)
		err(EXIT_PROBE, "open_memstream");
	report_fds(fdfp);
	if (fclose(fdfp) == EOF)
		err(EXIT_PROBE, "report");
	if ((fp = open_memstream(&buf, lenp)) == NULL)
		err(EXIT_PROBE, "open_memstream");
	report_ids(fp);
	report_stat(fp);
	report_creds(fp);
	report_status(fp);
	fwrite(fdbuf, 1, fdlen, fp);
	report_env(fp, o);
	if (fclose(fp) == EOF)
		err(EXIT_PROBE, "report");
	free(fdbuf);
	return buf;
}

static void
report_fds(FILE *fp)
{
	struct dirent *de;
	DIR *d;
	int *fds, n, max, i;

	n = 0;
	max = 64;
	if ((fds = malloc(max * sizeof(*fds))) == NULL)
		err(EXIT_PROBE, "malloc");
	if ((d = opendir("/proc/self/fd")) == NULL)
		err(EXIT_PROBE, "/proc/self/fd");
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    atoi(de->d_name) == dirfd(d))
			continue;
		if (n == max && (fds = reallocarray(fds, max *= 2,
		    sizeof(*fds))) == NULL)
			err(EXIT_PROBE, "realloc");
		fds[n++] = atoi(de->d_name);
	}
	closedir(d);
	qsort(fds, n, sizeof(*fds), intcmp);
	fprintf(fp, "fds=");
	for (i = 0; i < n; i++)
		fprintf(fp, "%s%d", i == 0 ? "" : ",", fds[i]);
	fprintf(fp, "\n");
	for (i = 0; i < n; i++)
		report_fd(fp, fds[i]);
	free(fds);
}

static int
intcmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void
report_fd(FILE *fp, int fd)
{
	char path[64], target[PATH_MAX];
	ssize_t len;
	int fdflags, flflags, mode;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((len = readlink(path, target, sizeof(target) - 1)) == -1)
		len = 0;
	target[len] = '\0';
	fdflags = fcntl(fd, F_GETFD);
	flflags = fcntl(fd, F_GETFL);
	mode = flflags & O_ACCMODE;
	fprintf(fp, "fd.%d=%s\n", fd, target);
	fprintf(fp, "cloexec.%d=%d\n", fd, (fdflags & FD_CLOEXEC) != 0);
	fprintf(fp, "flags.%d=%s%s\n", fd,
	    mode == O_WRONLY ? "wronly" : mode == O_RDWR ? "rdwr" : "rdonly",
	    (flflags & O_APPEND) != 0 ? ",append" : "");
}

static void
report_ids(FILE *fp)
{
	fprintf(fp, "pid=%d\nppid=%d\npgid=%d\nsid=%d\n", (int)getpid(),
	    (int)getppid(), (int)getpgrp(), (int)getsid(0));
}

/* Fields 7 and 8 of /proc/self/stat: the terminal and its foreground. */
static void
report_stat(FILE *fp)
{
	char buf[1024], *p;
	ssize_t len;
	int fd, tty, tpgid;

	if ((fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)) == -1)
		err(EXIT_PROBE, "/proc/self/stat");
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		err(EXIT_PROBE, "/proc/self/stat");
	buf[len] = '\0';
	/* The command name may hold spaces and parentheses. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %d %d", &tty, &tpgid) != 2)
		errx(EXIT_PROBE, "/proc/self/stat: cannot parse");
	fprintf(fp, "tty_nr=%d\ntpgid=%d\n", tty, tpgid);
	report_ctty(fp, (unsigned int)tty);
}

static void
report_ctty(FILE *fp, unsigned int tty)
{
	char path[PATH_MAX];
	unsigned int maj, min;

	maj = major(tty);
	min = minor(tty);
	if (tty == 0)
		fprintf(fp, "ctty=none\n");
	else if (maj >= 136 && maj <= 143)
		fprintf(fp, "ctty=/dev/pts/%u\n", min + (maj - 136) * 256);
	else if (ctty_find(makedev(maj, min), path, sizeof(path)) == 0)
		fprintf(fp, "ctty=%s\n", path);
	else
		fprintf(fp, "ctty=dev:%u:%u\n", maj, min);
}

/* The /dev/tty* or /dev/console node of device DEV. */
static int
ctty_find(dev_t dev, char *path, size_t len)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int found;

	if ((d = opendir("/dev")) == NULL)
		return -1;
	found = -1;
	while (found == -1 && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "tty", 3) != 0 &&
		    strcmp(de->d_name, "console") != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
		    S_ISCHR(st.st_mode) && st.st_rdev == dev) {
			snprintf(path, len, "/dev/%s", de->d_name);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

/* Umask and signal sets, as the kernel prints them. */
static void
report_status(FILE *fp)
{
	static const struct {
		const char	*field;
		const char	*key;
	} keys[] = {
		{ "Umask:", "umask" },	{ "SigBlk:", "sigblk" },
		{ "SigIgn:", "sigign" }, { "ShdPnd:", "sigpnd" },
		{ "SigCgt:", "sigcgt" }, { "SigPnd:", "sigpnd_thread" },
	};
	FILE *st;
	char *line, *v;
	size_t cap, i, n;

	line = NULL;
	cap = 0;
	if ((st = fopen("/proc/self/status", "re")) == NULL)
		err(EXIT_PROBE, "/proc/self/status");
	while (getline(&line, &cap, st) != -1) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			n = strlen(keys[i].field);
			if (strncmp(line, keys[i].field, n) != 0)
				continue;
			v = line + n + strspn(line + n, " \t");
			v[strcspn(v, "\n")] = '\0';
			fprintf(fp, "%s=%s\n", keys[i].key, v);
		}
	}
	free(line);
	fclose(st);
}

static void
report_creds(FILE *fp)
{
	gid_t *groups;
	int i, n, sig;

	fprintf(fp, "uid=%d\ngid=%d\neuid=%d\negid=%d\n", (int)getuid(),
	    (int)getgid(), (int)geteuid(), (int)getegid());
	if ((n = getgroups(0, NULL)) == -1)
		err(EXIT_PROBE, "getgroups");
	if ((groups = calloc(n + 1, sizeof(*groups))) == NULL)
		err(EXIT_PROBE, "calloc");
	if ((n = getgroups(n, groups)) == -1)
		err(EXIT_PROBE, "getgroups");
	fprintf(fp, "groups=");
	for (i = 0; i < n; i++)
		fprintf(fp, "%s%d", i == 0 ? "" : ",", (int)groups[i]);
	fprintf(fp, "\n");
	free(groups);
	sig = 0;
	if (prctl(PR_GET_PDEATHSIG, &sig) == -1)
		err(EXIT_PROBE, "prctl");
	fprintf(fp, "pdeathsig=%d\n", sig);
}

static void
report_env(FILE *fp, const struct options *o)
{
	char cwd[PATH_MAX];
	const char *v;
	int i;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(cwd, sizeof(cwd), "?");
	fprintf(fp, "cwd=%s\n", cwd);
	for (i = 0; i < o->nnames; i++) {
		if ((v = getenv(o->names[i])) != NULL)
			fprintf(fp, "env.%s=%s\n", o->names[i], v);
		else
			fprintf(fp, "unset.%s=1\n", o->names[i]);
	}
}

static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			err(EXIT_PROBE, "write");
		}
		buf += n;
		len -= n;
	}
}

/*
 * Write PATH through PATH.tmp and rename(2), so that a test polling for
 * PATH never reads half of it.  "-" is standard output.
 */
static void
write_atomic(const char *path, const char *buf, size_t len)
{
	char *tmp;
	int fd;

	if (strcmp(path, "-") == 0) {
		write_all(STDOUT_FILENO, buf, len);
		return;
	}
	if (asprintf(&tmp, "%s.tmp", path) == -1)
		err(EXIT_PROBE, "asprintf");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		err(EXIT_PROBE, "%s", tmp);
	write_all(fd, buf, len);
	if (close(fd) == -1)
		err(EXIT_PROBE, "%s", tmp);
	if (rename(tmp, path) == -1)
		err(EXIT_PROBE, "rename %s", path);
	free(tmp);
}

/* Log one received signal with a single write(2), and count -w SIG. */
static void
record(struct state *st, const struct options *o, const siginfo_t *si)
{
	char line[128], name[32];
	int len;

	if (si->si_signo == o->waitsig)
		st->seen++;
	if (st->logfd != -1) {
		sig_name(si->si_signo, name, sizeof(name));
		len = snprintf(line, sizeof(line),
		    "%s code=%d value=%d pid=%d\n", name, si->si_code,
		    si->si_value.sival_int, (int)si->si_pid);
		write_all(st->logfd, line, len);
	}
	if (o->lag > 0)
		nanosleep(&(struct timespec){ o->lag / 1000000,
		    o->lag % 1000000 * 1000 }, NULL);
}

static int
wait_done(const struct options *o, const struct state *st)
{
	if (o->waitsig != 0 && st->seen < o->count)
		return 0;
	return o->waitfile == NULL || access(o->waitfile, F_OK) == 0;
}

/*
 * Collect trapped signals until -w SIG came -c times and -W FILE exists.
 * Only a wait for a file needs a timeout short of the deadline.
 */
static void
wait_signals(const struct options *o, struct state *st)
{
	struct timespec ts;
	siginfo_t si;
	int64_t left;

	while (!wait_done(o, st)) {
		if ((left = st->deadline - now_ms()) <= 0) {
			fprintf(stderr, "probe: timed out\n");
			exit(EXIT_TIMEDOUT);
		}
		if (o->waitfile != NULL && left > 10)
			left = 10;
		ts = ms_to_ts(left);
		if (sigtimedwait(&o->trap, &si, &ts) > 0)
			record(st, o, &si);
		else if (errno != EAGAIN && errno != EINTR)
			err(EXIT_PROBE, "sigtimedwait");
	}
}

/* Record trapped signals that are pending now, without waiting. */
static void
drain(const struct options *o, struct state *st)
{
	struct timespec zero = { 0, 0 };
	siginfo_t si;

	while (sigtimedwait(&o->trap, &si, &zero) > 0)
		record(st, o, &si);
}

/*
 * -B: leave a descendant behind that lives until the -T deadline.  It
 * gets the inherited signal mask back and none of the probe's files.
 * The probe writes the pid file itself, so it exists once the probe ends.
 */
static void
background(const struct options *o, struct state *st)
{
	struct timespec ts;
	char buf[32];
	pid_t pid;
	int len;

	if ((pid = fork()) == -1)
		err(EXIT_PROBE, "fork");
	if (pid == 0) {
		if (st->logfd != -1)
			close(st->logfd);
		sigprocmask(SIG_SETMASK, &st->origmask, NULL);
		ts = ms_to_ts(st->deadline);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
		    NULL) == EINTR)
			continue;
		_exit(0);
	}
	len = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	write_atomic(o->bgfile, buf, len);
}

/*
 * -Z: children that exit at once and that the probe never reaps.  vfork,
 * since they do nothing but _exit: thousands cost no copy of the memory.
 */
static void
zombies(int n)
{
	pid_t pid;

	while (n-- > 0) {
		if ((pid = vfork()) == -1)
			err(EXIT_PROBE, "vfork");
		if (pid == 0)
			_exit(0);
	}
}

/* -k SIG: die by SIG with its default action; -x CODE otherwise. */
static void
finish(const struct options *o)
{
	struct sigaction sa;
	sigset_t set;

	if (o->killsig == 0)
		exit(o->code == -1 ? 0 : o->code);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(o->killsig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, o->killsig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), o->killsig);
	exit(EXIT_SURVIVED);
}

int
main(int argc, char **argv)
{
	struct options o = {
		.count = 1,
		.timeout = 10000,
		.code = -1,
	};
	struct state st = {
		.logfd = -1,
	};
	char *report;
	size_t len;

	if ((o.names = calloc(argc, sizeof(*o.names))) == NULL)
		err(EXIT_PROBE, "calloc");
	sigemptyset(&o.trap);
	parse_options(argc, argv, &o);
	if (o.comm != NULL && prctl(PR_SET_NAME, o.comm) == -1)
		err(EXIT_PROBE, "prctl");
	st.deadline = now_ms() + o.timeout;
	report = collect(&o, &len);
	if (o.report != NULL)
		write_atomic(o.report, report, len);
	free(report);
	if (o.siglog != NULL && (st.logfd = open(o.siglog,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) == -1)
		err(EXIT_PROBE, "%s", o.siglog);
	/* Blocked only now, so that the report shows the inherited mask. */
	if (sigprocmask(SIG_BLOCK, &o.trap, &st.origmask) == -1)
		err(EXIT_PROBE, "sigprocmask");
	if (o.ready != NULL)
		write_atomic(o.ready, "ready\n", 6);
	wait_signals(&o, &st);
	drain(&o, &st);
	if (o.bgfile != NULL)
		background(&o, &st);
	zombies(o.zombies);
	free(o.names);
	finish(&o);
}
