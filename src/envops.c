/*
 * envops.c: build a new environment array.  Entries point into the
 * caller's environment or the command line, or are allocated here; the
 * array lives until exec, so nothing is freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envops.h"

extern char	**environ;

struct env {
	char	**v;
	size_t	  n;
};

static void	env_unset(struct env *, const char *, size_t);
static int	env_put(struct env *, char *);
static int	env_set(struct env *, const char *, const char *);

/* Remove every NAME= entry; name is len bytes long. */
static void
env_unset(struct env *e, const char *name, size_t len)
{
	size_t	i, j;

	for (i = j = 0; i < e->n; i++) {
		if (strncmp(e->v[i], name, len) == 0 && e->v[i][len] == '=')
			continue;
		e->v[j++] = e->v[i];
	}
	e->n = j;
	e->v[e->n] = NULL;
}

/* Add the entry NAME=VALUE, replacing NAME's old ones. */
static int
env_put(struct env *e, char *entry)
{
	char	**v;

	env_unset(e, entry, strcspn(entry, "="));
	if ((v = reallocarray(e->v, e->n + 2, sizeof(*v))) == NULL)
		return -1;
	e->v = v;
	e->v[e->n++] = entry;
	e->v[e->n] = NULL;
	return 0;
}

static int
env_set(struct env *e, const char *name, const char *value)
{
	char	*entry;

	if (value == NULL)
		return 0;
	if (asprintf(&entry, "%s=%s", name, value) == -1)
		return -1;
	return env_put(e, entry);
}

/*
 * The command's environment, or NULL when memory runs out.  extra, a
 * NAME=VALUE of usher's own (NOTIFY_SOCKET), goes in before -E and -U.
 */
char **
envops_build(const struct envop *ops, size_t nops, const struct ident *id,
    const char *extra)
{
	struct env	 e = { NULL, 0 };
	size_t		 i, n;

	for (n = 0; environ[n] != NULL; n++)
		continue;
	if ((e.v = reallocarray(NULL, n + 1, sizeof(*e.v))) == NULL)
		return NULL;
	memcpy(e.v, environ, (n + 1) * sizeof(*e.v));
	e.n = n;
	if (id->set && (env_set(&e, "HOME", id->home) == -1 ||
	    env_set(&e, "USER", id->name) == -1 ||
	    env_set(&e, "LOGNAME", id->name) == -1 ||
	    env_set(&e, "SHELL", id->shell) == -1))
		return NULL;
	if (extra != NULL && extra[0] != '\0' &&
	    env_put(&e, (char *)extra) == -1)
		return NULL;
	for (i = 0; i < nops; i++) {
		if (ops[i].unset)
			env_unset(&e, ops[i].arg, strlen(ops[i].arg));
		else if (env_put(&e, (char *)ops[i].arg) == -1)
			return NULL;
	}
	return e.v;
}
