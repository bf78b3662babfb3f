#!/usr/bin/python3
"""ternctl credential: minting TURN REST credentials, checked by value and
against a running ternd.

  ternctl credential --secret S --user U --ttl N   prints
      username: <now+N>:U
      password: base64(HMAC-SHA1(S, username))
      ttl: N
      {"iceServers": [{"urls": [...], "username": ..., "credential": ...}]}
  --json prints only the JSON line; --secret-file F reads the first line of
  F; TERN_SECRET is read when neither is given; no secret is exit status 2.

Then a credential ternctl minted allocates on a ternd started with
--secret S, one minted from the file's secret is refused there (--secret
replaces auth.secrets), and one with --ttl 1 is refused once expired.
"""

import json
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

TOOL_TIMEOUT_S = 10
LINE = re.compile(r"^(username|password|ttl): (.*)$")


def run_ternctl(args, env_extra=None, drop_env=("TERN_SECRET",)):
    """ternctl with no TERN_SECRET from the caller's environment unless env_extra sets it."""
    drop = [n for n in drop_env if n not in (env_extra or {})]
    return h.run_tool([h.ternctl_path()] + list(args), TOOL_TIMEOUT_S, env_extra, drop)


def parse_output(out):
    """(fields dict, JSON object or None, error text)."""
    fields = {}
    lines = out.splitlines()
    for line in lines[:-1]:
        m = LINE.match(line)
        if m:
            fields[m.group(1)] = m.group(2)
    try:
        obj = json.loads(lines[-1]) if lines else None
    except ValueError as e:
        return fields, None, "last line is not JSON: %s" % e
    return fields, obj, None


def ice_server(obj):
    try:
        servers = obj["iceServers"]
        return servers[0] if len(servers) == 1 and isinstance(servers[0], dict) else None
    except (TypeError, KeyError):
        return None


def check_credential(t, label, out, secret, user, ttl, now):
    fields, obj, err = parse_output(out)
    diag = "output:\n" + out
    t.eq(sorted(fields), ["password", "ttl", "username"],
         "%s: prints username, password and ttl lines" % label, diag)
    name = fields.get("username", "")
    m = re.match(r"^(\d+)(?::(.*))?$", name)
    t.ok(m and (m.group(2) or "") == user,
         "%s: username is <expiry>:%s" % (label, user) if user else
         "%s: username is <expiry> alone without --user" % label, diag)
    if m:
        expiry = int(m.group(1))
        t.ok(now + ttl - 2 <= expiry <= now + ttl + 2,
             "%s: the expiry is now + %d s" % (label, ttl), "expiry %d, now %d" % (expiry, now))
    t.eq(fields.get("password"), h.rest_password(secret, name),
         "%s: password is base64(HMAC-SHA1(secret, username))" % label)
    t.eq(fields.get("ttl"), str(ttl), "%s: ttl line says %d" % (label, ttl))
    srv = ice_server(obj)
    if not t.ok(srv is not None, "%s: the last line is JSON with one iceServers entry" % label,
                err or diag):
        return None
    t.ok(srv.get("username") == name and srv.get("credential") == fields.get("password"),
         "%s: the JSON carries the same username and credential" % label, diag)
    urls = srv.get("urls")
    t.ok(isinstance(urls, list) and urls and all(
        isinstance(u, str) and re.match(r"^turns?:", u) for u in urls),
        "%s: the JSON urls are turn: or turns: URLs" % label, "urls %r" % (urls,))
    return name, fields.get("password"), urls


def group_values(t):
    now = int(time.time())
    status, out, err = run_ternctl(["credential", "--secret", "s1", "--user", "alice",
                                    "--ttl", "3600"])
    if not t.eq(status, 0, "credential --secret --user --ttl: exit status 0", err):
        return
    got = check_credential(t, "credential", out, "s1", "alice", 3600, now)
    if got:
        t.eq(got[2], ["turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"],
             "credential: default urls are turn:127.0.0.1:3478 over UDP and TCP")

    status, out, err = run_ternctl(["credential", "--secret", "s1", "--user", "alice", "--json"])
    lines = out.splitlines()
    t.eq(status, 0, "--json: exit status 0", err)
    t.eq(len(lines), 1, "--json: prints exactly one line", out)
    try:
        obj = json.loads(lines[0]) if lines else None
    except ValueError:
        obj = None
    srv = ice_server(obj)
    t.ok(srv is not None and srv.get("credential") == h.rest_password(
        "s1", srv.get("username", "")), "--json: the line is the iceServers JSON with a "
        "valid credential", out)
    t.ok(not any(LINE.match(l) for l in lines), "--json: no username/password/ttl lines", out)

    status, out, err = run_ternctl(["credential", "--secret", "s1", "--json", "--host",
                                    "127.0.0.1", "--port", "4000"])
    srv = ice_server(json.loads(out.splitlines()[-1])) if status == 0 and out else None
    t.eq(srv.get("urls") if srv else None,
         ["turn:127.0.0.1:4000?transport=udp", "turn:127.0.0.1:4000?transport=tcp"],
         "--host/--port: the default urls use them", out + err)

    urls = ["turn:127.0.0.1:4001?transport=udp", "turns:localhost:5349?transport=tcp"]
    status, out, err = run_ternctl(["credential", "--secret", "s1", "--json",
                                    "--url", urls[0], "--url", urls[1]])
    srv = ice_server(json.loads(out.splitlines()[-1])) if status == 0 and out else None
    t.eq(srv.get("urls") if srv else None, urls, "--url twice: exactly those urls", out + err)

    odd_user = 'we"ird\\user'
    status, out, err = run_ternctl(["credential", "--secret", "s1", "--user", odd_user,
                                    "--json"])
    try:
        srv = ice_server(json.loads(out.splitlines()[-1]))
    except (ValueError, IndexError):
        srv = None
    t.ok(srv is not None and srv.get("username", "").endswith(":" + odd_user)
         and srv.get("credential") == h.rest_password("s1", srv.get("username", "")),
         "a user with a quote and a backslash: the JSON parses and keeps it", out + err)

    now = int(time.time())
    status, out, err = run_ternctl(["credential", "--ttl", "120"],
                                   env_extra={"TERN_SECRET": "from-env"}, drop_env=())
    t.eq(status, 0, "TERN_SECRET: exit status 0", err)
    check_credential(t, "TERN_SECRET", out, "from-env", "", 120, now)


