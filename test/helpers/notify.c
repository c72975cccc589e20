/*
 * notify [-n] MESSAGE: send MESSAGE as one datagram to the socket named in
 * NOTIFY_SOCKET (a path, or @name for the abstract namespace), as
 * sd_notify(3) does; with -n, without waiting for room in its queue.
 * Exits 0, or 1 with a message.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	const char		*name;
	socklen_t		 len;
	size_t			 n;
	int			 fd, flags = 0;

	if (argc == 3 && strcmp(argv[1], "-n") == 0) {
		flags = MSG_DONTWAIT;
		argv++;
		argc--;
	}
	if (argc != 2)
		errx(1, "usage: notify [-n] MESSAGE");
	if ((name = getenv("NOTIFY_SOCKET")) == NULL || *name == '\0')
		errx(1, "NOTIFY_SOCKET is not set");
	if ((n = strlen(name)) >= sizeof(sun.sun_path))
		errx(1, "NOTIFY_SOCKET is too long");
	memcpy(sun.sun_path, name, n);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (sendto(fd, argv[1], strlen(argv[1]), flags, (struct sockaddr *)&sun,
	    len) == -1)
		err(1, "sendto %s", name);
	close(fd);
	return 0;
}
