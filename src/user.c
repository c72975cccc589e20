/*
 * user.c: resolve and assume an identity.  A USER that is a number with no
 * account is taken as a bare uid, but then GROUP is required: there is no
 * account to take a group from, and guessing one (root's, say) would be
 * worse than asking.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "num.h"
#include "user.h"

static struct passwd	*pw_lookup(const char *, uid_t, bool *);
static struct passwd	*pw_file(const char *, uid_t);
static int	group_lookup(const char *, gid_t *);
static int	account_copy(const struct passwd *, struct ident *);
static int	groups_of(struct ident *, bool);
static int	groups_file(struct ident *);
static int	group_add(struct ident *, gid_t, int *);

/*
 * Where NSS finds nothing, the files themselves.  A static usher in an
 * image that has /etc/passwd and /etc/group but no NSS modules (glibc's
 * static getpwnam() loads them) still resolves -u; so does a dynamic one
 * whose nsswitch.conf names no source that has the account.
 */
#define PASSWD_FILE	"/etc/passwd"
#define GROUP_FILE	"/etc/group"

/*
 * The static build (make static) asks the files alone: glibc's static
 * getpwnam() would load the NSS modules of whatever image it runs in,
 * which need not match the glibc it was linked with.
 */
#ifdef USHER_FILES_ONLY
static const bool	use_nss = false;
#else
static const bool	use_nss = true;
#endif

/*
 * The account named name, or (name NULL) with uid: from NSS, and then
 * *nss is true, or from /etc/passwd.
 */
static struct passwd *
pw_lookup(const char *name, uid_t uid, bool *nss)
{
	struct passwd	*pw = NULL;

	*nss = use_nss && (pw = name != NULL ? getpwnam(name) :
	    getpwuid(uid)) != NULL;
	return *nss ? pw : pw_file(name, uid);
}

/* The first entry of /etc/passwd named name, or (name NULL) with uid. */
static struct passwd *
pw_file(const char *name, uid_t uid)
{
	struct passwd	*pw;
	FILE		*fp;

	if ((fp = fopen(PASSWD_FILE, "re")) == NULL)
		return NULL;
	while ((pw = fgetpwent(fp)) != NULL)
		if (name != NULL ? strcmp(pw->pw_name, name) == 0 :
		    pw->pw_uid == uid)
			break;
	(void)fclose(fp);	/* read only: nothing to lose */
	return pw;
}

