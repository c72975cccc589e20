/*
 * status.h: turn the command's wait status into usher's end (SPEC §6).
 */
#ifndef STATUS_H
#define STATUS_H

#include "usher.h"

int		status_code(int);
_Noreturn void	status_exit(const struct usher_config *, int);

#endif /* STATUS_H */
