/*
 * status.h: turn the command's wait status into usher's end (SPEC §6).
 * status_outcome() decides, status_end() carries it out.
 */
#ifndef STATUS_H
#define STATUS_H

#include "usher.h"

struct outcome {
	int	code;		/* the status a shell sees */
	int	die;		/* die by this signal, or 0 to exit(code) */
};

int		status_code(int);
void		status_outcome(const struct usher_config *, int,
		    struct outcome *);
_Noreturn void	status_end(const struct outcome *);

#endif /* STATUS_H */
