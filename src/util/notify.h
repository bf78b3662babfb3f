/*
 * The service manager's readiness protocol (systemd's sd_notify(3), spoken
 * directly: one datagram of "KEY=value" lines to the AF_UNIX socket named
 * by $NOTIFY_SOCKET), so that Type=notify units know when ternd is ready,
 * reloading or stopping. Without $NOTIFY_SOCKET nothing is sent.
 */
#ifndef TERN_UTIL_NOTIFY_H
#define TERN_UTIL_NOTIFY_H

/* Sends state (e.g. "READY=1\nSTATUS=listening") to the service manager. Returns 1 when sent,
 * 0 when no manager asked for notifications, -1 on an error (errno set). */
int notify_send(const char *state);

#endif
