#include "tap.h"
#include "util/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* Binds a datagram socket at path; returns it or -1. */
static int notify_test_listen(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct timeval wait = {.tv_sec = 2};
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

    (void)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    (void)unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        return -1;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
    return fd;
}

int main(void)
{
    char path[64];
    char buf[128];

    (void)unsetenv("NOTIFY_SOCKET");
    TAP_EQ_INT(notify_send("READY=1"), 0, "without NOTIFY_SOCKET nothing is sent");

    (void)snprintf(path, sizeof(path), "/tmp/tern-notify-%ld.sock", (long)getpid());
    int fd = notify_test_listen(path);
    TAP_CHECK(fd >= 0, "a test socket is bound");
    (void)setenv("NOTIFY_SOCKET", path, 1);
    TAP_EQ_INT(notify_send("READY=1\nSTATUS=test"), 1, "a state is sent");
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    TAP_CHECK(strcmp(buf, "READY=1\nSTATUS=test") == 0, "the manager receives it whole (%zd bytes)",
              n);

    (void)setenv("NOTIFY_SOCKET", "/nonexistent/dir/sock", 1);
    TAP_EQ_INT(notify_send("READY=1"), -1, "a socket that does not exist is an error");
    (void)close(fd);
    (void)unlink(path);
    return tap_done();
}
