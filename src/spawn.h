/*
 * spawn.h: start the command (SPEC §2, §8).
 *
 * Everything that can fail in usher is prepared before fork into a struct
 * launch, the state of a start that the config does not hold (the fds
 * opened for the fd maps among it).  spawn_start() forks; the child sets
 * itself up (group or session, terminal, fd maps, cwd, umask, the terminal
 * guard and the user with -u, parent-death signal, environment, the
 * caller's signal state) and execs.  Any failure in the child travels back
 * through a close-on-exec pipe, the link (link.h): one status byte and one
 * message line; end of file without a word means exec succeeded.
 * spawn_result() reads it.  spawn_exec() does the same setup in usher
 * itself and execs in place (-x), its failure told on the link of -d, or
 * on stderr.
 */
#ifndef SPAWN_H
#define SPAWN_H

#include <sys/types.h>

#include "jobctl.h"
#include "link.h"
#include "pidlock.h"
#include "usher.h"
#include "user.h"

struct launch {
	const struct usher_config *cfg;
	struct fdmap_src *src;		/* one per cfg->fdmaps[i], from
					   fdmap_open(); NULL before */
	char		**envp;		/* the command's environment */
	struct ident	  ident;	/* -u */
	struct jobctl	  jc;		/* the terminal, foreground mode */
	int		  pdeathsig;	/* 0 for none */
	pid_t		  parent;	/* -x: whose death sends pdeathsig */
	const struct pidlock *lock;	/* -x -p: the command keeps its lock;
					   removed if exec fails */
};

/* A message line and its NUL, as the link carries it (link.h). */
#define SPAWN_MSG_MAX	LINK_MSG_MAX

pid_t	spawn_start(const struct launch *, int *);
int	spawn_result(int, int *, char *, size_t);
_Noreturn void	spawn_exec(const struct launch *, int);

#endif /* SPAWN_H */
