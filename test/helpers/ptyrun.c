/*
 * ptyrun: a small expect-like driver that runs a command on a
 * pseudo-terminal, for the tests of usher's job control.
 *
 * ptyrun [-T SECONDS] [-l LOGFILE] -s SCRIPTFILE [--] COMMAND [ARG]...
 *
 * The command runs as the leader of a new session whose controlling
 * terminal is the pty slave, in the kernel's default cooked mode (ISIG,
 * ICANON, ECHO), 24x80.  ptyrun then plays the script against the master:
 *
 *	expect TEXT	wait until the output not yet consumed holds TEXT
 *	send TEXT	write TEXT to the terminal
 *	sleep SECONDS	let time pass, still reading the output
 *	waitfile PATH [TEXT]	wait until PATH exists (and holds TEXT),
 *			still reading the output
 *	eof		wait until the command exited and the terminal closed
 *	# comment	ignored, as are empty lines
 *
 * TEXT is the rest of the line after one space, with the escapes \n \r
 * \t \e \\ \xHH.  ptyrun exits with the command's status, or 128+N when
 * a signal N killed it, and says so on stderr as "ptyrun: status=N".  A
 * failed step, a broken script or the -T deadline (whole run, default
 * 10 s) ends ptyrun with 99, after it killed the command's session.
 * Every byte read from the terminal is appended to LOGFILE as it comes,
 * and written to stdout at the end.
 */

#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define EXIT_FAIL	99	/* a step failed, or ptyrun itself did */
#define GRACE_MS	1000	/* how long output may trail the exit */

enum op {
	OP_EXPECT,
	OP_SEND,
	OP_SLEEP,
	OP_WAITFILE,
	OP_EOF
};

struct step {
	enum op		 op;
	char		*raw;		/* TEXT as the script spells it */
	char		*text;		/* TEXT with escapes resolved */
	size_t		 len;
	int64_t		 ms;		/* sleep */
};

struct script {
	struct step	*steps;
	size_t		 n;
};

struct session {
	pid_t		 pid;
	int		 master;
	int		 sigfd;		/* SIGCHLD */
	int		 logfd;		/* -l, or -1 */
	int		 eof;		/* the master read EOF or EIO */
	int		 exited;	/* the command was reaped */
	int		 status;
	int64_t		 exittime;
	int64_t		 deadline;
	char		*out;		/* all output read */
	size_t		 len, cap;
	size_t		 pos;		/* consumed by expect up to here */
	const char	*wbuf;		/* pending send */
	size_t		 wlen;
};

static void	usage(void);
static int64_t	seconds_parse(const char *);
static int64_t	now_ms(void);
static int	hexval(int);
static char	*unescape(const char *, size_t *);
static void	script_line(struct script *, char *, const char *, int);
static void	script_read(struct script *, const char *);
static void	child_fail(const char *);
static void	child(int, char **);
static void	spawn(struct session *, char **);
static void	reap(struct session *);
static void	output(struct session *, const char *, size_t);
static void	pump_read(struct session *);
static int	pump_write(struct session *);
static void	pump(struct session *, int64_t);
static int	gone(const struct session *);
static int64_t	horizon(const struct session *);
static void	kill_session(pid_t);
static void	dump(const struct session *);
static void	fail(struct session *, const char *, const char *);
static void	do_expect(struct session *, const struct step *);
static void	do_send(struct session *, const struct step *);
static void	do_sleep(struct session *, const struct step *);
static int	file_has(const char *, const char *);
static void	do_waitfile(struct session *, const struct step *);
static void	do_eof(struct session *);
static void	finish(struct session *);

static void
usage(void)
{
	fprintf(stderr, "usage: ptyrun [-T SECONDS] [-l LOGFILE] "
	    "-s SCRIPTFILE [--] COMMAND [ARG]...\n");
	exit(EXIT_FAIL);
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
		errx(EXIT_FAIL, "%s: bad number of seconds", s);
	return (int64_t)(d * 1000 + 0.5);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(EXIT_FAIL, "clock_gettime");
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	if (isxdigit(c))
		return tolower(c) - 'a' + 10;
	return -1;
}

