/*
 * envops.h: the command's environment (SPEC §8): the caller's, plus the
 * account's HOME, USER, LOGNAME and SHELL with -u, then -E and -U in the
 * order given.  Built in usher before fork; the child only installs it.
 */
#ifndef ENVOPS_H
#define ENVOPS_H

#include <stddef.h>

#include "usher.h"
#include "user.h"

char	**envops_build(const struct envop *, size_t, const struct ident *,
	    const char *);

#endif /* ENVOPS_H */
