/*
 * sigflood [-d SECONDS] PID COUNT SIG...: send PID COUNT signals, cycling
 * through the SIG list, as fast as the kernel takes them.  A real-time
 * signal goes with sigqueue(3) and carries its sequence number (0 for the
 * first signal sent, 1 for the next, whatever its kind); a standard one
 * goes with kill(2).  Each signal sent is printed on stdout, "NAME VALUE"
 * for a real-time one and "NAME" for a standard one, so a test can compare
 * what was sent with what a probe received.
 *
 * When the target's queue is full (EAGAIN, RLIMIT_SIGPENDING) the same
 * signal is tried again after a millisecond: nothing is skipped.  Exits 0,
 * or 1 with a message, also when 30 seconds pass before all went.
 *
 * -d SECONDS floods for that long instead (COUNT is then the most it
 * sends, 0 for no limit), and a target that has ended ends the flood
 * quietly with status 0.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"
#include "signame.h"

#define SIGS_MAX	16

static const char	usage[] = "usage: sigflood [-d SECONDS] PID COUNT SIG...";

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * One signal, retried while the queue is full: 0 when it went, -1 when PID
 * is gone, -2 when the queue was still full at the deadline.
 */
static int
send_one(pid_t pid, int sig, int value, double deadline)
{
	struct timespec	 ms = { 0, 1000000 };
	union sigval	 v = { .sival_int = value };
	int		 r;

	for (;;) {
		if (sig >= SIGRTMIN)
			r = sigqueue(pid, sig, v);
		else
			r = kill(pid, sig);
		if (r == 0)
			return 0;
		if (errno == ESRCH)
			return -1;
		if (errno != EAGAIN)
			err(1, "signal %d to %d", sig, (int)pid);
		if (now() > deadline)
			return -2;
		nanosleep(&ms, NULL);
	}
}

int
main(int argc, char *argv[])
{
	struct timespec	 d = { 0, 0 };
	const char	*errstr;
	char		 name[SIGNAME_MAX];
	int		 sigs[SIGS_MAX], ch, r, nsigs = 0;
	long long	 pid, count, i;
	double		 end, limit;
	bool		 timed = false;

	while ((ch = getopt(argc, argv, "+d:")) != -1) {
		if (ch != 'd' || duration_parse(optarg, &d) == -1)
			errx(1, "%s", usage);
		timed = true;
	}
	argc -= optind;
	argv += optind;
	if (argc < 3 || argc - 2 > SIGS_MAX)
		errx(1, "%s", usage);
	pid = strtonum(argv[0], 1, 1 << 22, &errstr);
	if (errstr != NULL)
		errx(1, "pid %s: %s", argv[0], errstr);
	count = strtonum(argv[1], timed ? 0 : 1, 10000000, &errstr);
	if (errstr != NULL)
		errx(1, "count %s: %s", argv[1], errstr);
	for (i = 2; i < argc; i++)
		if ((sigs[nsigs++] = signame_parse(argv[i])) <= 0)
			errx(1, "%s: bad signal", argv[i]);
	end = now() + (double)d.tv_sec + (double)d.tv_nsec / 1e9;
	limit = now() + 30;
	for (i = 0; count == 0 || i < count; i++) {
		if (timed && now() > end)
			break;
		r = send_one((pid_t)pid, sigs[i % nsigs], (int)i,
		    timed ? end : limit);
		if (r != 0 && timed)
			break;
		if (r == -1)
			errx(1, "%lld: no such process", pid);
		if (r == -2)
			errx(1, "the queue of %lld stayed full", pid);
		signame_str(sigs[i % nsigs], name, sizeof(name));
		if (sigs[i % nsigs] >= SIGRTMIN)
			printf("%s %lld\n", name, i);
		else
			printf("%s\n", name);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
