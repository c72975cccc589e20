/*
 * user.h: -u USER[:GROUP] (SPEC §3).  user_lookup() resolves the account
 * in usher before anything is forked; user_apply() runs in the child and
 * drops supplementary groups, then the gid, then the uid, and checks that
 * root cannot be regained.  user_apply() is async-signal-safe.
 */
#ifndef USER_H
#define USER_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

struct ident {
	bool	 set;		/* -u was given */
	uid_t	 uid;
	gid_t	 gid;
	gid_t	*groups;	/* supplementary groups */
	int	 ngroups;
	char	*name;		/* from the account, or NULL */
	char	*home;
	char	*shell;
};

int	user_lookup(const char *, struct ident *, char *, size_t);
int	user_apply(const struct ident *, const char **);

#endif /* USER_H */
