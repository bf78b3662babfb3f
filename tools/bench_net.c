#include "bench_net.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void bench_pkt_write(uint8_t *buf, const struct bench_pkt *p)
{
    uint32_t magic = BENCH_PKT_MAGIC;

    memcpy(buf, &magic, 4);
    memcpy(buf + 4, &p->run, 4);
    memcpy(buf + 8, &p->flow, 4);
    memcpy(buf + 12, &p->seq, 4);
    memcpy(buf + 16, &p->sent_ns, 8);
}

bool bench_pkt_read(const uint8_t *buf, size_t len, struct bench_pkt *p)
{
    uint32_t magic = 0;

    if (len < BENCH_PKT_HDR_LEN) {
        return false;
    }
    memcpy(&magic, buf, 4);
    if (magic != BENCH_PKT_MAGIC) {
        return false;
    }
    memcpy(&p->run, buf + 4, 4);
    memcpy(&p->flow, buf + 8, 4);
    memcpy(&p->seq, buf + 12, 4);
    memcpy(&p->sent_ns, buf + 16, 8);
    return true;
}

bool bench_net_is_loopback(const struct addr *a)
{
    static const uint8_t v6_loopback[16] = {[15] = 1};
    struct addr c = addr_canonical(a);

    if (c.family == AF_INET) {
        return c.ip[0] == 127;
    }
    return c.family == AF_INET6 && memcmp(c.ip, v6_loopback, sizeof(v6_loopback)) == 0;
}

/* Sets both buffer sizes; the kernel caps them at its maxima, which is fine. */
static void bench_net_buffers(int fd, int bytes)
{
    if (bytes <= 0) {
        return;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}

int bench_net_udp_open(const struct addr *local, const struct addr *remote, int buf_bytes,
                       char *err, size_t err_len)
{
    struct sockaddr_storage ss;
    char text[ADDR_STR_LEN];

    if (!bench_net_is_loopback(local) || (remote != NULL && !bench_net_is_loopback(remote))) {
        (void)snprintf(err, err_len, "refusing a non-loopback address");
        return -1;
    }
    int fd = socket(local->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        (void)snprintf(err, err_len, "socket() failed: %s", strerror(errno));
        return -1;
    }
    bench_net_buffers(fd, buf_bytes);
    socklen_t len = addr_to_sockaddr(local, &ss);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
        (void)snprintf(err, err_len, "bind() to %s failed: %s",
                       addr_format(local, text, sizeof(text)), strerror(errno));
        goto out_close;
    }
    if (remote != NULL) {
        len = addr_to_sockaddr(remote, &ss);
        if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
            (void)snprintf(err, err_len, "connect() to %s failed: %s",
                           addr_format(remote, text, sizeof(text)), strerror(errno));
            goto out_close;
        }
    }
    return fd;

out_close:
    (void)close(fd);
    return -1;
}

int bench_net_local_addr(int fd, struct addr *out)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        return -1;
    }
    return addr_from_sockaddr(out, (struct sockaddr *)&ss, len);
}

void bench_net_close(int *fd)
{
    if (*fd >= 0) {
        (void)close(*fd);
        *fd = -1;
    }
}
