/*
 * signame.c: the Linux signal names.  Real-time signals are named relative
 * to SIGRTMIN, as kill(1) names them, since glibc keeps the first two for
 * itself and SIGRTMIN is not a constant.
 */
#include <signal.h>
#include <string.h>
#include <strings.h>

#include "num.h"
#include "signame.h"

static const struct {
	const char	*name;
	int		 sig;
} names[] = {
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
	/* Aliases, after the canonical names so signame_str finds those. */
	{ "IOT", SIGABRT },	{ "CLD", SIGCHLD },	{ "POLL", SIGIO },
};

static int	rt_parse(const char *);
static int	num_parse(const char *, int, int);

/* A number from lo to hi, all of s (num.h); -1 otherwise. */
static int
num_parse(const char *s, int lo, int hi)
{
	long long	n;

	return num_dec(s, lo, hi, &n) == 0 ? (int)n : -1;
}

/* "RTMIN", "RTMIN+N", "RTMAX", "RTMAX-N" (case already folded). */
static int
rt_parse(const char *s)
{
	int	n, span = SIGRTMAX - SIGRTMIN;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		if (s[5] == '\0')
			return SIGRTMIN;
		if (s[5] != '+' || (n = num_parse(s + 6, 0, span)) == -1)
			return -1;
		return SIGRTMIN + n;
	}
	if (strncasecmp(s, "RTMAX", 5) == 0) {
		if (s[5] == '\0')
			return SIGRTMAX;
		if (s[5] != '-' || (n = num_parse(s + 6, 0, span)) == -1)
			return -1;
		return SIGRTMAX - n;
	}
	return -1;
}

/*
 * The signal named by s, or -1.  Numbers run from 1 to SIGRTMAX.
 */
int
signame_parse(const char *s)
{
	size_t	i;

	if (s == NULL || *s == '\0')
		return -1;
	if (*s >= '0' && *s <= '9')
		return num_parse(s, 1, SIGRTMAX);
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].sig;
	return rt_parse(s);
}

/*
 * Write the name of sig, without "SIG", into buf; return buf.  Unknown
 * numbers come out as the number.
 */
char *
signame_str(int sig, char *buf, size_t len)
{
	char		 num[12], *p = num + sizeof(num);
	size_t		 i, off = 0;
	int		 n = sig;
	unsigned	 u;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].sig == sig) {
			strlcpy(buf, names[i].name, len);
			return buf;
		}
	}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		off = strlcpy(buf, "RTMIN+", len);
		n = sig - SIGRTMIN;
	}
	/* The magnitude as unsigned: -INT_MIN does not fit an int. */
	u = n < 0 ? 0U - (unsigned)n : (unsigned)n;
	*--p = '\0';
	do {
		*--p = (char)('0' + u % 10);
	} while ((u /= 10) > 0);
	if (n < 0)
		*--p = '-';
	if (off < len)
		strlcpy(buf + off, p, len - off);
	return buf;
}
