/*
 * path.c: absolute paths, without resolving symbolic links or requiring
 * that the file exist yet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"

/* FILE made absolute; malloc'd, or NULL with errno set. */
char *
path_absolute(const char *file)
{
	char		*cwd, *abs;
	const char	*sep;
	size_t		 n;

	if (file[0] == '\0') {
		errno = ENOENT;
		return NULL;
	}
	if (file[0] == '/')
		return strdup(file);
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return NULL;
	n = strlen(cwd);
	sep = n > 0 && cwd[n - 1] == '/' ? "" : "/";
	if (asprintf(&abs, "%s%s%s", cwd, sep, file) == -1)
		abs = NULL;
	free(cwd);
	return abs;
}
