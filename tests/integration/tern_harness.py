"""Harness for Tern's integration tests: the real ternd on loopback.

Standard library only; run with Debian's /usr/bin/python3 (3.11). The tests
under tests/integration/ import this module from their own directory and
print TAP on stdout, read by automake's tap-driver.sh under `make check`.

What lives here:
  - Tap: ok/not ok lines with a counter, SKIP, diagnostics, a final plan,
    exit status 1 when any check failed, and a watchdog that bounds a script.
  - free_port(): a port free for both UDP and TCP on every given loopback IP;
    udp_echoes(): whether an echo server really answers on a port.
  - Ternd: a context manager that starts the binary named by $TERND, captures
    its output, waits for "server: ready:", stops it by its own PID and
    reports its exit status and any sanitizer report as TAP checks.
  - A small STUN client (RFC 8489): build Binding requests, parse and check
    responses, UDP transactions with retransmission and TCP framing.

Every packet goes to 127.0.0.1 or ::1 only. Processes are stopped by the PID
this module started, never by name.
"""

import atexit
import base64
import hashlib
import hmac
import ipaddress
import os
import random
import re
import select
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zlib

LOOPBACK4 = "127.0.0.1"
LOOPBACK6 = "::1"
ALLOWED_HOSTS = (LOOPBACK4, LOOPBACK6)

# Ports a test must never take: the STUN/TURN defaults an operator's server
# (or a stray coturn) may hold on this machine.
RESERVED_PORTS = frozenset((3478, 3479, 5349, 5350, 443))


# ---------------------------------------------------------------- TAP output


def _tap_clean(text):
    """A test name on one line, without '#' (which would start a directive)."""
    text = " ".join(str(text).split())
    return text.replace("#", "No.")


class Tap:
    """TAP producer: numbered ok / not ok lines, then the plan at the end.

    timeout_s arms a watchdog (SIGALRM): when the script runs longer, every
    ternd still running is killed (by PID), a failing line and "Bail out!"
    are printed and the script exits 1, so no test can hang `make check`.
    """

    def __init__(self, timeout_s=55):
        self.count = 0
        self.failed = 0
        self.finished = False
        if timeout_s:
            signal.signal(signal.SIGALRM, self._on_timeout)
            signal.alarm(int(timeout_s))

    def _emit(self, line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def ok(self, cond, name, diag=None):
        """One check. Returns cond as a bool so callers can chain on it."""
        self.count += 1
        good = bool(cond)
        status = "ok" if good else "not ok"
        self._emit("%s %d - %s" % (status, self.count, _tap_clean(name)))
        if not good:
            self.failed += 1
            if diag:
                self.diag(diag)
        return good

    def eq(self, got, expected, name, diag=None):
        """ok() on got == expected; on failure both values are printed."""
        good = got == expected
        extra = "got:      %r\nexpected: %r" % (got, expected)
        if diag:
            extra += "\n" + diag
        return self.ok(good, name, None if good else extra)

    def skip(self, name, reason):
        self.count += 1
        self._emit("ok %d - %s # SKIP %s" % (self.count, _tap_clean(name), _tap_clean(reason)))

    def todo(self, name, reason, diag=None):
        """A known gap: "not ok N - name # TODO reason", which TAP counts as
        an expected failure (it does not fail the script)."""
        self.count += 1
        self._emit("not ok %d - %s # TODO %s" % (self.count, _tap_clean(name), _tap_clean(reason)))
        if diag:
            self.diag(diag)

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            self._emit("# " + line)

    def run(self, name, func, *args, **kwargs):
        """Runs one group of checks; an exception in it becomes a failing
        check (with the traceback as diagnostics) and the script goes on."""
        try:
            func(*args, **kwargs)
        except TerndStartError as e:
            if not e.reported:
                self.ok(False, "%s: ternd started" % name, str(e))
        except Exception:  # noqa: BLE001 - any failure of a group is a test failure
            self.ok(False, "%s: completed without an exception" % name, traceback.format_exc())

    def finish(self):
        """Prints the plan and exits: 1 when any check failed (or none ran)."""
        signal.alarm(0)
        if self.finished:
            return
        self.finished = True
        _stop_all_ternds()
        self._emit("1..%d" % self.count)
        sys.exit(1 if self.failed or self.count == 0 else 0)

    def _on_timeout(self, signum, frame):
        _stop_all_ternds(kill=True)
        kill_tracked_processes()
        self.count += 1
        self._emit("not ok %d - script finished within its time limit" % self.count)
        self._emit("Bail out! watchdog: script took too long")
        sys.stdout.flush()
        os._exit(1)


# ---------------------------------------------------------------- ports


def _check_host(host):
    if host not in ALLOWED_HOSTS:
        raise ValueError("tests talk to loopback only, not %r" % (host,))


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def ipv6_usable():
    """True when a UDP and a TCP socket can use ::1 (IPv6 may be disabled)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as u:
            u.bind((LOOPBACK6, 0))
            u.settimeout(1.0)
            u.sendto(b"x", u.getsockname()[:2])
            u.recvfrom(16)
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as t:
            t.bind((LOOPBACK6, 0))
            t.listen(1)
        return True
    except OSError:
        return False


def _port_free(host, port):
    """True when both UDP and TCP can bind host:port right now."""
    fam = family_of(host)
    socks = []
    try:
        u = socket.socket(fam, socket.SOCK_DGRAM)
        socks.append(u)
        u.bind((host, port))
        t = socket.socket(fam, socket.SOCK_STREAM)
        socks.append(t)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def free_port(hosts=(LOOPBACK4,), attempts=200, avoid=()):
    """A port that is free for UDP and TCP on every host in hosts.

    The kernel picks a free UDP port on the first host (bind to port 0);
    the port is kept if TCP, and both protocols on the other hosts, can bind
    it too, and it is not in avoid (any container of ports, such as the
    relay port range a test configured). Another process may still take it
    before ternd does: Ternd retries on a new port when its bind fails.
    """
    hosts = tuple(hosts)
    for h in hosts:
        _check_host(h)
    for _ in range(attempts):
        with socket.socket(family_of(hosts[0]), socket.SOCK_DGRAM) as u:
            u.bind((hosts[0], 0))
            port = u.getsockname()[1]
        if port in RESERVED_PORTS or port in avoid:
            continue
        if all(_port_free(h, port) for h in hosts):
            return port
    raise RuntimeError("no port free for UDP and TCP on %s" % (hosts,))


def udp_echoes(host, port, timeout_s=1.0, tries=3):
    """True when a probe datagram sent to host:port comes back unchanged
    from host:port within timeout_s (sent up to tries times): an echo
    server (turnutils_peer, an echoing UdpPeer) really holds that port.
    Other datagrams arriving meanwhile are ignored."""
    probe = b"tern-echo-probe %d" % random.getrandbits(32)
    with socket.socket(family_of(host), socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        for _ in range(tries):
            s.sendto(probe, (host, port))
            deadline = time.monotonic() + timeout_s / tries
            while (left := deadline - time.monotonic()) > 0:
                s.settimeout(left)
                try:
                    data, src = s.recvfrom(2048)
                except (socket.timeout, ConnectionRefusedError):
                    break
                if data == probe and src[1] == port:
                    return True
    return False


# ---------------------------------------------------------------- ternd


SANITIZER_PATTERNS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer",
                      "WARNING: ThreadSanitizer")
READY_MARK = "server: ready:"
BIND_FAILURE = re.compile(r"address already in use|EADDRINUSE", re.IGNORECASE)

_LIVE = set()


def _stop_all_ternds(kill=False):
    for d in list(_LIVE):
        try:
            if kill:
                d.proc.kill()
            else:
                d.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


atexit.register(_stop_all_ternds, True)

# Other processes a test started (peers, third-party clients): killed by
# their PID when the watchdog fires or the script exits.
_TRACKED = set()


def track_process(proc):
    """Registers a subprocess.Popen to be killed (by its PID) if the script
    ends or times out while it still runs. Returns proc."""
    _TRACKED.add(proc)
    return proc


def stop_process(proc, timeout=2.0):
    """SIGTERM to proc's own PID, then SIGKILL after timeout s; returns its
    exit status."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _TRACKED.discard(proc)
    return proc.returncode


def kill_tracked_processes():
    for proc in list(_TRACKED):
        try:
            if proc.poll() is None:
                proc.kill()
        except OSError:
            pass
    _TRACKED.clear()


atexit.register(kill_tracked_processes)


def ternd_path():
    """$TERND (set by make check), else the build tree's ternd."""
    env = os.environ.get("TERND")
    if env:
        return env
    top = os.environ.get("TERN_TOP_BUILDDIR")
    if top:
        return os.path.join(top, "ternd")
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "ternd"))


