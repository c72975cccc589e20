/*
 * path.h: make a path absolute against the cwd of the moment, so that a
 * later chdir (the command's -C, the daemon's "/") does not move it.
 * SPEC §5: every relative path usher is given is the caller's.
 */
#ifndef PATH_H
#define PATH_H

char	*path_absolute(const char *);

#endif /* PATH_H */
