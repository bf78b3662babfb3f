#!/usr/bin/python3
"""Least privilege (ternd(8), PRIVILEGES), when the test runs as root.

  - server.user: once ready, every thread of ternd runs as that user and
    its group, with no capability (CapEff, CapPrm, CapAmb all zero) and
    NoNewPrivs set; it is not dumpable and its core limit is 0; relaying
    still works (relay sockets are opened after the switch) over UDP and
    TCP; the admin socket belongs to the user, mode 0660;
  - root without server.user is refused with a clear message, unless
    server.allow_root or --allow-root;
  - an unknown user or group, and server.user = "root", are refused;
  - server.core_dumps = true leaves the core limit alone;
  - started as the user with CAP_NET_BIND_SERVICE in its ambient set (as
    setpriv gives it), ternd binds a port below 1024, then none of its
    threads keeps the capability (the HTTP endpoint is off: its thread,
    libmicrohttpd's, would keep it; ternd(8) says so). Not for a
    ThreadSanitizer build: its runtime's own thread keeps the capability.

As another user every check is skipped: only root can switch users.
"""

import grp
import os
import pwd
import resource
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402


def proc_status(pid, task=None):
    """/proc/PID/status (or a task's) as a dict of its fields."""
    path = "/proc/%d/status" % pid if task is None else "/proc/%d/task/%s/status" % (pid, task)
    fields = {}
    with open(path, encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.split()
    return fields


def core_limit(pid):
    """The soft and hard core file size limits of pid, as written in /proc/PID/limits."""
    with open("/proc/%d/limits" % pid, encoding="ascii") as f:
        for line in f:
            if line.startswith("Max core file size"):
                return line.split()[4:6]
    return None


def unprivileged_account():
    """(name, uid, gid) of an account to switch to: nobody, else None."""
    for name in ("nobody", "daemon"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        if pw.pw_uid != 0:
            return name, pw.pw_uid, pw.pw_gid
    return None


def check_threads(t, pid, uid, gid):
    tasks = sorted(os.listdir("/proc/%d/task" % pid))
    bad = []
    for task in tasks:
        st = proc_status(pid, task)
        if (st["Uid"] != [str(uid)] * 4 or st["Gid"] != [str(gid)] * 4
                or any(int(st[c][0], 16) for c in ("CapEff", "CapPrm", "CapAmb", "CapInh"))
                or st.get("NoNewPrivs") != ["1"]):
            bad.append((task, st["Uid"], st["Gid"], st["CapEff"], st["CapPrm"],
                        st.get("NoNewPrivs")))
    t.ok(len(tasks) >= 3 and not bad,
         "each of the %d threads runs as uid %d gid %d, with no capability and NoNewPrivs"
         % (len(tasks), uid, gid), "threads not switched: %r" % (bad,))


def check_relay(t, d, window):
    server = (h.LOOPBACK4, d.port)
    with h.UdpPeer(avoid=window) as peer:
        for transport in ("udp", "tcp"):
            with h.TurnClient(server, transport, "alice", "pw-a") as c:
                res = c.allocate()
                if not t.eq(res.code(), 0, "after the switch: Allocate over %s succeeds (a relay "
                            "socket opened as the user)" % transport, res.describe()):
                    continue
                c.create_permission(peer.address)
                payload = ("relayed over %s after the switch" % transport).encode()
                c.send_indication(peer.address, payload)
                ev = c.receive(2.0)
                t.ok(ev is not None and ev.data == payload,
                     "after the switch: data relayed over %s to an echo peer and back"
                     % transport, repr(ev))


def group_switch(t, account):
    name, uid, gid = account
    window = h.pick_relay_window(size=20)
    conf = h.turn_config(window, users=[("alice", "pw-a")], server={"user": name})
    with h.Ternd(t, config=conf, args=["-t", "2"], avoid_ports=window, allow_root=False,
                 http_port="auto", name="ternd with server.user = %s" % name) as d:
        pid = d.proc.pid
        st = proc_status(pid)
        t.eq((st["Uid"], st["Gid"], st["Groups"]), ([str(uid)] * 4, [str(gid)] * 4,
                                                     [str(g) for g in os.getgrouplist(name, gid)]),
             "the process runs as %s: uid, gid and supplementary groups" % name)
        for cap in ("CapEff", "CapPrm", "CapAmb"):
            t.eq(int(st[cap][0], 16), 0, "%s is empty" % cap)
        check_threads(t, pid, uid, gid)
        t.eq(core_limit(pid), ["0", "0"], "the core file size limit is 0")
        t.eq(os.stat("/proc/%d/status" % pid).st_uid, 0,
             "not dumpable: its /proc files stay root's")
        t.ok(d.find_line("running as user %s" % name) is not None, "the switch is logged",
             d.log_tail())
        sock = os.stat(d.admin_socket)
        t.eq((sock.st_uid, sock.st_gid, stat.S_IMODE(sock.st_mode)), (uid, gid, 0o660),
             "the admin socket belongs to %s, mode 0660" % name)
        check_relay(t, d, window)
        status, out, err = h.run_tool([h.ternctl_path(), "status", "-s", d.admin_socket])
        t.eq(status, 0, "ternctl status answers after the switch", out + err)


def group_refusals(t, account):
    port = h.free_port()
    base = ["-L", h.LOOPBACK4, "-p", str(port), "--http-port", "0", "--admin-socket", ""]
    status, out, err = h.run_ternd(base, timeout=5.0, allow_root=False)
    t.eq(status, 1, "root without server.user: exit status 1", err)
    t.ok("server.user" in err and "allow_root" in err and "ready" not in err,
         "root without server.user: the message names server.user and server.allow_root, and "
         "nothing was served", err)
    for label, conf, needle in (
            ("an unknown user", 'server = { user = "no-such-tern-user"; };', "no user"),
            ("an unknown group", 'server = { user = "%s"; group = "no-such-tern-group"; };'
             % account[0], "no group"),
            ("server.user = root", 'server = { user = "root"; };', "root")):
        with tempfile.TemporaryDirectory(prefix="tern-privs-") as tmp:
            path = os.path.join(tmp, "tern.conf")
            with open(path, "w", encoding="utf-8") as f:
                f.write(conf + "\n")
            status, out, err = h.run_ternd(base + ["-c", path], timeout=5.0, allow_root=False)
        t.ok(status == 1 and needle in err, "%s: refused at start-up, saying %r" % (label, needle),
             "status %r\n%s" % (status, err))


def group_allow_root(t):
    with h.Ternd(t, allow_root=True, name="ternd --allow-root") as d:
        st = proc_status(d.proc.pid)
        t.eq(st["Uid"], ["0"] * 4, "--allow-root: runs as root")
        t.ok(d.find_line("relaying as root") is not None, "--allow-root: warns it relays as root",
             d.log_tail())
    with h.Ternd(t, config="server = { allow_root = true; };\n", allow_root=False,
                 name="ternd with server.allow_root = true") as d:
        t.eq(proc_status(d.proc.pid)["Uid"], ["0"] * 4, "server.allow_root = true: starts as root")


def group_core_dumps(t, account):
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError) as e:
        t.skip("server.core_dumps = true keeps the limit", "cannot raise RLIMIT_CORE: %s" % e)
        return
    try:
        conf = 'server = { user = "%s"; core_dumps = true; };\n' % account[0]
        # A sanitized build lowers its own soft limit unless told not to.
        asan = os.environ.get("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:abort_on_error=0")
        tsan = os.environ.get("TSAN_OPTIONS", "halt_on_error=1")
        env = {"ASAN_OPTIONS": asan + ":disable_coredump=0",
               "TSAN_OPTIONS": tsan + ":disable_coredump=0"}
        with h.Ternd(t, config=conf, allow_root=False, env=env,
                     name="ternd with core_dumps = true") as d:
            t.eq(core_limit(d.proc.pid), ["unlimited", "unlimited"],
                 "server.core_dumps = true: the inherited core limit is kept")
        with h.Ternd(t, allow_root=True, name="ternd with the default core_dumps") as d:
            t.eq(core_limit(d.proc.pid), ["0", "0"],
                 "by default the core limit is 0 even when the parent's is unlimited")
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))