/* GROUP by name, or as a number. */
static int
group_lookup(const char *s, gid_t *gid)
{
	struct group	*gr;
	FILE		*fp;
	long long	 n;

	if (use_nss && (gr = getgrnam(s)) != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	if ((fp = fopen(GROUP_FILE, "re")) != NULL) {
		while ((gr = fgetgrent(fp)) != NULL &&
		    strcmp(gr->gr_name, s) != 0)
			continue;
		(void)fclose(fp);	/* read only: nothing to lose */
		if (gr != NULL) {
			*gid = gr->gr_gid;
			return 0;
		}
	}
	/* (gid_t)-1 means "unchanged" to setgid(2): no group. */
	if (num_dec(s, 0, UINT32_MAX - 1, &n) == -1)
		return -1;
	*gid = (gid_t)n;
	return 0;
}

static int
account_copy(const struct passwd *pw, struct ident *id)
{
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	id->name = strdup(pw->pw_name);
	id->home = strdup(pw->pw_dir);
	id->shell = strdup(pw->pw_shell);
	if (id->name == NULL || id->home == NULL || id->shell == NULL)
		return -1;
	return 0;
}

/*
 * The supplementary groups of the account, with its primary gid: from
 * NSS where NSS knew the account (nss), else from /etc/group.
 */
static int
groups_of(struct ident *id, bool nss)
{
	int	n = 16;

	if (!nss)
		return groups_file(id);
	for (;;) {
		id->ngroups = n;
		id->groups = reallocarray(id->groups, (size_t)n,
		    sizeof(gid_t));
		if (id->groups == NULL)
			return -1;
		if (getgrouplist(id->name, id->gid, id->groups,
		    &id->ngroups) != -1)
			return 0;
		if (id->ngroups <= n)
			n *= 2;
		else
			n = id->ngroups;
	}
}

/* The primary gid, and every group of /etc/group that lists the account. */
static int
groups_file(struct ident *id)
{
	struct group	 *gr;
	FILE		 *fp;
	char		**m;
	int		  size = 0;

	id->ngroups = 0;
	if (group_add(id, id->gid, &size) == -1)
		return -1;
	if ((fp = fopen(GROUP_FILE, "re")) == NULL)
		return 0;
	while ((gr = fgetgrent(fp)) != NULL)
		for (m = gr->gr_mem; *m != NULL; m++)
			if (strcmp(*m, id->name) == 0 &&
			    group_add(id, gr->gr_gid, &size) == -1) {
				(void)fclose(fp);	/* read only: nothing to lose */
				return -1;
			}
	(void)fclose(fp);	/* read only: nothing to lose */
	return 0;
}

/* Add gid to id's groups, once; size is the room in id->groups. */
static int
group_add(struct ident *id, gid_t gid, int *size)
{
	gid_t	*g;
	int	 i;

	for (i = 0; i < id->ngroups; i++)
		if (id->groups[i] == gid)
			return 0;
	if (id->ngroups == *size) {
		g = reallocarray(id->groups, (size_t)*size + 16, sizeof(*g));
		if (g == NULL)
			return -1;
		id->groups = g;
		*size += 16;
	}
	id->groups[id->ngroups++] = gid;
	return 0;
}

/*
 * Resolve spec (USER[:GROUP]) into *id.  On failure writes the reason to
 * err and returns -1.
 */
int
user_lookup(const char *spec, struct ident *id, char *err, size_t len)
{
	struct passwd	*pw;
	const char	*colon;
	char		 user[256];
	long long	 n;
	bool		 isnum, nss = false;

	colon = strchr(spec, ':');
	if (strlcpy(user, spec, sizeof(user)) >= sizeof(user) ||
	    user[0] == '\0' || (colon != NULL && colon[1] == '\0')) {
		(void)snprintf(err, len, "-u: invalid user '%s'", spec);
		return -1;
	}
	if (colon != NULL)
		user[colon - spec] = '\0';
	id->set = true;
	errno = 0;
	if ((pw = pw_lookup(user, 0, &nss)) == NULL) {
		isnum = num_dec(user, 0, UINT32_MAX - 1, &n) == 0;
		if (isnum)
			pw = pw_lookup(NULL, (uid_t)n, &nss);
		if (pw == NULL && !isnum) {
			(void)snprintf(err, len, "-u: unknown user '%s'", user);
			return -1;
		}
		if (pw == NULL && colon == NULL) {
			(void)snprintf(err, len, "-u: uid %s has no account: "
			    "give a group as %s:GROUP", user, user);
			return -1;
		}
		id->uid = (uid_t)n;
	}
	if (pw != NULL && account_copy(pw, id) == -1) {
		(void)snprintf(err, len, "-u: %s", strerror(ENOMEM));
		return -1;
	}
	if (colon != NULL) {
		if (group_lookup(colon + 1, &id->gid) == -1) {
			(void)snprintf(err, len, "-u: unknown group '%s'",
			    colon + 1);
			return -1;
		}
		id->groups = malloc(sizeof(gid_t));
		if (id->groups == NULL) {
			(void)snprintf(err, len, "-u: %s", strerror(ENOMEM));
			return -1;
		}
		id->groups[0] = id->gid;
		id->ngroups = 1;
	} else if (groups_of(id, nss) == -1) {
		(void)snprintf(err, len, "-u: %s", strerror(ENOMEM));
		return -1;
	}
	return 0;
}

/*
 * Become id: groups first, then gid, then uid, since each step needs the
 * privilege the next one gives up.  Then make sure root is gone for good.
 * Returns 0, or -1 with errno set and *step naming what failed.
 */
int
user_apply(const struct ident *id, const char **step)
{
	if (setgroups((size_t)id->ngroups, id->groups) == -1) {
		*step = "setgroups";
		return -1;
	}
	if (setgid(id->gid) == -1) {
		*step = "setgid";
		return -1;
	}
	if (setuid(id->uid) == -1) {
		*step = "setuid";
		return -1;
	}
	if (id->uid != 0 && (setuid(0) != -1 || seteuid(0) != -1)) {
		*step = "root could be regained";
		errno = EPERM;
		return -1;
	}
	return 0;
}
