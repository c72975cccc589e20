/*
 * jobctl.c: terminal foreground hand-over.  Every tcsetpgrp() here is made
 * with SIGTTOU blocked (usher blocks everything; the child until just before
 * exec), which is what lets a background process group set the foreground.
 */
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "jobctl.h"

/* Open the controlling terminal, if any, and see whose it is. */
void
jobctl_open(struct jobctl *jc)
{
	jc->tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	jc->fg = jobctl_is_fg(jc);
}

/* Whether usher's own group is the terminal's foreground now. */
bool
jobctl_is_fg(const struct jobctl *jc)
{
	return jc->tty != -1 && tcgetpgrp(jc->tty) == getpgrp();
}

/* Make pgid the foreground group, if usher is (or was, at start) the
 * foreground job; the child calls this too, after it leaves usher's group. */
void
jobctl_give(const struct jobctl *jc, pid_t pgid)
{
	if (jc->tty != -1 && jc->fg)
		tcsetpgrp(jc->tty, pgid);
}

/*
 * Take the foreground back for usher's group, but only from the command's
 * group pgid: a foreground that the shell gave to another job stays there.
 */
void
jobctl_take(const struct jobctl *jc, pid_t pgid)
{
	if (jc->tty != -1 && tcgetpgrp(jc->tty) == pgid)
		tcsetpgrp(jc->tty, getpgrp());
}