def top_srcdir():
    env = os.environ.get("TERN_TOP_SRCDIR")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", ".."))


def sanitizer_env(extra=None):
    """The environment for ternd: sanitizers halt and report leaks."""
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env.setdefault("LSAN_OPTIONS", "exitcode=23")
    if extra:
        env.update(extra)
    return env


def sanitizer_lines(text):
    return [l for l in text.splitlines() if any(p in l for p in SANITIZER_PATTERNS)]


def run_ternd(args, timeout=10.0, env=None, allow_root="auto"):
    """Runs ternd to completion (for --check-config, --print-config, -V, bad
    arguments). allow_root: "auto" adds --allow-root when the test runs as
    root, as Ternd does. Returns (status, stdout, stderr); status None means
    it was still running after timeout and was killed (by its PID)."""
    if allow_root == "auto":
        allow_root = os.geteuid() == 0
    extra = ["--allow-root"] if allow_root else []
    return run_tool([ternd_path()] + extra + list(args), timeout, env)


def run_tool(argv, timeout=10.0, env=None, drop_env=()):
    """Runs one of our programs to completion with the sanitizer
    environment, env added and the variables in drop_env removed. Returns
    (status, stdout, stderr); status None means it was still running after
    timeout and was killed (by its PID)."""
    full = sanitizer_env(env)
    for name in drop_env:
        full.pop(name, None)
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=full,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        status = None
    return status, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def run_client(argv, timeout=10.0):
    """Runs a third-party client (coturn's turnutils_*, openssl...) to
    completion, tracked so that a watchdog kills it by its PID. Returns
    (status, output with stderr merged into stdout); status None means it
    was still running after timeout and was killed."""
    proc = track_process(subprocess.Popen(list(argv), stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    try:
        out, _ = proc.communicate(timeout=timeout)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        status = None
    stop_process(proc)
    return status, out.decode("utf-8", "replace")


class TerndStartError(Exception):
    """ternd did not print its ready line; reported tells whether a failing
    TAP line was already printed for it."""

    def __init__(self, text, reported=False):
        super().__init__(text)
        self.reported = reported


class _Capture:
    """A pipe read to its end by a background thread, kept as text."""

    def __init__(self, pipe):
        self.lock = threading.Condition()
        self.chunks = []
        self.closed = False
        self.thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self.thread.start()

    def _read(self, pipe):
        while True:
            data = pipe.read1(65536) if hasattr(pipe, "read1") else pipe.read(4096)
            with self.lock:
                if not data:
                    self.closed = True
                    self.lock.notify_all()
                    break
                self.chunks.append(data)
                self.lock.notify_all()
        pipe.close()

    def text(self):
        with self.lock:
            return b"".join(self.chunks).decode("utf-8", "replace")

    def wait_for(self, pred, timeout):
        """Waits until pred(text) is true, the pipe closes, or timeout.
        Returns pred's last value."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                value = pred(b"".join(self.chunks).decode("utf-8", "replace"))
                left = deadline - time.monotonic()
                if value or self.closed or left <= 0:
                    return value
                self.lock.wait(min(left, 0.2))

    def join(self, timeout):
        self.thread.join(timeout)


class Ternd:
    """ternd on loopback for the length of a `with` block.

        with Ternd(tap, args=["-t", "2"], listen=["127.0.0.1", "::1"]) as d:
            ... d.port, d.log() ...

    listen: IPs passed as -L (None: pass none, keep the config's);
    port: "auto" picks a free port (and retries on a bind race), an int is
    used as is, None passes no -p; http_port: the statistics endpoint's
    port passed as --http-port: 0 (the default) turns the endpoint off, so
    tests running in parallel never fight over its default port 9641,
    "auto" picks a free port (d.http_port), an int is used as is, None
    passes nothing (the configuration decides); config: text written to a temporary file
    and passed as -c; avoid_ports: ports "auto" must not pick (a relay
    port range); allow_root: "auto" passes --allow-root when the test runs
    as root (CI does; ternd refuses root without server.user otherwise),
    True always, False never; admin_socket: "auto" passes --admin-socket
    with a path in a private temporary directory (d.admin_socket), None
    passes nothing (the configuration decides), a string is passed as is
    ("" turns the socket off). With a tap, start-up, the exit status after SIGTERM and
    the absence of sanitizer reports are each reported as a check.
    """

    def __init__(self, tap=None, args=(), config=None, listen=(LOOPBACK4,), port="auto",
                 ready_timeout=10.0, stop_timeout=5.0, env=None, name="ternd", attempts=5,
                 avoid_ports=(), http_port=0, allow_root="auto", admin_socket="auto"):
        self.tap = tap
        self.allow_root = os.geteuid() == 0 if allow_root == "auto" else bool(allow_root)
        self.admin_socket_mode = admin_socket
        self.admin_socket = admin_socket if admin_socket != "auto" else None
        self._admin_dir = None
        self.args = list(args)
        self.config = config
        self.listen = list(listen) if listen is not None else None
        self.port_mode = port
        self.port = None
        self.http_port_mode = http_port
        self.http_port = None
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.env = env
        self.name = name
        self.attempts = attempts
        self.avoid_ports = avoid_ports
        self.proc = None
        self.returncode = None
        self.stop_signal = None
        self.stop_seconds = None
        self.killed = False
        self.exited_early = False
        self.ready_line = None
        self._tmpdir = None
        self._err = None
        self._out = None
        self.config_path = None
        self.argv = None
        self.earlier_logs = []
        for h in self.listen or ():
            _check_host(h)

    # -- starting

    def _command(self):
        argv = [ternd_path()]
        if self.config_path:
            argv += ["-c", self.config_path]
        for h in self.listen or ():
            argv += ["-L", h]
        if self.port is not None:
            argv += ["-p", str(self.port)]
        if self.http_port is not None:
            argv += ["--http-port", str(self.http_port)]
        if self.allow_root:
            argv.append("--allow-root")
        if self.admin_socket is not None:
            argv += ["--admin-socket", self.admin_socket]
        return argv + self.args

    def _spawn(self):
        self.argv = self._command()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=sanitizer_env(self.env),
        )
        _LIVE.add(self)
        self.returncode = None
        self._err = _Capture(self.proc.stderr)
        self._out = _Capture(self.proc.stdout)

    def _wait_ready(self):
        def ready(text):
            for line in text.splitlines():
                if READY_MARK in line:
                    return line
            return None

        self.ready_line = self._err.wait_for(ready, self.ready_timeout)
        return self.ready_line is not None and self.proc.poll() is None

    def start(self):
        if self.admin_socket_mode == "auto":
            self._admin_dir = tempfile.TemporaryDirectory(prefix="tern-admin-")
            self.admin_socket = os.path.join(self._admin_dir.name, "ternd.sock")
        if self.config is not None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="tern-integ-")
            self.config_path = os.path.join(self._tmpdir.name, "tern.conf")
            with open(self.config_path, "w", encoding="utf-8") as f:
                f.write(self.config)
        attempts = self.attempts if self.port_mode == "auto" else 1
        for attempt in range(attempts):
            if self.port_mode == "auto":
                self.port = free_port(self.listen or (LOOPBACK4,), avoid=self.avoid_ports)
            else:
                self.port = self.port_mode
            if self.http_port_mode == "auto":
                self.http_port = free_port(self.listen or (LOOPBACK4,),
                                           avoid=set(self.avoid_ports) | {self.port})
            else:
                self.http_port = self.http_port_mode
            self._spawn()
            if self._wait_ready():
                if self.tap:
                    self.tap.ok(True, "%s: started, ready line seen" % self.name)
                return self
            self._halt()
            log = self.log()
            bind_race = BIND_FAILURE.search(log) is not None
            if bind_race and attempt + 1 < attempts:
                self.earlier_logs.append(log)
                continue
            break
        detail = "command: %s\nstatus: %r\n%s" % (" ".join(self.argv), self.returncode,
                                                   self.log_tail())
        if self.tap:
            self.tap.ok(False, "%s: started, ready line seen" % self.name, detail)
        self._cleanup_tmp()
        raise TerndStartError("ternd did not become ready\n" + detail, reported=bool(self.tap))

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        self.stop()
        if self.tap:
            self.report()
        self._cleanup_tmp()
        return False

    # -- stopping

    # A first SIGTERM drains while allocations live (server.stop_timeout_s);
    # the harness sends a second one, which stops at once, after this long.
    SECOND_TERM_AFTER = 0.3

    def _terminate(self, sig, timeout):
        """Sends sig; for SIGTERM, a second one after SECOND_TERM_AFTER s
        (the operator's "stop now"); SIGKILL after timeout s in all."""
        os.kill(self.proc.pid, sig)
        deadline = time.monotonic() + timeout
        if sig == signal.SIGTERM:
            try:
                self.proc.wait(self.SECOND_TERM_AFTER)
            except subprocess.TimeoutExpired:
                self.send(signal.SIGTERM)
        try:
            self.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.killed = True
            self.proc.wait()

    def _halt(self):
        """Whatever state it is in: signal, wait, then SIGKILL."""
        if self.proc.poll() is None:
            self._terminate(signal.SIGTERM, self.stop_timeout)
        self._finish_wait()

    def _finish_wait(self):
        self.returncode = self.proc.returncode
        self._err.join(2.0)
        self._out.join(2.0)
        _LIVE.discard(self)

    def send(self, sig):
        """Sends sig to this ternd's own PID (never to a name or a group)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout=None):
        """Sends sig to this ternd (SIGTERM: twice, see _terminate) and waits
        up to timeout seconds (then SIGKILL). Returns the exit status (negative: killed by a signal).
        Calling it again returns the status it already has."""
        if self.proc is None:
            return None
        if self.returncode is not None or self.stop_signal is not None:
            return self.returncode
        timeout = self.stop_timeout if timeout is None else timeout
        self.stop_signal = sig
        t0 = time.monotonic()
        if self.proc.poll() is not None:
            self.exited_early = True
        else:
            self._terminate(sig, timeout)
        self.stop_seconds = time.monotonic() - t0
        self._finish_wait()
        return self.returncode

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def report(self):
        """The checks every run owes: clean exit, no sanitizer reports."""
        signame = signal.Signals(self.stop_signal).name if self.stop_signal else "exit"
        why = ""
        if self.killed:
            why = "did not exit within %.1f s of %s; killed" % (self.stop_timeout, signame)
        elif self.exited_early:
            why = "it had already exited before %s was sent" % signame
        self.tap.eq(self.returncode, 0, "%s: exit status 0 after %s" % (self.name, signame),
                    (why + "\n" + self.log_tail()).strip())
        reports = self.sanitizer_reports()
        self.tap.ok(not reports, "%s: no sanitizer report in its output" % self.name,
                    self.log_tail(60) if reports else None)

    def _cleanup_tmp(self):
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None
        if self._admin_dir is not None:
            self._admin_dir.cleanup()
            self._admin_dir = None

    # -- output

    def log(self):
        """Everything written to stderr so far."""
        return self._err.text() if self._err else ""

    def stdout(self):
        return self._out.text() if self._out else ""

    def log_lines(self):
        return self.log().splitlines()

    def log_tail(self, n=30):
        lines = self.log().splitlines()
        out = self.stdout().splitlines()
        text = "ternd stderr (last %d of %d lines):\n" % (min(n, len(lines)), len(lines))
        text += "\n".join("  " + l for l in lines[-n:])
        if out:
            text += "\nternd stdout (last %d lines):\n" % min(n, len(out))
            text += "\n".join("  " + l for l in out[-n:])
        return text

    def find_line(self, needle, stream="both"):
        """The first output line containing needle (stderr first)."""
        texts = []
        if stream in ("both", "stderr"):
            texts.append(self.log())
        if stream in ("both", "stdout"):
            texts.append(self.stdout())
        for text in texts:
            for line in text.splitlines():
                if needle in line:
                    return line
        return None

    def wait_line(self, needle, timeout=3.0, stream="both"):
        """Waits up to timeout s for an output line containing needle (lines
        printed around the ready line may come just after it); returns the
        line or None."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.find_line(needle, stream)
            if line is not None or time.monotonic() >= deadline:
                return line
            time.sleep(0.05)

    def sanitizer_reports(self):
        return sanitizer_lines(self.log()) + sanitizer_lines(self.stdout())


# ---------------------------------------------------------------- STUN codec

MAGIC_COOKIE = 0x2112A442
FINGERPRINT_XOR = 0x5354554E
HEADER_LEN = 20

METHOD_BINDING = 0x001
CLASS_REQUEST = 0
CLASS_INDICATION = 1
CLASS_SUCCESS = 2
CLASS_ERROR = 3

ATTR_MAPPED_ADDRESS = 0x0001
ATTR_USERNAME = 0x0006
ATTR_MESSAGE_INTEGRITY = 0x0008
ATTR_ERROR_CODE = 0x0009
ATTR_UNKNOWN_ATTRIBUTES = 0x000A
ATTR_XOR_MAPPED_ADDRESS = 0x0020
ATTR_SOFTWARE = 0x8022
ATTR_FINGERPRINT = 0x8028

FAMILY_IPV4 = 0x01
FAMILY_IPV6 = 0x02


class StunParseError(Exception):
    pass


def message_type(method, cls):
    """RFC 8489 §5: the class bits C1 C0 interleaved with the method bits."""
    return (((method & 0xF80) << 2) | ((method & 0x070) << 1) | (method & 0x00F)
            | ((cls & 0x2) << 7) | ((cls & 0x1) << 4))


def split_type(mtype):
    method = ((mtype & 0x3E00) >> 2) | ((mtype & 0x00E0) >> 1) | (mtype & 0x000F)
    cls = ((mtype & 0x0100) >> 7) | ((mtype & 0x0010) >> 4)
    return method, cls


def new_txid():
    return os.urandom(12)


def _pad4(n):
    return (4 - n % 4) % 4


def encode_attr(atype, value):
    return struct.pack("!HH", atype, len(value)) + value + b"\0" * _pad4(len(value))


def fingerprint_of(data):
    """The FINGERPRINT value for data (the message up to the attribute)."""
    return (zlib.crc32(data) & 0xFFFFFFFF) ^ FINGERPRINT_XOR


def build_message(method=METHOD_BINDING, cls=CLASS_REQUEST, txid=None, attrs=(),
                  fingerprint=False, cookie=MAGIC_COOKIE):
    """Encodes a STUN message. attrs: (type, bytes) pairs, padded here.
    Returns (bytes, txid)."""
    txid = new_txid() if txid is None else txid
    body = b"".join(encode_attr(t, v) for t, v in attrs)
    length = len(body) + (8 if fingerprint else 0)
    head = struct.pack("!HHI", message_type(method, cls), length, cookie) + txid
    msg = head + body
    if fingerprint:
        msg += struct.pack("!HHI", ATTR_FINGERPRINT, 4, fingerprint_of(msg))
    return msg, txid


def binding_request(fingerprint=False, attrs=(), txid=None):
    return build_message(METHOD_BINDING, CLASS_REQUEST, txid, attrs, fingerprint)


class StunMessage:
    """A parsed, validated STUN message (see parse_message)."""

    def __init__(self, raw, mtype, txid, attrs):
        self.raw = raw
        self.type = mtype
        self.method, self.cls = split_type(mtype)
        self.txid = txid
        self.attrs = attrs  # [(type, value, offset of the attribute header)]

    def __len__(self):
        return len(self.raw)

    def attr(self, atype):
        for t, v, _ in self.attrs:
            if t == atype:
                return v
        return None

    def has(self, atype):
        return any(t == atype for t, _, _ in self.attrs)

    def attr_types(self):
        return [t for t, _, _ in self.attrs]

    def is_success(self):
        return self.cls == CLASS_SUCCESS

    def is_error(self):
        return self.cls == CLASS_ERROR

    def xor_mapped_address(self):
        """(ip string, port) from XOR-MAPPED-ADDRESS, or None when absent."""
        v = self.attr(ATTR_XOR_MAPPED_ADDRESS)
        if v is None:
            return None
        return decode_address(v, self.txid, xor=True)

    def mapped_address(self):
        v = self.attr(ATTR_MAPPED_ADDRESS)
        if v is None:
            return None
        return decode_address(v, self.txid, xor=False)

    def error_code(self):
        """(code, reason) from ERROR-CODE, or None when absent."""
        v = self.attr(ATTR_ERROR_CODE)
        if v is None:
            return None
        if len(v) < 4:
            raise StunParseError("ERROR-CODE shorter than 4 bytes")
        klass = v[2] & 0x07
        number = v[3]
        if not 3 <= klass <= 6 or number > 99:
            raise StunParseError("ERROR-CODE class %d number %d out of range" % (klass, number))
        return klass * 100 + number, v[4:].decode("utf-8", "replace")

    def unknown_attributes(self):
        v = self.attr(ATTR_UNKNOWN_ATTRIBUTES)
        if v is None:
            return None
        if len(v) % 2:
            raise StunParseError("UNKNOWN-ATTRIBUTES of odd length")
        return list(struct.unpack("!%dH" % (len(v) // 2), v))

    def fingerprint_status(self):
        """None when there is no FINGERPRINT, else whether its CRC is right."""
        for t, v, off in self.attrs:
            if t == ATTR_FINGERPRINT:
                if len(v) != 4:
                    return False
                return struct.unpack("!I", v)[0] == fingerprint_of(self.raw[:off])
        return None


def decode_address(value, txid, xor):
    """(MAPPED|XOR-MAPPED)-ADDRESS value -> (ip string, port)."""
    if len(value) < 4:
        raise StunParseError("address attribute shorter than 4 bytes")
    family = value[1]
    port = struct.unpack("!H", value[2:4])[0]
    addr = value[4:]
    if family == FAMILY_IPV4:
        if len(addr) != 4:
            raise StunParseError("IPv4 address attribute of %d bytes" % len(value))
        mask = struct.pack("!I", MAGIC_COOKIE)
    elif family == FAMILY_IPV6:
        if len(addr) != 16:
            raise StunParseError("IPv6 address attribute of %d bytes" % len(value))
        mask = struct.pack("!I", MAGIC_COOKIE) + txid
    else:
        raise StunParseError("address family 0x%02x" % family)
    if xor:
        port ^= MAGIC_COOKIE >> 16
        addr = bytes(a ^ m for a, m in zip(addr, mask))
    return str(ipaddress.ip_address(addr)), port


def parse_message(data):
    """Validates and decodes a STUN message; raises StunParseError.

    Checks: at least a header; the two top bits zero; the magic cookie;
    the length a multiple of 4 and equal to what follows the header; every
    attribute inside the message; FINGERPRINT, if any, last.
    """
    if len(data) < HEADER_LEN:
        raise StunParseError("%d bytes, shorter than a header" % len(data))
    mtype, length, cookie = struct.unpack("!HHI", data[:8])
    if mtype & 0xC000:
        raise StunParseError("top two bits of the type not zero")
    if cookie != MAGIC_COOKIE:
        raise StunParseError("magic cookie 0x%08x" % cookie)
    if length % 4:
        raise StunParseError("length %d not a multiple of 4" % length)
    if HEADER_LEN + length != len(data):
        raise StunParseError("header length %d but %d bytes follow the header"
                             % (length, len(data) - HEADER_LEN))
    attrs = []
    off = HEADER_LEN
    while off < len(data):
        if off + 4 > len(data):
            raise StunParseError("attribute header truncated at %d" % off)
        atype, alen = struct.unpack("!HH", data[off:off + 4])
        end = off + 4 + alen
        if end + _pad4(alen) > len(data):
            raise StunParseError("attribute 0x%04x overruns the message" % atype)
        if attrs and attrs[-1][0] == ATTR_FINGERPRINT:
            raise StunParseError("attribute after FINGERPRINT")
        attrs.append((atype, data[off + 4:end], off))
        off = end + _pad4(alen)
    return StunMessage(bytes(data), mtype, data[8:20], attrs)


def same_address(a, b):
    """Compares (ip, port, ...) tuples with IPs normalised."""
    if a is None or b is None:
        return False
    return ipaddress.ip_address(a[0]) == ipaddress.ip_address(b[0]) and a[1] == b[1]


# ---------------------------------------------------------------- transports


def udp_socket(host):
    """A UDP socket bound to host (loopback) on an ephemeral port."""
    _check_host(host)
    s = socket.socket(family_of(host), socket.SOCK_DGRAM)
    s.bind((host, 0))
    return s


def _recv_until(sock, deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        return None
    r, _, _ = select.select([sock], [], [], left)
    if not r:
        return None
    data, _ = sock.recvfrom(65536)
    return data


class UdpResult:
    """The outcome of a UDP transaction."""

    def __init__(self):
        self.raw = None       # bytes of the response matching the txid
        self.msg = None       # its StunMessage, None if it did not parse
        self.error = None     # StunParseError text for a malformed response
        self.strays = []      # other datagrams received meanwhile
        self.sent = 0         # transmissions


def udp_transaction(sock, server, request, txid, timeout=3.0, rto=0.1):
    """Sends request to server, retransmitting (RTO doubling from rto) until
    a datagram with txid arrives or timeout seconds pass."""
    _check_host(server[0])
    res = UdpResult()
    deadline = time.monotonic() + timeout
    next_send = time.monotonic()
    while time.monotonic() < deadline:
        if time.monotonic() >= next_send:
            sock.sendto(request, server)
            res.sent += 1
            next_send = time.monotonic() + rto
            rto = min(rto * 2, 1.6)
        data = _recv_until(sock, min(deadline, next_send))
        if data is None:
            continue
        if len(data) >= HEADER_LEN and data[8:20] == txid:
            res.raw = data
            try:
                res.msg = parse_message(data)
            except StunParseError as e:
                res.error = str(e)
            return res
        res.strays.append(data)
    return res


def udp_expect_silence(sock, server, payload, wait=0.5):
    """Sends payload once; returns every datagram received within wait s."""
    _check_host(server[0])
    sock.sendto(payload, server)
    got = []
    deadline = time.monotonic() + wait
    while True:
        data = _recv_until(sock, deadline)
        if data is None:
            return got
        got.append(data)


def _tls_context_unverified():
    """A client context for a server with a self-signed test certificate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def tcp_connect(host, port, timeout=3.0):
    _check_host(host)
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class ConnectionClosed(Exception):
    pass


class TcpReader:
    """Reads STUN messages framed by their own length from a TCP stream."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return False
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionClosed("peer closed after %d buffered bytes" % len(self.buf))
            self.buf += data
        return True

    def read_raw(self, timeout=3.0):
        """The next whole message as bytes, or None on timeout; raises
        ConnectionClosed at end of stream."""
        deadline = time.monotonic() + timeout
        if not self._fill(4, deadline):
            return None
        length = struct.unpack("!H", self.buf[2:4])[0]
        total = HEADER_LEN + length
        if not self._fill(total, deadline):
            return None
        raw, self.buf = self.buf[:total], self.buf[total:]
        return raw

    def read(self, timeout=3.0):
        raw = self.read_raw(timeout)
        return None if raw is None else parse_message(raw)


def tcp_wait_closed(sock, timeout=3.0):
    """Reads until the peer closes. Returns (closed, bytes received)."""
    deadline = time.monotonic() + timeout
    got = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False, got
        r, _, _ = select.select([sock], [], [], left)
        if not r:
            return False, got
        try:
            data = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return True, got
        if not data:
            return True, got
        got += data


# ---------------------------------------------------------------- credentials


def rest_password(secret, username):
    """The ephemeral-credential password: base64(HMAC-SHA1(secret, username))."""
    mac = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def seeded_random(seed):
    return random.Random(seed)


# ---------------------------------------------------------------- TURN (RFC 8656)

METHOD_ALLOCATE = 0x003
METHOD_REFRESH = 0x004
METHOD_SEND = 0x006
METHOD_DATA = 0x007
METHOD_CREATE_PERMISSION = 0x008
METHOD_CHANNEL_BIND = 0x009

ATTR_CHANNEL_NUMBER = 0x000C
ATTR_LIFETIME = 0x000D
ATTR_XOR_PEER_ADDRESS = 0x0012
ATTR_DATA = 0x0013
ATTR_REALM = 0x0014
ATTR_NONCE = 0x0015
ATTR_XOR_RELAYED_ADDRESS = 0x0016
ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017
ATTR_EVEN_PORT = 0x0018
ATTR_REQUESTED_TRANSPORT = 0x0019
ATTR_DONT_FRAGMENT = 0x001A
ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C
ATTR_PASSWORD_ALGORITHM = 0x001D
ATTR_USERHASH = 0x001E
ATTR_RESERVATION_TOKEN = 0x0022
ATTR_ADDITIONAL_ADDRESS_FAMILY = 0x8000
ATTR_ADDRESS_ERROR_CODE = 0x8001
ATTR_PASSWORD_ALGORITHMS = 0x8002

# RFC 8489 §18.5: password algorithm numbers.
PASSWORD_ALG_MD5 = 1
PASSWORD_ALG_SHA256 = 2
# RFC 8489 §9.2: a nonce starting with this cookie carries 4 base64
# characters of security feature bits after it.
NONCE_COOKIE = b"obMatJos2"
# RFC 8656 §18.1: REQUESTED-TRANSPORT protocol numbers.
TRANSPORT_UDP = 17
TRANSPORT_TCP = 6

CHANNEL_MIN = 0x4000
CHANNEL_MAX_8656 = 0x4FFF
CHANNEL_MAX_5766 = 0x7FFE

# A UDP request is sent at most this many times (RFC 8489 §6.2.1: Rc = 7).
UDP_MAX_SENDS = 7

_INTEGRITY = {
    # kind: (attribute, hash of the HMAC, MAC length)
    "sha1": (ATTR_MESSAGE_INTEGRITY, hashlib.sha1, 20),
    "sha256": (ATTR_MESSAGE_INTEGRITY_SHA256, hashlib.sha256, 32),
}


def encode_xor_address(ip, port, txid):
    """XOR-PEER-ADDRESS / XOR-RELAYED-ADDRESS / XOR-MAPPED-ADDRESS value."""
    addr = ipaddress.ip_address(ip)
    raw = addr.packed
    mask = struct.pack("!I", MAGIC_COOKIE) + (txid if addr.version == 6 else b"")
    xored = bytes(a ^ m for a, m in zip(raw, mask))
    family = FAMILY_IPV6 if addr.version == 6 else FAMILY_IPV4
    return struct.pack("!BBH", 0, family, port ^ (MAGIC_COOKIE >> 16)) + xored


def long_term_key(username, realm, password, algorithm=PASSWORD_ALG_MD5):
    """RFC 8489 §9.2.2: MD5 or SHA-256 of "username:realm:password"."""
    text = ("%s:%s:%s" % (username, realm, password)).encode("utf-8")
    if algorithm == PASSWORD_ALG_SHA256:
        return hashlib.sha256(text).digest()
    return hashlib.md5(text).digest()


def _set_length(msg, length):
    return msg[:2] + struct.pack("!H", length) + msg[4:]


def append_integrity(msg, key, kind="sha1"):
    """Appends MESSAGE-INTEGRITY (kind "sha1") or MESSAGE-INTEGRITY-SHA256
    to an encoded message: the HMAC covers the message with its length
    field already counting the new attribute (RFC 8489 §14.5, §14.6)."""
    atype, hfn, maclen = _INTEGRITY[kind]
    body_len = len(msg) - HEADER_LEN + 4 + maclen
    head = _set_length(msg, body_len)
    mac = hmac.new(key, head, hfn).digest()
    return head + struct.pack("!HH", atype, maclen) + mac


def append_fingerprint(msg):
    head = _set_length(msg, len(msg) - HEADER_LEN + 8)
    return head + struct.pack("!HHI", ATTR_FINGERPRINT, 4, fingerprint_of(head))


def integrity_status(msg, key, kind="sha1"):
    """None when msg (a StunMessage) has no such integrity attribute, else
    whether it verifies with key."""
    atype, hfn, maclen = _INTEGRITY[kind]
    for t, v, off in msg.attrs:
        if t != atype:
            continue
        if len(v) != maclen or key is None:
            return False
        head = _set_length(msg.raw[:off], off - HEADER_LEN + 4 + maclen)
        return hmac.compare_digest(hmac.new(key, head, hfn).digest(), v)
    return None


def nonce_features(nonce):
    """The 24 security feature bits of an RFC 8489 nonce, or None when the
    nonce does not start with the cookie."""
    if not nonce.startswith(NONCE_COOKIE) or len(nonce) < len(NONCE_COOKIE) + 4:
        return None
    try:
        raw = base64.b64decode(nonce[len(NONCE_COOKIE):len(NONCE_COOKIE) + 4], validate=True)
    except ValueError:
        return None
    return int.from_bytes(raw, "big")


def parse_password_algorithms(value):
    """PASSWORD-ALGORITHMS value -> [(algorithm, parameters)]; raises
    StunParseError when the value is not a well-formed list."""
    out = []
    off = 0
    while off < len(value):
        if off + 4 > len(value):
            raise StunParseError("PASSWORD-ALGORITHMS entry truncated")
        alg, plen = struct.unpack("!HH", value[off:off + 4])
        end = off + 4 + plen
        if end > len(value):
            raise StunParseError("PASSWORD-ALGORITHMS parameters overrun")
        out.append((alg, value[off + 4:end]))
        off = end + _pad4(plen)
    return out


def rest_username(user, valid_for_s=3600, now=None):
    """An ephemeral username "<unix expiry>:<user>" (expired when negative)."""
    now = time.time() if now is None else now
    return "%d:%s" % (int(now) + valid_for_s, user)


def is_channel_data(raw):
    return len(raw) >= 1 and (raw[0] & 0xC0) == 0x40


def channel_data(number, data, pad=False):
    """A ChannelData message (RFC 8656 §12.4), padded to 4 when asked."""
    msg = struct.pack("!HH", number, len(data)) + data
    if pad:
        msg += b"\0" * _pad4(len(data))
    return msg


class RelayEvent:
    """Data the server relayed to the client: a Data indication (kind
    "data", peer set) or ChannelData (kind "channel", channel set)."""

    def __init__(self, kind, data, peer=None, channel=None, raw=b""):
        self.kind = kind
        self.data = data
        self.peer = peer
        self.channel = channel
        self.raw = raw

    def __repr__(self):
        where = self.peer if self.kind == "data" else "0x%04x" % (self.channel or 0)
        return "<%s %s %d bytes>" % (self.kind, where, len(self.data))


class TurnResult:
    """The outcome of one TURN transaction."""

    def __init__(self, request, txid, authenticated):
        self.request = request          # the bytes sent
        self.txid = txid
        self.authenticated = authenticated
        self.raw = None                 # the response's bytes
        self.msg = None                 # its StunMessage
        self.error = None               # why it did not parse
        self.sends = 0
        self.integrity = None           # None: no integrity attribute; else verified?
        self.integrity_kind = None      # "sha1" or "sha256" when present
        self.fingerprint = None         # None: absent; else valid?

    def code(self):
        """The error code, 0 for a success, None without a response."""
        if self.msg is None:
            return None
        if self.msg.is_success():
            return 0
        ec = self.msg.error_code() if self.msg.is_error() else None
        return ec[0] if ec else -1

    def ok(self):
        return self.code() == 0

    def describe(self):
        if self.msg is None:
            return "no response (%d sends)%s" % (self.sends,
                                                 "; malformed: " + self.error if self.error else "")
        ec = self.msg.error_code() if self.msg.is_error() else None
        return "method 0x%03x class %d%s, attributes %s, integrity %r (%s)" % (
            self.msg.method, self.msg.cls, " error %r" % (ec,) if ec else "",
            ["0x%04x" % a for a in self.msg.attr_types()], self.integrity, self.integrity_kind)


class TurnClient:
    """A TURN client (RFC 8656) over UDP, TCP or TLS to a ternd on loopback.

    Long-term credentials (RFC 8489 §9.2): the first request goes without
    them, a 401 teaches REALM, NONCE and PASSWORD-ALGORITHMS and the request
    is sent again authenticated; a 438 refreshes the nonce the same way.
    algorithm: "md5" or "sha256" (sent as PASSWORD-ALGORITHM with the
    server's PASSWORD-ALGORITHMS echoed, as RFC 8489 asks when the nonce
    says so), or "legacy" (RFC 5389 behaviour: neither attribute, MD5 key).
    integrity: "sha1" (MESSAGE-INTEGRITY) or "sha256"
    (MESSAGE-INTEGRITY-SHA256). Responses' integrity is verified with the
    same key; results say whether it verified.

    transport "tls" is TCP framing inside TLS (tls_context: an
    ssl.SSLContext, default one accepting any certificate; server_hostname
    for SNI and checks).
    Over UDP requests are retransmitted (RTO 100 ms doubling, 7 sends at
    most); over TCP they are sent once and messages are framed by their
    length (ChannelData padded to 4 both ways). Data the server relays
    while a transaction is pending is queued for receive().
    """

    def __init__(self, server, transport="udp", username=None, password=None,
                 algorithm="md5", integrity="sha1", fingerprint=True, timeout=3.0,
                 source_host=None, tls_context=None, server_hostname=None):
        _check_host(server[0])
        self.server = (server[0], server[1])
        self.transport = transport
        self.username = username
        self.password = password
        self.algorithm = algorithm
        self.integrity_kind = integrity
        self.fingerprint = fingerprint
        self.timeout = timeout
        self.realm = None
        self.nonce = None
        self.algorithms_raw = None      # PASSWORD-ALGORITHMS as the server sent it
        self.key = None
        self.relayed = None
        self.mapped = None
        self.lifetime = None
        self.inbox = []
        self.strays = []                # what arrived and was neither a response nor data
        self.late = []                  # responses to transactions no longer pending
        self.exchanges = []             # every TurnResult, for amplification measures
        self.challenges = []            # the 401/438 results that taught a nonce
        self._buf = b""
        host = source_host or server[0]
        if transport == "udp":
            self.sock = udp_socket(host)
        elif transport == "tcp":
            self.sock = tcp_connect(server[0], server[1], timeout=timeout)
        elif transport == "tls":
            # tls_context: an ssl.SSLContext (default: one that trusts nothing and checks
            # nothing, for a test certificate); the handshake runs here and may raise.
            ctx = tls_context or _tls_context_unverified()
            raw = tcp_connect(server[0], server[1], timeout=timeout)
            try:
                self.sock = ctx.wrap_socket(raw, server_hostname=server_hostname)
            except Exception:
                raw.close()
                raise
        else:
            raise ValueError("transport %r" % (transport,))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def local_address(self):
        return self.sock.getsockname()[:2]

    # -- wire

    def send_raw(self, data):
        if self.transport == "udp":
            self.sock.sendto(data, self.server)
        else:
            self.sock.sendall(data)

    def _read_udp(self, deadline):
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            data, addr = self.sock.recvfrom(65536)
            if same_address(addr, self.server):
                return data
            self.strays.append(("not from the server", addr, data))

    def _fill(self, n, deadline):
        while len(self._buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            # Over TLS, bytes already decrypted wait in the SSL object, not the socket.
            pending = self.transport == "tls" and self.sock.pending() > 0
            if not pending:
                r, _, _ = select.select([self.sock], [], [], left)
                if not r:
                    return False
            try:
                data = self.sock.recv(65536)
            except ssl.SSLWantReadError:
                continue
            if not data:
                raise ConnectionClosed("server closed the connection (%d bytes buffered)"
                                       % len(self._buf))
            self._buf += data
        return True

    def _read_tcp(self, deadline):
        if not self._fill(4, deadline):
            return None
        length = struct.unpack("!H", self._buf[2:4])[0]
        if is_channel_data(self._buf):
            total = 4 + length + _pad4(length)
        else:
            total = HEADER_LEN + length
        if not self._fill(total, deadline):
            return None
        raw, self._buf = self._buf[:total], self._buf[total:]
        return raw

    def _read(self, deadline):
        if self.transport == "udp":
            return self._read_udp(deadline)
        return self._read_tcp(deadline)

    def _classify(self, raw):
        """Returns a StunMessage for a response; queues relayed data."""
        if is_channel_data(raw):
            if len(raw) < 4:
                self.strays.append(("short ChannelData", None, raw))
                return None
            number, length = struct.unpack("!HH", raw[:4])
            if len(raw) < 4 + length:
                self.strays.append(("ChannelData shorter than its length", None, raw))
                return None
            self.inbox.append(RelayEvent("channel", raw[4:4 + length], channel=number, raw=raw))
            return None
        try:
            msg = parse_message(raw)
        except StunParseError as e:
            self.strays.append(("malformed: %s" % e, None, raw))
            return None
        if msg.method == METHOD_DATA and msg.cls == CLASS_INDICATION:
            peer_v, data = msg.attr(ATTR_XOR_PEER_ADDRESS), msg.attr(ATTR_DATA)
            if peer_v is None or data is None:
                self.strays.append(("Data indication without XOR-PEER-ADDRESS or DATA",
                                    None, raw))
                return None
            peer = decode_address(peer_v, msg.txid, xor=True)
            self.inbox.append(RelayEvent("data", data, peer=peer, raw=raw))
            return None
        if msg.cls in (CLASS_SUCCESS, CLASS_ERROR):
            return msg
        self.strays.append(("unexpected message", None, raw))
        return None

    def pump(self, timeout):
        """Reads whatever arrives within timeout s (responses go to late)."""
        deadline = time.monotonic() + timeout
        while True:
            raw = self._read(deadline)
            if raw is None:
                return
            msg = self._classify(raw)
            if msg is not None:
                self.late.append(msg)

    # -- requests

    def _auth_attrs(self):
        attrs = [(ATTR_USERNAME, self.username.encode("utf-8")),
                 (ATTR_REALM, self.realm.encode("utf-8")),
                 (ATTR_NONCE, self.nonce)]
        # RFC 8489 §9.2.4: both attributes or neither; a server that sent
        # no PASSWORD-ALGORITHMS gets neither (and the MD5 key).
        if self.algorithm in ("md5", "sha256") and self.algorithms_raw is not None:
            alg = PASSWORD_ALG_SHA256 if self.algorithm == "sha256" else PASSWORD_ALG_MD5
            attrs.append((ATTR_PASSWORD_ALGORITHMS, self.algorithms_raw))
            attrs.append((ATTR_PASSWORD_ALGORITHM, struct.pack("!HH", alg, 0)))
        return attrs

    def _current_key(self):
        if self.realm is None or self.username is None or self.password is None:
            return None
        alg = PASSWORD_ALG_SHA256 if self.algorithm == "sha256" else PASSWORD_ALG_MD5
        return long_term_key(self.username, self.realm, self.password, alg)

    def can_authenticate(self):
        return (self.username is not None and self.password is not None
                and self.nonce is not None and self.realm is not None)

    def build(self, method, attrs=(), auth=True, txid=None, cls=CLASS_REQUEST,
              fingerprint=None):
        """Encodes a request (or indication): attrs, then USERNAME, REALM,
        NONCE and the password algorithms when auth and a nonce is known,
        then the integrity attribute and FINGERPRINT. Returns (bytes, txid,
        authenticated)."""
        txid = new_txid() if txid is None else txid
        fingerprint = self.fingerprint if fingerprint is None else fingerprint
        attrs = list(attrs)
        authenticated = bool(auth and self.can_authenticate())
        if authenticated:
            attrs += self._auth_attrs()
        msg, _ = build_message(method, cls, txid, attrs)
        if authenticated:
            self.key = self._current_key()
            msg = append_integrity(msg, self.key, self.integrity_kind)
        if fingerprint:
            msg = append_fingerprint(msg)
        return msg, txid, authenticated

    def transact(self, request, txid, authenticated=False, timeout=None):
        """Sends request and waits for the response with txid."""
        timeout = self.timeout if timeout is None else timeout
        res = TurnResult(request, txid, authenticated)
        deadline = time.monotonic() + timeout
        rto = 0.1
        next_send = time.monotonic()
        while time.monotonic() < deadline:
            if time.monotonic() >= next_send and (res.sends == 0 or (
                    self.transport == "udp" and res.sends < UDP_MAX_SENDS)):
                self.send_raw(request)
                res.sends += 1
                next_send = time.monotonic() + rto
                rto *= 2
            more = self.transport == "udp" and res.sends < UDP_MAX_SENDS
            wait_until = min(deadline, next_send) if more else deadline
            try:
                raw = self._read(max(wait_until, time.monotonic() + 0.001))
            except ConnectionClosed as e:
                res.error = str(e)
                break
            if raw is None:
                continue
            msg = self._classify(raw)
            if msg is None:
                continue
            if msg.txid != txid:
                self.late.append(msg)
                continue
            res.raw, res.msg = raw, msg
            break
        self._check_response(res)
        self.exchanges.append(res)
        return res

    def _check_response(self, res):
        if res.msg is None:
            return
        res.fingerprint = res.msg.fingerprint_status()
        for kind in ("sha256", "sha1"):
            status = integrity_status(res.msg, self.key if res.authenticated else None, kind)
            if status is not None:
                res.integrity, res.integrity_kind = status, kind
                break

    def _learn(self, msg):
        """Takes REALM, NONCE and PASSWORD-ALGORITHMS from a 401 or 438."""
        nonce = msg.attr(ATTR_NONCE)
        if nonce is None:
            return False
        realm = msg.attr(ATTR_REALM)
        if realm is not None:
            self.realm = realm.decode("utf-8", "replace")
        if self.realm is None:
            return False
        self.nonce = nonce
        algs = msg.attr(ATTR_PASSWORD_ALGORITHMS)
        if algs is not None:
            self.algorithms_raw = algs
        return True

    def request(self, method, attrs=(), auth=True, fingerprint=None, timeout=None):
        """One request with the long-term credential dance: at most one
        retry after a 401 to an unauthenticated attempt and one after a 438.
        attrs: (type, value) pairs, or a function of the transaction id
        returning them (XOR-encoded IPv6 addresses depend on it). Returns
        the last TurnResult."""
        retried_401 = retried_438 = False
        while True:
            txid = new_txid()
            these = attrs(txid) if callable(attrs) else attrs
            req, txid, authed = self.build(method, these, auth, txid=txid,
                                           fingerprint=fingerprint)
            res = self.transact(req, txid, authed, timeout)
            code = res.code()
            if not auth or self.username is None or self.password is None:
                return res
            if code == 401 and not authed and not retried_401:
                retried_401 = True
            elif code == 438 and not retried_438:
                retried_438 = True
            else:
                return res
            self.challenges.append(res)
            if not self._learn(res.msg):
                return res

    # -- TURN methods

    def allocate(self, transport=TRANSPORT_UDP, lifetime=None, family=None, extra=(),
                 dont_fragment=False, auth=True):
        attrs = [(ATTR_REQUESTED_TRANSPORT, struct.pack("!BBH", transport, 0, 0))]
        if lifetime is not None:
            attrs.append((ATTR_LIFETIME, struct.pack("!I", lifetime)))
        if family is not None:
            attrs.append((ATTR_REQUESTED_ADDRESS_FAMILY, struct.pack("!BBH", family, 0, 0)))
        if dont_fragment:
            attrs.append((ATTR_DONT_FRAGMENT, b""))
        attrs += list(extra)
        res = self.request(METHOD_ALLOCATE, attrs, auth)
        if res.ok():
            self.note_allocation(res.msg)
        return res

    def note_allocation(self, msg):
        relayed = msg.attr(ATTR_XOR_RELAYED_ADDRESS)
        self.relayed = decode_address(relayed, msg.txid, True) if relayed else None
        self.mapped = msg.xor_mapped_address()
        self.lifetime = lifetime_of(msg)

    def refresh(self, lifetime=None, extra=()):
        attrs = []
        if lifetime is not None:
            attrs.append((ATTR_LIFETIME, struct.pack("!I", lifetime)))
        return self.request(METHOD_REFRESH, attrs + list(extra))

    def create_permission(self, *peers):
        return self.request(METHOD_CREATE_PERMISSION, lambda txid: [
            (ATTR_XOR_PEER_ADDRESS, encode_xor_address(ip, port, txid)) for ip, port in peers])

    def channel_bind(self, number, peer):
        return self.request(METHOD_CHANNEL_BIND, lambda txid: [
            (ATTR_CHANNEL_NUMBER, struct.pack("!HH", number, 0)),
            (ATTR_XOR_PEER_ADDRESS, encode_xor_address(peer[0], peer[1], txid))])

    def send_indication(self, peer, data, dont_fragment=False, fingerprint=None):
        txid = new_txid()
        attrs = [(ATTR_XOR_PEER_ADDRESS, encode_xor_address(peer[0], peer[1], txid)),
                 (ATTR_DATA, data)]
        if dont_fragment:
            attrs.append((ATTR_DONT_FRAGMENT, b""))
        msg, _, _ = self.build(METHOD_SEND, attrs, auth=False, txid=txid,
                               cls=CLASS_INDICATION, fingerprint=fingerprint)
        self.send_raw(msg)
        return msg

    def send_channel_data(self, number, data, pad=None):
        pad = (self.transport != "udp") if pad is None else pad
        msg = channel_data(number, data, pad)
        self.send_raw(msg)
        return msg

    # -- relayed data

    def receive(self, timeout=1.0):
        """The next relayed data (RelayEvent), or None after timeout s."""
        deadline = time.monotonic() + timeout
        while not self.inbox:
            try:
                raw = self._read(deadline)
            except ConnectionClosed as e:
                self.strays.append(("connection closed: %s" % e, None, b""))
                return None
            if raw is None:
                return None
            msg = self._classify(raw)
            if msg is not None:
                self.late.append(msg)
        return self.inbox.pop(0)

    def receive_n(self, n, timeout=3.0):
        """Up to n events, waiting at most timeout s in all."""
        deadline = time.monotonic() + timeout
        out = []
        while len(out) < n:
            ev = self.receive(max(0.0, deadline - time.monotonic()))
            if ev is None:
                break
            out.append(ev)
        return out

    def drain(self, wait=0.3):
        """Every event arriving within wait s (for 'nothing arrives' checks)."""
        out = []
        deadline = time.monotonic() + wait
        while True:
            ev = self.receive(max(0.0, deadline - time.monotonic()))
            if ev is None:
                return out
            out.append(ev)


def lifetime_of(msg):
    v = msg.attr(ATTR_LIFETIME)
    if v is None or len(v) != 4:
        return None
    return struct.unpack("!I", v)[0]


# ---------------------------------------------------------------- peers and ports


def pick_relay_window(size=200, lo=20000, hi=32000, hosts=(LOOPBACK4,), attempts=50,
                      wait_s=20.0):
    """A random range of size ports inside lo..hi, every one free for UDP on
    hosts right now: the relay port range a test configures. Returns
    range(port_min, port_max + 1). The default range sits below Linux's
    ephemeral ports (32768-60999), which any busy process on the machine
    scatters its sockets over; a crowded range is tried again for wait_s s."""
    rng = random.Random()
    deadline = time.monotonic() + wait_s
    while True:
        for _ in range(attempts):
            start = rng.randrange(lo, hi - size + 1)
            window = range(start, start + size)
            if any(p in RESERVED_PORTS for p in window):
                continue
            if all(_udp_free(h, p) for h in hosts for p in window):
                return window
        if time.monotonic() >= deadline:
            raise RuntimeError("no free window of %d UDP ports in %d-%d" % (size, lo, hi))
        time.sleep(0.5)


def _udp_free(host, port):
    try:
        with socket.socket(family_of(host), socket.SOCK_DGRAM) as u:
            u.bind((host, port))
        return True
    except OSError:
        return False


def bind_udp_avoiding(host, avoid=(), attempts=200):
    """A UDP socket on host whose ephemeral port is not in avoid."""
    _check_host(host)
    for _ in range(attempts):
        s = socket.socket(family_of(host), socket.SOCK_DGRAM)
        s.bind((host, 0))
        if s.getsockname()[1] not in avoid and s.getsockname()[1] not in RESERVED_PORTS:
            return s
        s.close()
    raise RuntimeError("no UDP port outside the avoided ones on %s" % host)


class UdpPeer:
    """A UDP peer on loopback, run by a thread: records every datagram it
    receives (source, bytes) and, when echo is true, sends it back to its
    source. avoid: ports the peer must not take (the relay range, the
    server's port)."""

    def __init__(self, host=LOOPBACK4, echo=True, avoid=()):
        self.sock = bind_udp_avoiding(host, avoid)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self.echo = echo
        self.received = []
        self.echoed = 0
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def address(self):
        return (self.host, self.port)

    def _run(self):
        while not self._stop.is_set():
            r, _, _ = select.select([self.sock], [], [], 0.05)
            if not r:
                continue
            try:
                data, addr = self.sock.recvfrom(65536)
            except OSError:
                continue
            with self._cond:
                self.received.append((addr[:2], data))
                self._cond.notify_all()
            if self.echo:
                try:
                    self.sock.sendto(data, addr[:2])
                    with self._cond:
                        self.echoed += 1
                except OSError:
                    pass

    def sendto(self, data, addr):
        _check_host(addr[0])
        self.sock.sendto(data, addr)

    def count(self):
        with self._cond:
            return len(self.received)

    def payloads(self):
        with self._cond:
            return [d for _, d in self.received]

    def sources(self):
        with self._cond:
            return sorted(set(a for a, _ in self.received))

    def reset(self):
        with self._cond:
            self.received = []
            self.echoed = 0

    def wait_count(self, n, timeout=3.0):
        """Waits until at least n datagrams arrived (or timeout); returns the count."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return len(self.received)

    def close(self):
        self._stop.set()
        self._thread.join(2.0)
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# ---------------------------------------------------------------- TURN configuration


def _conf_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v) if v <= 2147483647 else "%dL" % v
    if isinstance(v, str):
        return '"%s"' % v.replace("\\", "\\\\").replace('"', '\\"')
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_conf_value(x) for x in v) + "]"
    raise TypeError(type(v))


def turn_config(window=None, users=(), secrets=(), realm=None, allow=("127.0.0.0/8", "::1/128"),
                auth=None, turn=None, peers=None, relay=None, server=None):
    """tern.conf text for a TURN test. window: the relay port range (a
    range); users: (name, password) pairs; allow: peers.allow (None: keep
    the default policy). The dicts add keys to their groups; the
    unauthenticated-request rate limit is off unless turn sets it (every
    test talks from 127.0.0.1 and would hit it)."""
    groups = {"server": dict(server or {}), "auth": {}, "turn": {"unauth_rate": 0},
              "peers": {}, "relay": {}}
    if window is not None:
        groups["relay"].update(port_min=window[0], port_max=window[-1])
    groups["relay"].update(relay or {})
    if realm is not None:
        groups["auth"]["realm"] = realm
    if secrets:
        groups["auth"]["secrets"] = list(secrets)
    groups["auth"].update(auth or {})
    groups["turn"].update(turn or {})
    if allow is not None:
        groups["peers"]["allow"] = list(allow)
    groups["peers"].update(peers or {})
    lines = []
    for name, keys in groups.items():
        body = ["    %s = %s;" % (k, _conf_value(v)) for k, v in keys.items()]
        if name == "auth" and users:
            entries = ",\n".join('        { name = %s; password = %s; }'
                                 % (_conf_value(u), _conf_value(p)) for u, p in users)
            body.append("    users = (\n%s\n    );" % entries)
        if body:
            lines.append("%s = {\n%s\n};" % (name, "\n".join(body)))
    return "\n".join(lines) + "\n"


def ternctl_path():
    """$TERNCTL, else ternctl next to the ternd under test."""
    env = os.environ.get("TERNCTL")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.abspath(ternd_path())), "ternctl")


def config_accepted(config_text):
    """Runs ternd --check-config on config_text; returns (accepted, output)."""
    with tempfile.TemporaryDirectory(prefix="tern-integ-") as tmp:
        path = os.path.join(tmp, "tern.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(config_text)
        status, out, err = run_ternd(["-c", path, "--check-config"])
    return status == 0, (out + err).strip()


def payload_diff(got, expected):
    """A short text on how two lists of byte strings differ as multisets
    (None when they are equal): counts, and a few missing or extra items
    cut to 24 bytes."""
    if sorted(got) == sorted(expected):
        return None
    left = list(expected)
    extra = []
    for g in got:
        if g in left:
            left.remove(g)
        else:
            extra.append(g)

    def cut(items):
        return [(len(x), x[:24]) for x in items[:3]]

    return "got %d, expected %d; %d missing %r; %d unexpected %r" % (
        len(got), len(expected), len(left), cut(left), len(extra), cut(extra))