def group_secret_file(t, tmp):
    for label, content in (("LF", b"file-secret\nsecond line\n"),
                           ("CRLF", b"file-secret\r\nsecond line\r\n"),
                           ("no final newline", b"file-secret")):
        path = os.path.join(tmp, "secret-%d" % len(content))
        with open(path, "wb") as f:
            f.write(content)
        now = int(time.time())
        status, out, err = run_ternctl(["credential", "--secret-file", path, "--user", "bob",
                                        "--ttl", "60"])
        if t.eq(status, 0, "--secret-file (%s): exit status 0" % label, err):
            check_credential(t, "--secret-file (%s)" % label, out, "file-secret", "bob", 60, now)


def group_errors(t, tmp):
    for label, args in (
            ("no secret at all", ["credential", "--user", "alice"]),
            ("--secret-file of a missing file",
             ["credential", "--secret-file", os.path.join(tmp, "missing")]),
            ("--ttl 0", ["credential", "--secret", "s1", "--ttl", "0"]),
            ("--ttl not a number", ["credential", "--secret", "s1", "--ttl", "soon"]),
            ("an unknown option", ["credential", "--secret", "s1", "--frobnicate"]),
            ("no command", [])):
        status, out, err = run_ternctl(args)
        t.eq(status, 2, "ternctl %s: exit status 2" % label, "stderr: " + err)
        t.eq(out, "", "ternctl %s: nothing on stdout" % label)
        t.ok(err.strip(), "ternctl %s: says why on stderr" % label)
    status, out, err = run_ternctl(["credential", "--secret", "s1", "--ttl", "0"])
    t.ok("--ttl" in err, "ternctl --ttl 0: the message names the option --ttl",
         "stderr: " + err)
    status, out, err = run_ternctl(["--version"])
    t.ok(status == 0 and out.startswith("ternctl "), "ternctl --version: prints its version",
         out + err)
    status, out, err = run_ternctl(["--help"])
    t.ok(status == 0 and "credential" in out, "ternctl --help: usage on stdout, status 0",
         out + err)


def mint(secret, user, ttl):
    status, out, err = run_ternctl(["credential", "--secret", secret, "--user", user,
                                    "--ttl", str(ttl)])
    fields, _, _ = parse_output(out) if status == 0 else ({}, None, None)
    return fields.get("username"), fields.get("password"), status, err


def group_against_ternd(t):
    window = h.pick_relay_window(size=20)
    conf = h.turn_config(window, secrets=["file-secret"])
    with h.Ternd(t, config=conf, args=["--secret", "cli-secret"], avoid_ports=window,
                 name="ternd --secret cli-secret") as d:
        server = (h.LOOPBACK4, d.port)
        name, password, status, err = mint("cli-secret", "alice", 3600)
        if not t.eq(status, 0, "minting for ternd: exit status 0", err):
            return
        with h.TurnClient(server, "udp", name, password) as c:
            res = c.allocate()
            t.eq(res.code(), 0, "a ternctl credential (--secret of ternd) allocates",
                 res.describe())
            t.eq(res.integrity, True, "its Allocate response verifies with the credential")
        with h.TurnClient(server, "tcp", name, password) as c:
            res = c.allocate()
            t.eq(res.code(), 0, "the same credential allocates over TCP", res.describe())
        name2, password2, _, _ = mint("file-secret", "alice", 3600)
        with h.TurnClient(server, "udp", name2, password2) as c:
            res = c.allocate()
            t.eq(res.code(), 401, "a credential from the file's secret is refused: --secret "
                 "replaced auth.secrets", res.describe())
        name3, password3, _, _ = mint("cli-secret", "bob", 1)
        time.sleep(2.2)
        with h.TurnClient(server, "udp", name3, password3) as c:
            res = c.allocate()
            t.eq(res.code(), 401, "a ternctl credential with --ttl 1 is refused 2 s later",
                 res.describe())


def main():
    t = h.Tap(timeout_s=55)
    if not os.access(h.ternctl_path(), os.X_OK):
        t.ok(False, "ternctl found", "no executable at %s (set TERNCTL)" % h.ternctl_path())
        t.finish()
    with tempfile.TemporaryDirectory(prefix="tern-integ-") as tmp:
        t.run("values", group_values, t)
        t.run("secret file", group_secret_file, t, tmp)
        t.run("errors", group_errors, t, tmp)
    try:
        t.run("against ternd", group_against_ternd, t)
    except h.TerndStartError:
        pass
    t.finish()


if __name__ == "__main__":
    main()
