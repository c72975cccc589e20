/*
 * fdmap.h: file descriptor maps (SPEC §4), -f SPEC and -o FILE.
 *
 * A struct fdmap is what was asked for, and part of the config: nothing
 * writes it once parsed.  What usher holds for each map at launch (the fd
 * it opened or was given, whether it created the file) lives apart, in an
 * array of struct fdmap_src, one per map, that the caller owns.
 *
 * fdmap_parse() turns one spec into a struct fdmap and fdmap_output() turns
 * -o FILE into two (pure); fdmap_fd() parses a target fd number alone.  An
 * fd number is digits only (num.h), at most the highest fd that the soft
 * RLIMIT_NOFILE allows.  fdmap_null() (-d: fd N on /dev/null) and
 * fdmap_slot() (fd N gets an fd that usher makes, such as --ready fd:N's
 * pipe) build the maps that usher adds itself (pure).  fdmap_check()
 * verifies, in usher before anything is opened, that every source fd
 * exists and no target is named twice.  fdmap_open() fills src[] before
 * fork: it opens the files, close-on-exec, creating them with mode 0666 &
 * ~cmd_umask, and takes each DUP map's source; fdmap_fill_slots() then
 * gives every slot its fd.  fdmap_apply() runs in the forked child (or in
 * usher before exec with -x): it applies every map at once from src[], each
 * source naming usher's fds as they were at start, and with close_others
 * closes every other fd above 2 except the nkeep fds in keep[] (usher's
 * own, close-on-exec, such as the error pipe), which it may renumber when
 * a map targets them; keep[] is updated then.  fdmap_unlink_new() removes
 * the files that fdmap_open() created, when they are still empty and still
 * at their paths: usher failed before the command started, and leaves
 * nothing behind (src NULL: nothing was opened).
void	fdmap_close_others(const struct fdmap *, size_t, const int *, size_t);
 * fdmap_apply() uses only async-signal-safe calls; the others allocate
 * nothing either.  Messages go into err without the "usher: " prefix.
 */
#ifndef FDMAP_H
#define FDMAP_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

enum fdmap_kind {
	FDMAP_DUP,	/* N=M: a copy of usher's fd M */
	FDMAP_CLOSE,	/* N=-: closed */
	FDMAP_FILE,	/* N<PATH, N>PATH, N>>PATH, N<>PATH, -o, -d */
	FDMAP_SLOT	/* an fd that usher makes (--ready fd:N) */
};

/* One map, as asked for. */
struct fdmap {
	const char	*spec;	/* as given, for messages */
	enum fdmap_kind	 kind;
	int		 fd;	/* N: the fd in the command */
	int		 src;	/* DUP: M */
	int		 flags;	/* FILE: open(2) flags */
	const char	*path;	/* FILE */
	int		 share;	/* FILE: -1, or k > 0 to share the file of
				   the map k entries earlier in the same
				   array (-o gives fd 2 fd 1's file: 1) */
};

/* What usher holds for one map at launch. */
struct fdmap_src {
	int		 fd;	/* copied onto N: DUP's M (or a copy of it),
				   FILE's open file, SLOT's fd; -1 for
				   CLOSE, or before it is known */
	bool		 created; /* FILE: fdmap_open() created the file */
};

int	fdmap_parse(const char *, struct fdmap *);
int	fdmap_fd(const char *, int *);
int	fdmap_output(const char *, struct fdmap [2]);
struct fdmap	fdmap_null(int, const char *);
struct fdmap	fdmap_slot(int, const char *);
int	fdmap_check(const struct fdmap *, size_t, char *, size_t);
int	fdmap_open(const struct fdmap *, size_t, struct fdmap_src *, mode_t,
	    char *, size_t);
void	fdmap_fill_slots(const struct fdmap *, size_t, struct fdmap_src *,
	    int);
void	fdmap_unlink_new(const struct fdmap *, const struct fdmap_src *,
	    size_t);
int	fdmap_apply(const struct fdmap *, const struct fdmap_src *, size_t,
	    bool, int *, size_t);
void	fdmap_close_others(const struct fdmap *, size_t, const int *, size_t);

#endif /* FDMAP_H */