def low_free_port(lo=700, hi=1000):
    """A port below 1024 free for UDP and TCP on 127.0.0.1, or None."""
    for port in range(lo, hi):
        if port not in h.RESERVED_PORTS and h._port_free(h.LOOPBACK4, port):
            return port
    return None


def group_ambient(t, account):
    """Started as the user with CAP_NET_BIND_SERVICE (AmbientCapabilities, as
    a unit with User= or a file capability would give): it binds a port below
    1024, then no thread keeps the capability."""
    name, uid, gid = account
    setpriv = shutil.which("setpriv")
    port = low_free_port()
    if setpriv is None or port is None:
        t.skip("a user with an ambient capability", "no setpriv, or no free port below 1024")
        return
    argv = [setpriv, "--reuid=%d" % uid, "--regid=%d" % gid, "--init-groups",
            "--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service", "--",
            h.ternd_path(), "-L", h.LOOPBACK4, "-p", str(port), "-t", "2", "--http-port", "0",
            "--admin-socket", ""]
    proc = h.track_process(subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                            env=h.sanitizer_env()))
    err = h._Capture(proc.stderr)
    try:
        ready = err.wait_for(lambda text: h.READY_MARK in text, 10.0)
        if not t.ok(ready, "as %s with CAP_NET_BIND_SERVICE: ternd binds port %d and is ready"
                    % (name, port), err.text()):
            return
        tasks = sorted(os.listdir("/proc/%d/task" % proc.pid))
        caps = [(task, proc_status(proc.pid, task)) for task in tasks]
        bad = [(task, st["CapEff"], st["CapPrm"], st["CapAmb"]) for task, st in caps
               if any(int(st[c][0], 16) for c in ("CapEff", "CapPrm", "CapAmb"))]
        t.ok(len(tasks) >= 3 and not bad,
             "once ready, none of its %d threads keeps a capability" % len(tasks), repr(bad))
        t.eq(proc_status(proc.pid)["Uid"], [str(uid)] * 4, "it still runs as %s" % name)
    finally:
        status = h.stop_process(proc, 5.0)
        err.join(2.0)
    t.eq(status, 0, "it stops with exit status 0", err.text())
    t.ok(not h.sanitizer_lines(err.text()), "no sanitizer report", err.text())


def main():
    t = h.Tap(timeout_s=80)
    if os.geteuid() != 0:
        t.skip("privilege checks", "not running as root: only root can switch users")
        t.finish()
    account = unprivileged_account()
    if account is None:
        t.skip("privilege checks", "no unprivileged account (nobody, daemon) on this system")
        t.finish()
    t.diag("switching to %s (uid %d, gid %d, group %s)" % (account[0], account[1], account[2],
                                                          grp.getgrgid(account[2]).gr_name))
    t.run("switch", group_switch, t, account)
    t.run("refusals", group_refusals, t, account)
    t.run("allow_root", group_allow_root, t)
    t.run("core dumps", group_core_dumps, t, account)
    t.run("ambient capability", group_ambient, t, account)
    t.finish()


if __name__ == "__main__":
    main()
