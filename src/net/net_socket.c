#include "net/net_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *net_socket_type_name(int type)
{
    return type == SOCK_STREAM ? "tcp" : "udp";
}

static void net_socket_err(char err[NET_ERR_LEN], const char *call, int type,
                           const struct addr *addr, int errnum)
{
    char a[ADDR_STR_LEN];

    (void)snprintf(err, NET_ERR_LEN, "%s() on %s %s failed: %s", call, net_socket_type_name(type),
                   addr_format(addr, a, sizeof(a)), strerror(errnum));
}

static int net_socket_set_int(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof(value));
}

int net_socket_probe_free(const struct addr *addr, int type, char err[NET_ERR_LEN])
{
    struct sockaddr_storage ss;
    socklen_t len = addr_to_sockaddr(addr, &ss);
    int fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        net_socket_err(err, "socket", type, addr, errno);
        return -1;
    }
    if (ss.ss_family == AF_INET6) {
        (void)net_socket_set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    }
    if (type == SOCK_STREAM) {
        /* Sockets in TIME_WAIT from an earlier run must not look busy. */
        (void)net_socket_set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    }
    int rc = bind(fd, (struct sockaddr *)&ss, len);
    int bind_errno = errno;
    close(fd);
    if (rc < 0) {
        net_socket_err(err, "bind", type, addr, bind_errno);
        return -1;
    }
    return 0;
}

static int net_socket_configure(int fd, const struct addr *addr, int type, bool reuseport)
{
    if (addr->family == AF_INET6 && net_socket_set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0) {
        return -1;
    }
    if (type == SOCK_STREAM && net_socket_set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0) {
        return -1;
    }
    if (reuseport && net_socket_set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1) < 0) {
        return -1;
    }
    return 0;
}

int net_socket_open(const struct addr *addr, int type, bool reuseport, char err[NET_ERR_LEN])
{
    struct sockaddr_storage ss;
    socklen_t len = addr_to_sockaddr(addr, &ss);
    int fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        net_socket_err(err, "socket", type, addr, errno);
        return -1;
    }
    if (net_socket_configure(fd, addr, type, reuseport) < 0) {
        net_socket_err(err, "setsockopt", type, addr, errno);
        goto out_close;
    }
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        net_socket_err(err, "bind", type, addr, errno);
        goto out_close;
    }
    if (type == SOCK_STREAM && listen(fd, 1024) < 0) {
        net_socket_err(err, "listen", type, addr, errno);
        goto out_close;
    }
    return fd;

out_close:
    close(fd);
    return -1;
}

void net_socket_set_buffers(int fd, int bytes)
{
    (void)net_socket_set_int(fd, SOL_SOCKET, SO_RCVBUF, bytes);
    (void)net_socket_set_int(fd, SOL_SOCKET, SO_SNDBUF, bytes);
}
