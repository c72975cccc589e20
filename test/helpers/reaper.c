/*
 * reaper [-k MICROSECONDS] [-T SECONDS] COMMAND [ARG]...: run COMMAND as a
 * child subreaper would, and account for every descendant.
 *
 * It becomes a child subreaper, starts COMMAND, optionally kills it with
 * SIGKILL after the given delay, then reaps every process that ends below
 * it, COMMAND first or not, printing one line each:
 *     pid=N exit=N      or      pid=N signal=N
 * with " cmd" appended for COMMAND itself.  It exits 0 once nothing is
 * left, or 99 after -T seconds (default 10), killing what remains.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void	report(pid_t, int, pid_t);
static void	on_alarm(int);

static void
report(pid_t pid, int st, pid_t cmd)
{
	if (WIFSIGNALED(st))
		printf("pid=%d signal=%d%s\n", (int)pid, WTERMSIG(st),
		    pid == cmd ? " cmd" : "");
	else
		printf("pid=%d exit=%d%s\n", (int)pid, WEXITSTATUS(st),
		    pid == cmd ? " cmd" : "");
	fflush(stdout);
}

static void
on_alarm(int sig)
{
	(void)sig;
	kill(0, SIGKILL);
	_exit(99);
}

int
main(int argc, char *argv[])
{
	struct timespec	 ts;
	long		 delay = -1, secs = 10;
	pid_t		 cmd, pid;
	int		 c, st;

	while ((c = getopt(argc, argv, "+k:T:")) != -1) {
		if (c == 'k')
			delay = strtol(optarg, NULL, 10);
		else if (c == 'T')
			secs = strtol(optarg, NULL, 10);
		else
			return 97;
	}
	if (optind >= argc)
		errx(97, "usage: reaper [-k US] [-T S] COMMAND [ARG]...");
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		err(97, "PR_SET_CHILD_SUBREAPER");
	setpgid(0, 0);
	signal(SIGALRM, on_alarm);
	alarm((unsigned)secs);
	if ((cmd = fork()) == -1)
		err(97, "fork");
	if (cmd == 0) {
		execvp(argv[optind], argv + optind);
		err(127, "%s", argv[optind]);
	}
	if (delay >= 0) {
		ts.tv_sec = delay / 1000000;
		ts.tv_nsec = (delay % 1000000) * 1000;
		nanosleep(&ts, NULL);
		kill(cmd, SIGKILL);
	}
	while ((pid = wait(&st)) != -1 || errno == EINTR)
		if (pid != -1)
			report(pid, st, cmd);
	return 0;
}
