"""A private redis-server for Tern's Redis tests, and a small RESP client.

Standard library only. RedisServer starts Debian's redis-server on a unix
socket inside a temporary directory (no TCP port at all), with persistence
off, and stops it by the PID it started; restart() brings it back on the
same socket, empty. Redis.command() speaks RESP2 over the socket.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import tern_harness as h


def redis_server_path():
    return shutil.which("redis-server") or "/usr/bin/redis-server"


def have_redis():
    return os.access(redis_server_path(), os.X_OK)


class RespError(Exception):
    pass


class Redis:
    """A blocking RESP2 client on a unix socket, for test set-up and checks."""

    def __init__(self, path, timeout=5.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode("utf-8", "replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RespError("unexpected reply %r" % line)

    def command(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))
        return self._reply()


class RedisServer:
    """redis-server on DIR/redis.sock for the length of a `with` block.
    persist: an append-only file synced on every write, so a restart (even
    after SIGKILL) finds the data again."""

    def __init__(self, persist=False, password=None):
        self.persist = persist
        self.password = password
        self.dir = tempfile.mkdtemp(prefix="tern-redis-")
        self.socket = os.path.join(self.dir, "redis.sock")
        self.proc = None

    def start(self, timeout=5.0):
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        self.proc = h.track_process(subprocess.Popen(
            [redis_server_path(), "--port", "0", "--unixsocket", self.socket,
             "--unixsocketperm", "700", "--save", "",
             "--appendonly", "yes" if self.persist else "no", "--appendfsync", "always",
             "--enable-debug-command", "yes", "--daemonize", "no", "--dir", self.dir]
            + (["--requirepass", self.password] if self.password else []),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                c = self.client()
                c.command("PING")
                c.close()
                return self
            except (OSError, ConnectionError, RespError):
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer on %s" % self.socket)

    def stop(self, sig_kill=False):
        if self.proc is not None:
            if sig_kill and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(5)
            h.stop_process(self.proc)
            self.proc = None

    def client(self):
        c = Redis(self.socket)
        if self.password:
            c.command("AUTH", self.password)
        return c

    def command(self, *args):
        c = self.client()
        try:
            return c.command(*args)
        finally:
            c.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def redis_config(server, node_id="node1", journal=None, refresh_s=30, extra=None):
    """The redis group of a tern.conf for server."""
    keys = {"enabled": True, "socket": server.socket, "node_id": node_id,
            "refresh_s": refresh_s}
    if journal:
        keys["journal"] = journal
    keys.update(extra or {})
    body = "\n".join("    %s = %s;" % (k, h._conf_value(v)) for k, v in keys.items())
    return "redis = {\n%s\n};\n" % body


def http_post(port, path, key=None, body=None, timeout=5.0):
    """POST to the ternd's HTTP endpoint: (status, text)."""
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method="POST",
                                 data=body.encode() if body is not None else b"")
    if key is not None:
        req.add_header("Authorization", "Bearer " + key)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def http_get(port, path, timeout=5.0):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def metric(port, name):
    """The value of an unlabelled metric, or None."""
    _, text = http_get(port, "/metrics")
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def wait_for(pred, timeout=5.0, step=0.05):
    """Polls pred() until it is true or timeout s passed; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def stream_records(server, key="tern:usage"):
    """The entries of the usage stream as dicts."""
    out = []
    for _entry_id, fields in server.command("XRANGE", key, "-", "+") or []:
        out.append(dict(zip(fields[0::2], fields[1::2])))
    return out