/* Resolve the escapes of S into a new buffer; NULL on a bad one. */
static char *
unescape(const char *s, size_t *lenp)
{
	char *buf, *p;
	int hi, lo;

	if ((buf = malloc(strlen(s) + 1)) == NULL)
		err(EXIT_FAIL, "malloc");
	for (p = buf; *s != '\0'; s++) {
		if (*s != '\\') {
			*p++ = *s;
			continue;
		}
		switch (*++s) {
		case 'n':
			*p++ = '\n';
			break;
		case 'r':
			*p++ = '\r';
			break;
		case 't':
			*p++ = '\t';
			break;
		case 'e':
			*p++ = '\033';
			break;
		case '\\':
			*p++ = '\\';
			break;
		case 'x':
			if ((hi = hexval((unsigned char)s[1])) == -1 ||
			    (lo = hexval((unsigned char)s[2])) == -1)
				goto bad;
			*p++ = (char)(hi * 16 + lo);
			s += 2;
			break;
		default:
			goto bad;
		}
	}
	*p = '\0';
	*lenp = p - buf;
	return buf;
bad:
	free(buf);
	return NULL;
}

/* Add one line of the script; LINENO and PATH are for messages. */
static void
script_line(struct script *sc, char *line, const char *path, int lineno)
{
	struct step *st;
	char *arg;

	line[strcspn(line, "\n")] = '\0';
	if (line[strspn(line, " \t")] == '\0' ||
	    line[strspn(line, " \t")] == '#')
		return;
	if ((sc->steps = reallocarray(sc->steps, sc->n + 1,
	    sizeof(*sc->steps))) == NULL)
		err(EXIT_FAIL, "realloc");
	st = &sc->steps[sc->n++];
	memset(st, 0, sizeof(*st));
	arg = strchr(line, ' ');
	if (arg != NULL)
		*arg++ = '\0';
	if (strcmp(line, "eof") == 0 && arg == NULL) {
		st->op = OP_EOF;
		return;
	}
	if (arg == NULL || *arg == '\0')
		errx(EXIT_FAIL, "%s:%d: bad line", path, lineno);
	if (strcmp(line, "sleep") == 0) {
		st->op = OP_SLEEP;
		st->ms = seconds_parse(arg);
		return;
	}
	if (strcmp(line, "expect") == 0)
		st->op = OP_EXPECT;
	else if (strcmp(line, "waitfile") == 0)
		st->op = OP_WAITFILE;
	else if (strcmp(line, "send") == 0)
		st->op = OP_SEND;
	else
		errx(EXIT_FAIL, "%s:%d: unknown command %s", path, lineno,
		    line);
	if ((st->raw = strdup(arg)) == NULL)
		err(EXIT_FAIL, "strdup");
	if ((st->text = unescape(arg, &st->len)) == NULL)
		errx(EXIT_FAIL, "%s:%d: bad escape", path, lineno);
}

/* Read the whole script first, so that a broken one fails at once. */
static void
script_read(struct script *sc, const char *path)
{
	FILE *fp;
	char *line;
	size_t cap;
	int lineno;

	line = NULL;
	cap = 0;
	lineno = 0;
	if ((fp = fopen(path, "re")) == NULL)
		err(EXIT_FAIL, "%s", path);
	while (getline(&line, &cap, fp) != -1)
		script_line(sc, line, path, ++lineno);
	if (ferror(fp))
		err(EXIT_FAIL, "%s", path);
	fclose(fp);
	free(line);
}

/* In the child: report with one write(2) and leave without exit(3). */
static void
child_fail(const char *what)
{
	char msg[512];
	int code, len;

	code = errno == ENOENT ? 127 : 126;
	len = snprintf(msg, sizeof(msg), "ptyrun: %s: %s\n", what,
	    strerror(errno));
	if (len > 0 && write(STDERR_FILENO, msg, len) == -1)
		_exit(code);
	_exit(code);
}

/*
 * The child leads a new session and takes the slave as its controlling
 * terminal (setsid must come first: only a session leader without a
 * terminal may acquire one).  It gets default dispositions, an empty
 * mask, and the slave on 0, 1 and 2 only.
 */
static void
child(int slave, char **argv)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setsid() == -1)
		child_fail("setsid");
	if (ioctl(slave, TIOCSCTTY, 0) == -1)
		child_fail("TIOCSCTTY");
	if (dup2(slave, 0) == -1 || dup2(slave, 1) == -1 ||
	    dup2(slave, 2) == -1)
		child_fail("dup2");
	closefrom(3);
	execvp(argv[0], argv);
	child_fail(argv[0]);
}

