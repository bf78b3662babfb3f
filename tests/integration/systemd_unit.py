#!/usr/bin/python3
"""etc/ternd.service: `systemd-analyze verify` passes, and the unit says
what ternd(8) promises.

The unit names /usr/local/sbin/ternd; a copy in a temporary directory names
the ternd under test instead, so systemd-analyze finds an executable. Its
Documentation= man pages are looked up in a MANPATH holding this tree's
man/ files (when man is installed). A copy with an unknown key shows that
systemd-analyze's complaints are caught. Then the directives the design
rests on are checked one by one, and the ExecStartPre check passes on the
reference etc/tern.conf plus server.user.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

INSTALLED = "/usr/local/sbin/ternd"
MAN_PAGES = (("ternd.8", "man8"), ("tern.conf.5", "man5"), ("ternctl.1", "man1"))


def analyze(unit_path, manpath):
    """systemd-analyze verify: (status, output)."""
    argv = ["systemd-analyze", "verify"]
    env = dict(os.environ)
    if manpath is None:
        argv.append("--man=no")
    else:
        env["MANPATH"] = manpath
    try:
        proc = subprocess.run(argv + [unit_path], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=60, env=env, check=False)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    return proc.returncode, (proc.stdout + proc.stderr).decode("utf-8", "replace")


def directives(text):
    """{key: [values]} of the unit's lines (comments dropped)."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;[" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        out.setdefault(key.strip(), []).append(value.strip())
    return out


def manpath_for(tmp):
    if shutil.which("man") is None:
        return None
    root = os.path.join(tmp, "man")
    for page, section in MAN_PAGES:
        os.makedirs(os.path.join(root, section), exist_ok=True)
        shutil.copy(os.path.join(h.top_srcdir(), "man", page), os.path.join(root, section))
    return root


def group_verify(t, tmp, text):
    ternd = os.path.abspath(h.ternd_path())
    t.ok(INSTALLED in text, "the unit runs %s" % INSTALLED)
    unit = os.path.join(tmp, "ternd.service")
    with open(unit, "w", encoding="utf-8") as f:
        f.write(text.replace(INSTALLED, ternd))
    manpath = manpath_for(tmp)
    if manpath is None:
        t.skip("Documentation= man pages resolve", "man is not installed")
    status, out = analyze(unit, manpath)
    t.ok(status == 0 and "ternd.service" not in out,
         "systemd-analyze verify passes with no complaint%s"
         % ("" if manpath is None else ", man pages included"), out)
    bad = os.path.join(tmp, "bad", "ternd.service")
    os.makedirs(os.path.dirname(bad))
    with open(bad, "w", encoding="utf-8") as f:
        f.write(text.replace(INSTALLED, ternd).replace("[Service]\n",
                                                      "[Service]\nNoSuchDirective=1\n"))
    status, out = analyze(bad, None)
    t.ok("NoSuchDirective" in out, "a copy with an unknown key draws a complaint (the check "
         "above can fail)", out)


def group_directives(t, text):
    d = directives(text)

    def one(key):
        values = d.get(key, [])
        return values[-1] if values else None

    t.eq(one("Type"), "notify", "Type=notify")
    t.eq(one("ExecReload"), "/bin/kill -HUP $MAINPID", "ExecReload sends SIGHUP to the main PID")
    t.eq(one("NoNewPrivileges"), "yes", "NoNewPrivileges=yes")
    t.eq(one("ProtectSystem"), "strict", "ProtectSystem=strict")
    t.eq(one("PrivateTmp"), "yes", "PrivateTmp=yes")
    t.eq(one("RuntimeDirectory"), "tern", "RuntimeDirectory=tern, for the admin socket")
    t.eq(one("User"), None, "no User=: ternd starts as root and switches to server.user")
    caps = set((one("CapabilityBoundingSet") or "").split())
    t.eq(caps, {"CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN"},
         "CapabilityBoundingSet: binding 443, switching user and group, chown of the socket")
    families = set((one("RestrictAddressFamilies") or "").split())
    t.eq(families, {"AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK"},
         "RestrictAddressFamilies: IP, unix sockets, netlink (getifaddrs)")
    limit = one("LimitNOFILE") or "0"
    relay_ports = 65535 - 49152 + 1
    t.ok(limit.isdigit() and int(limit) >= 2 * relay_ports + 4096,
         "LimitNOFILE (%s) covers two sockets per relay port of the default range and the TCP "
         "clients of a worker" % limit)
    t.eq(one("LimitCORE"), "0", "LimitCORE=0")
    conf = os.path.join(h.top_srcdir(), "etc", "tern.conf")
    with open(conf, encoding="utf-8") as f:
        m = re.search(r'^\s*admin_socket\s*=\s*"([^"]*)"', f.read(), re.MULTILINE)
    t.ok(m is not None and m.group(1).startswith("/run/tern/"),
         "the default admin socket lies in the unit's RuntimeDirectory", m and m.group(1))


def group_exec_start_pre(t, tmp, text):
    pre = directives(text).get("ExecStartPre", [""])[-1].split()
    t.eq(pre[:2], [INSTALLED, "--check-config"], "ExecStartPre checks the configuration")
    conf = os.path.join(tmp, "tern.conf")
    with open(os.path.join(h.top_srcdir(), "etc", "tern.conf"), encoding="utf-8") as f:
        reference = f.read()
    with open(conf, "w", encoding="utf-8") as f:
        f.write(reference.replace('user = "";', 'user = "nobody";', 1))
    status, out, err = h.run_ternd(["--check-config", "-c", conf], allow_root=False)
    t.eq(status, 0, "the ExecStartPre check passes on etc/tern.conf with server.user set",
         out + err)


def main():
    t = h.Tap(timeout_s=100)
    unit = os.path.join(h.top_srcdir(), "etc", "ternd.service")
    with open(unit, encoding="utf-8") as f:
        text = f.read()
    with tempfile.TemporaryDirectory(prefix="tern-unit-") as tmp:
        if shutil.which("systemd-analyze") is None:
            t.skip("systemd-analyze verify", "systemd-analyze is not installed "
                   "(scripts/install-deps.sh installs the systemd package)")
        else:
            t.run("verify", group_verify, t, tmp, text)
        t.run("directives", group_directives, t, text)
        t.run("ExecStartPre", group_exec_start_pre, t, tmp, text)
    t.finish()


if __name__ == "__main__":
    main()
