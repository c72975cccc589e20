/*
 * signals.c: block everything, read through a signalfd, and hand the
 * caller's signal state back to the command untouched.
 *
 * Only SIGCHLD's disposition is ever changed in usher: a caller that
 * ignored it would make the kernel reap usher's children behind its back,
 * so usher resets it to the default and the command gets it ignored again.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>

#include <signal.h>
#include <stddef.h>
#include <unistd.h>

#include "signals.h"

static sigset_t	caller_mask;	/* the mask usher was started with */
static bool	chld_ignored;	/* the caller ignored SIGCHLD */

/*
 * Block every signal, save what the caller gave us.  Must run before
 * anything else can fail or fork, so no signal sent at usher's start is
 * lost: blocked signals stay pending, also in PID 1.
 */
void
signals_init(void)
{
	struct sigaction	sa;
	sigset_t		all, ignored;
	int			sig;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &caller_mask);
	sigemptyset(&ignored);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGCHLD && sigaction(sig, NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN)
			sigaddset(&ignored, sig);
	/* Blocked signals are queued even when ignored: unblock these. */
	sigprocmask(SIG_UNBLOCK, &ignored, NULL);
	if (sigaction(SIGCHLD, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
		chld_ignored = true;
		sa.sa_handler = SIG_DFL;
		sa.sa_flags = 0;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGCHLD, &sa, NULL);
	}
}

/*
 * A non-blocking, close-on-exec signalfd for every signal.  Signals that
 * the caller ignored never arrive: the kernel discards them at once, so
 * they are not forwarded either (nohup usher ... keeps HUP away).
 */
int
signals_fd(void)
{
	sigset_t	all;

	sigfillset(&all);
	return signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC);
}

/*
 * Another such signalfd, for the standard signals only: read from it, the
 * real-time ones stay pending in the kernel, which is how usher makes
 * their senders wait while the command cannot take more (sendq.h).
 */
int
signals_fd_std(void)
{
	sigset_t	std;
	int		sig;

	sigemptyset(&std);
	for (sig = 1; sig < SIGRTMIN; sig++)
		sigaddset(&std, sig);
	return signalfd(-1, &std, SFD_NONBLOCK | SFD_CLOEXEC);
}

/*
 * The next signal read from fd, a signalfd of signals_fd() or
 * signals_fd_std(), or 0 when none is there (or the read failed).
 */
int
signals_read(int fd)
{
	struct signalfd_siginfo	si;

	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}

/* In the child, before exec: the caller's dispositions and mask. */
void
signals_restore(void)
{
	struct sigaction	sa;

	if (chld_ignored) {
		sa.sa_handler = SIG_IGN;
		sa.sa_flags = 0;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGCHLD, &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, &caller_mask, NULL);
}

/* Whether sig is pending for usher now. */
bool
signals_pending(int sig)
{
	sigset_t	set;

	return sigpending(&set) == 0 && sigismember(&set, sig) == 1;
}

/*
 * Die by sig, as the command did, without a core dump.  Falls back to
 * exiting 128+sig if the signal does not kill (it may not, in PID 1).
 */
_Noreturn void
signals_die(int sig)
{
	struct sigaction	sa;
	struct rlimit		rl = { 0, 0 };
	sigset_t		set;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &rl);
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	if (getpid() != 1) {
		kill(getpid(), sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	_exit(128 + sig);
}

/*
 * A stop signal: TERM, INT, HUP, QUIT, or the one -S names.  It starts
 * -k's clock, is never followed by a restart, and before the command has
 * started it means the command never starts.
 */
bool
signals_is_stop(int sig, int stop_signal)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGHUP ||
	    sig == SIGQUIT || sig == stop_signal;
}

/*
 * Whether a process sent sig must get CONT after it: a stopped process acts
 * on no signal but KILL (and CONT itself) until it is continued.
 */
bool
signals_needs_cont(int sig)
{
	return sig != SIGKILL && sig != SIGCONT;
}

/*
 * Whether usher can hold or rewrite sig (-D, -R): a signal that reaches
 * usher and that it forwards.  KILL and STOP never reach it, and CHLD is
 * usher's own (it reaps), never forwarded.
 */
bool
signals_forwardable(int sig)
{
	return sig >= 1 && sig < NSIG && sig != SIGKILL && sig != SIGSTOP &&
	    sig != SIGCHLD;
}