static void
spawn(struct session *s, char **argv)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	sigset_t chld;
	int slave;

	/* NULL termios: the line discipline keeps its cooked defaults. */
	if (openpty(&s->master, &slave, NULL, NULL, &ws) == -1)
		err(EXIT_FAIL, "openpty");
	if (fcntl(s->master, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(s->master, F_SETFL, O_NONBLOCK) == -1)
		err(EXIT_FAIL, "fcntl");
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) == -1)
		err(EXIT_FAIL, "sigprocmask");
	if ((s->sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		err(EXIT_FAIL, "signalfd");
	if (setenv("TERM", "dumb", 0) == -1)
		err(EXIT_FAIL, "setenv");
	if ((s->pid = fork()) == -1)
		err(EXIT_FAIL, "fork");
	if (s->pid == 0)
		child(slave, argv);
	/* Else the master would never see EOF once the command is gone. */
	close(slave);
}

/* Take the SIGCHLD notices, and the command's status once it ended. */
static void
reap(struct session *s)
{
	struct signalfd_siginfo si;
	pid_t pid;

	while (read(s->sigfd, &si, sizeof(si)) > 0)
		continue;
	if (s->exited)
		return;
	pid = waitpid(s->pid, &s->status, WNOHANG);
	if (pid == -1)
		err(EXIT_FAIL, "waitpid");
	if (pid == s->pid) {
		s->exited = 1;
		s->exittime = now_ms();
	}
}

static void
output(struct session *s, const char *buf, size_t len)
{
	while (s->len + len > s->cap) {
		s->cap = s->cap == 0 ? 4096 : s->cap * 2;
		if ((s->out = realloc(s->out, s->cap)) == NULL)
			err(EXIT_FAIL, "realloc");
	}
	memcpy(s->out + s->len, buf, len);
	s->len += len;
	if (s->logfd != -1 && write(s->logfd, buf, len) == -1)
		err(EXIT_FAIL, "log");
}

/* Linux gives EIO, not 0, once every slave descriptor is closed. */
static void
pump_read(struct session *s)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(s->master, buf, sizeof(buf));
		if (n > 0) {
			output(s, buf, n);
			continue;
		}
		if (n == 0 || errno == EIO) {
			s->eof = 1;
			return;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		if (errno != EINTR)
			err(EXIT_FAIL, "read");
	}
}

/* Write what the terminal takes of the pending send; -1 on an error. */
static int
pump_write(struct session *s)
{
	ssize_t n;

	n = write(s->master, s->wbuf, s->wlen);
	if (n > 0) {
		s->wbuf += n;
		s->wlen -= n;
	} else if (n == -1 && errno != EAGAIN && errno != EINTR)
		return -1;
	return 0;
}

/*
 * Wait until something happens or UNTIL (monotonic ms) comes, then
 * take the output and the end of the command.  Room for a pending send
 * only wakes it: do_send writes.
 */
static void
pump(struct session *s, int64_t until)
{
	struct pollfd pfd[2];
	int64_t left;
	int n;

	n = 0;
	if (!s->eof) {
		pfd[n].fd = s->master;
		pfd[n++].events = POLLIN | (s->wlen > 0 ? POLLOUT : 0);
	}
	pfd[n].fd = s->sigfd;
	pfd[n++].events = POLLIN;
	left = until - now_ms();
	if (left < 0)
		left = 0;
	if (poll(pfd, n, left > INT_MAX ? INT_MAX : (int)left) == -1) {
		if (errno == EINTR)
			return;
		err(EXIT_FAIL, "poll");
	}
	if (!s->eof && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0)
		pump_read(s);
	reap(s);
}

/*
 * Whether no more output can come: the terminal closed, or the command
 * ended a while ago and something it left behind holds the terminal.
 */
static int
gone(const struct session *s)
{
	return s->eof || (s->exited && now_ms() >= s->exittime + GRACE_MS);
}

/* Until when to wait for output: gone() may turn true at that time. */
static int64_t
horizon(const struct session *s)
{
	if (s->exited && s->exittime + GRACE_MS < s->deadline)
		return s->exittime + GRACE_MS;
	return s->deadline;
}

