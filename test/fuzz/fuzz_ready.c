/*
 * fuzz_ready.c: the two readers of readiness, ready_read(), fed through a
 * real pipe (--ready fd:N) and a real datagram socket (--ready notify).
 * The first byte picks the channel.  For the pipe, the rest is written to
 * it: ready exactly when a newline came, and at EOF without one "can no
 * longer say so".  For the socket, the rest is cut into datagrams at each
 * 0xff byte: ready exactly when one of them holds the line READY=1, as a
 * reader written here byte by byte decides.
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "fuzz.h"
#include "ready.h"

#define MAX_DGRAMS	16
#define MAX_INPUT	4000

static bool	has_ready_line(const uint8_t *, size_t);
static void	pipe_case(const uint8_t *, size_t);
static void	notify_case(const uint8_t *, size_t);

/* The reference: READY=1 between two line ends (or the ends). */
static bool
has_ready_line(const uint8_t *p, size_t n)
{
	size_t	start = 0, i;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '\n')
			continue;
		if (i - start == 7 && memcmp(p + start, "READY=1", 7) == 0)
			return true;
		start = i + 1;
	}
	return false;
}

static void
pipe_case(const uint8_t *data, size_t size)
{
	struct ready	r = { .kind = READY_FD, .cmdfd = -1 };
	int		p[2];
	bool		nl = memchr(data, '\n', size) != NULL;

	check(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
	r.fd = p[0];
	check(write(p[1], data, size) == (ssize_t)size);
	check(ready_read(&r) == (nl ? 1 : 0));
	close(p[1]);
	if (!nl)
		check(ready_read(&r) == -1);
	close(r.fd);
}

static void
notify_case(const uint8_t *data, size_t size)
{
	struct ready	 r = { .kind = READY_NOTIFY, .cmdfd = -1,
			    .uid = geteuid() };
	const uint8_t	*end = data + size, *cut;
	bool		 want = false;
	int		 sv[2], on = 1, n = 0;

	check(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, sv) == 0);
	check(setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)) == 0);
	r.fd = sv[0];
	for (; n < MAX_DGRAMS; data = cut + 1, n++) {
		if ((cut = memchr(data, 0xff, (size_t)(end - data))) == NULL)
			cut = end;
		check(send(sv[1], data, (size_t)(cut - data), 0) ==
		    (ssize_t)(cut - data));
		want = want || has_ready_line(data, (size_t)(cut - data));
		if (cut == end)
			break;
	}
	check(ready_read(&r) == (want ? 1 : 0));
	close(sv[1]);
	close(r.fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > MAX_INPUT)
		return 0;
	if (data[0] & 1)
		notify_case(data + 1, size - 1);
	else
		pipe_case(data + 1, size - 1);
	return 0;
}
