/*
 * sigq PID SIGNAL VALUE: send SIGNAL to PID with sigqueue(3), carrying the
 * integer VALUE, as no shell builtin can.  Exits 0, or 1 with a message.
 */
#include <err.h>
#include <signal.h>
#include <stdlib.h>

#include "signame.h"

int
main(int argc, char *argv[])
{
	union sigval	 v;
	const char	*errstr;
	long long	 pid;
	int		 sig;

	if (argc != 4)
		errx(1, "usage: sigq PID SIGNAL VALUE");
	pid = strtonum(argv[1], 1, 1 << 22, &errstr);
	if (errstr != NULL)
		errx(1, "pid %s: %s", argv[1], errstr);
	if ((sig = signame_parse(argv[2])) == -1)
		errx(1, "%s: bad signal", argv[2]);
	v.sival_int = (int)strtonum(argv[3], -1000000, 1000000, &errstr);
	if (errstr != NULL)
		errx(1, "value %s: %s", argv[3], errstr);
	if (sigqueue((pid_t)pid, sig, v) == -1)
		err(1, "sigqueue");
	return 0;
}