/* SIGKILL the command's process group and whatever else is in its session. */
static void
kill_session(pid_t sid)
{
	struct dirent *de;
	DIR *d;
	pid_t pid;

	kill(-sid, SIGKILL);
	if ((d = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (getsid(pid) == sid)
			kill(pid, SIGKILL);
	}
	closedir(d);
}

static void
dump(const struct session *s)
{
	size_t off;
	ssize_t n;

	for (off = 0; off < s->len; off += n)
		if ((n = write(STDOUT_FILENO, s->out + off, s->len - off)) <= 0)
			return;
}

/* A step failed: show what is left of the output, kill, end with 99. */
static void
fail(struct session *s, const char *what, const char *text)
{
	if (text != NULL)
		fprintf(stderr, "ptyrun: %s '%s' failed; output so far:\n",
		    what, text);
	else
		fprintf(stderr, "ptyrun: %s failed; output so far:\n", what);
	if (s->len > s->pos)
		fwrite(s->out + s->pos, 1, s->len - s->pos, stderr);
	fprintf(stderr, "\n");
	kill_session(s->pid);
	if (!s->exited) {
		if (waitpid(s->pid, &s->status, 0) == -1)
			warn("waitpid");
	}
	dump(s);
	fprintf(stderr, "ptyrun: status=%d\n", EXIT_FAIL);
	exit(EXIT_FAIL);
}

static void
do_expect(struct session *s, const struct step *st)
{
	char *hit;

	for (;;) {
		hit = NULL;
		if (s->len > s->pos)
			hit = memmem(s->out + s->pos, s->len - s->pos,
			    st->text, st->len);
		if (hit != NULL) {
			s->pos = hit - s->out + st->len;
			return;
		}
		if (gone(s) || now_ms() >= s->deadline)
			fail(s, "expect", st->raw);
		pump(s, horizon(s));
	}
}

static void
do_send(struct session *s, const struct step *st)
{
	s->wbuf = st->text;
	s->wlen = st->len;
	while (s->wlen > 0) {
		if (s->eof || now_ms() >= s->deadline || pump_write(s) == -1)
			fail(s, "send", st->raw);
		if (s->wlen > 0)
			pump(s, s->deadline);
	}
}

static void
do_sleep(struct session *s, const struct step *st)
{
	int64_t end;

	end = now_ms() + st->ms;
	while (now_ms() < end) {
		if (now_ms() >= s->deadline)
			fail(s, "sleep", NULL);
		pump(s, end < s->deadline ? end : s->deadline);
	}
}

/*
 * waitfile PATH [TEXT]: until PATH exists (and holds TEXT), polling every
 * 10 ms and reading the terminal meanwhile.
 */
static int
file_has(const char *path, const char *text)
{
	char	 buf[8192];
	size_t	 n;
	FILE	*f;

	if (text == NULL)
		return access(path, F_OK) == 0;
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

static void
do_waitfile(struct session *s, const struct step *st)
{
	char	path[4096], *text;
	int64_t	next;

	strlcpy(path, st->text, sizeof(path));
	if ((text = strchr(path, ' ')) != NULL)
		*text++ = '\0';
	while (!file_has(path, text)) {
		if (now_ms() >= s->deadline)
			fail(s, "waitfile", st->raw);
		next = now_ms() + 10;
		pump(s, next < s->deadline ? next : s->deadline);
	}
}

static void
do_eof(struct session *s)
{
	while (!s->exited || !gone(s)) {
		if (now_ms() >= s->deadline)
			fail(s, "eof", NULL);
		pump(s, horizon(s));
	}
}

/*
 * Wait for the command within the deadline, still reading so that it
 * never blocks on a full terminal, then mirror its status.
 */
static void
finish(struct session *s)
{
	int code;

	while (!s->exited) {
		if (now_ms() >= s->deadline)
			fail(s, "waiting for the command", NULL);
		pump(s, s->deadline);
	}
	while (!gone(s) && now_ms() < s->deadline)
		pump(s, horizon(s));
	if (WIFEXITED(s->status))
		code = WEXITSTATUS(s->status);
	else
		code = 128 + WTERMSIG(s->status);
	dump(s);
	fprintf(stderr, "ptyrun: status=%d\n", code);
	exit(code);
}

int
main(int argc, char **argv)
{
	struct session s = {
		.pid = -1,
		.master = -1,
		.sigfd = -1,
		.logfd = -1,
	};
	struct script sc = { NULL, 0 };
	const char *logfile = NULL, *scriptfile = NULL;
	int64_t timeout = 10000;
	size_t i;
	int ch;

	while ((ch = getopt(argc, argv, "+l:s:T:")) != -1) {
		switch (ch) {
		case 'l':
			logfile = optarg;
			break;
		case 's':
			scriptfile = optarg;
			break;
		case 'T':
			timeout = seconds_parse(optarg);
			break;
		default:
			usage();
		}
	}
	if (scriptfile == NULL || optind == argc)
		usage();
	script_read(&sc, scriptfile);
	if (logfile != NULL && (s.logfd = open(logfile,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) == -1)
		err(EXIT_FAIL, "%s", logfile);
	s.deadline = now_ms() + timeout;
	spawn(&s, argv + optind);
	for (i = 0; i < sc.n; i++) {
		switch (sc.steps[i].op) {
		case OP_EXPECT:
			do_expect(&s, &sc.steps[i]);
			break;
		case OP_SEND:
			do_send(&s, &sc.steps[i]);
			break;
		case OP_SLEEP:
			do_sleep(&s, &sc.steps[i]);
			break;
		case OP_WAITFILE:
			do_waitfile(&s, &sc.steps[i]);
			break;
		case OP_EOF:
			do_eof(&s);
			break;
		}
	}
	finish(&s);
}
