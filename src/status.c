/*
 * status.c: the one place where a wait status becomes usher's own end.
 *
 * The rule, as the man page states it: an exit status N is usher's status
 * N.  Death by signal N counts as 128+N for --exit-map; unmapped, usher
 * dies by the same signal (so a shell sees what it would have seen without
 * usher), or exits 128+N with --exit-code-only and as PID 1, where the
 * kernel will not deliver a fatal signal to usher.
 */
#include <sys/wait.h>

#include <stdlib.h>
#include <unistd.h>

#include "signals.h"
#include "status.h"

/* The status a shell would show: N, or 128+N for death by signal N. */
int
status_code(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

void
status_outcome(const struct usher_config *cfg, int wstatus,
    struct outcome *o)
{
	size_t	i;

	o->code = status_code(wstatus);
	o->die = 0;
	for (i = cfg->nexitmap; i-- > 0;) {
		if (cfg->exitmap[i].from == o->code) {
			o->code = cfg->exitmap[i].to;
			return;
		}
	}
	if (WIFSIGNALED(wstatus) && !cfg->exit_code_only && getpid() != 1)
		o->die = WTERMSIG(wstatus);
}

_Noreturn void
status_end(const struct outcome *o)
{
	if (o->die != 0)
		signals_die(o->die);
	exit(o->code);
}
