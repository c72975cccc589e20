/*
 * envops.c: build a new environment array.  Entries point into the
 * caller's environment or the command line, or are the account's variables
 * that -u adds, made here; the array and those live until exec.  An entry
 * made here that a later -E or -U drops is freed then, so that nothing is
 * lost on the way (LeakSanitizer would say so).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envops.h"

extern char	**environ;

#define ENV_OWN	4	/* HOME, USER, LOGNAME, SHELL */

struct env {
	char	**v;
	size_t	  n;
	char	 *own[ENV_OWN];	/* the entries made here, or NULL */
};

static void	env_drop(struct env *, char *);
static void	env_unset(struct env *, const char *, size_t);
static int	env_put(struct env *, char *);
static int	env_set(struct env *, const char *, const char *);
static char	**env_fail(struct env *);

/* An entry leaves the array: free it if it was made here. */
static void
env_drop(struct env *e, char *entry)
{
	size_t	i;

	for (i = 0; i < ENV_OWN; i++) {
		if (e->own[i] == entry) {
			free(entry);
			e->own[i] = NULL;
			return;
		}
	}
}

/* Remove every NAME= entry; name is len bytes long. */
static void
env_unset(struct env *e, const char *name, size_t len)
{
	size_t	i, j;

	for (i = j = 0; i < e->n; i++) {
		if (strncmp(e->v[i], name, len) == 0 && e->v[i][len] == '=') {
			env_drop(e, e->v[i]);
			continue;
		}
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

/* NAME=VALUE made here, unless value is NULL. */
static int
env_set(struct env *e, const char *name, const char *value)
{
	char	*entry;
	size_t	 i;

	if (value == NULL)
		return 0;
	for (i = 0; i < ENV_OWN && e->own[i] != NULL; i++)
		continue;
	if (i == ENV_OWN || asprintf(&entry, "%s=%s", name, value) == -1)
		return -1;
	if (env_put(e, entry) == -1) {
		free(entry);
		return -1;
	}
	e->own[i] = entry;
	return 0;
}

/* Out of memory: free what was made, and say so with NULL. */
static char **
env_fail(struct env *e)
{
	size_t	i;

	for (i = 0; i < ENV_OWN; i++)
		free(e->own[i]);
	free(e->v);
	return NULL;
}

/*
 * The command's environment, or NULL when memory runs out.  extra, a
 * NAME=VALUE of usher's own (NOTIFY_SOCKET), goes in before -E and -U.
 */
char **
envops_build(const struct envop *ops, size_t nops, const struct ident *id,
    const char *extra)
{
	struct env	 e = { NULL, 0, { NULL } };
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
		return env_fail(&e);
	if (extra != NULL && extra[0] != '\0' &&
	    env_put(&e, (char *)extra) == -1)
		return env_fail(&e);
	for (i = 0; i < nops; i++) {
		if (ops[i].unset)
			env_unset(&e, ops[i].arg, strlen(ops[i].arg));
		else if (env_put(&e, (char *)ops[i].arg) == -1)
			return env_fail(&e);
	}
	return e.v;
}
