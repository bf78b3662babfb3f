#!/usr/bin/python3
"""Start-up output: the ready line, the log format, the minted credential
(username "<expiry>:<user>", password base64(HMAC-SHA1(secret, username))),
the JSON iceServers entry, and secrets kept out of the log."""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

CREDENTIAL_TTL_S = 86400
TTL_SLACK_S = 120
SECRET = "integ-s3cret-Zq81"
SECOND_SECRET = "integ-s3cret-Wm27"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "
                      r"(ERROR|WARN|WARNING|NOTICE|INFO|DEBUG) [A-Za-z0-9_.-]+: ",
                      re.IGNORECASE)
URL_SCHEMES = ("stun:", "turn:", "turns:")


def group_ready(t, hosts):
    with h.Ternd(t, listen=hosts) as d:
        line = d.ready_line or ""
        for host in hosts:
            t.ok(host in line, "ready line lists %s" % host, "ready line: %r" % line)
        t.ok(str(d.port) in line, "ready line lists the port %d" % d.port,
             "ready line: %r" % line)
        # Ready means bound: every listener answers at once.
        for host in hosts:
            with h.udp_socket(host) as s:
                req, txid = h.binding_request()
                res = h.udp_transaction(s, (host, d.port), req, txid, timeout=2.0)
                t.ok(res.msg is not None and res.msg.is_success(),
                     "UDP on %s answers right after the ready line" % host)
            with h.tcp_connect(host, d.port) as c:
                req, txid = h.binding_request()
                c.sendall(req)
                try:
                    msg = h.TcpReader(c).read(2.0)
                except h.ConnectionClosed:
                    msg = None
                t.ok(msg is not None and msg.is_success(),
                     "TCP on %s answers right after the ready line" % host)
        bad = [l for l in d.log_lines() if not LOG_LINE.match(l)]
        t.ok(d.log_lines() and not bad,
             "every stderr line has the form 'TIMESTAMP LEVEL module: message'",
             "lines that do not:\n" + "\n".join(bad[:10]))


def parse_credential(line):
    user = re.search(r"username=(\S+)", line or "")
    password = re.search(r"password=(\S+)", line or "")
    return (user.group(1) if user else None, password.group(1) if password else None)


def check_credential(t, d, label, secret):
    line = d.wait_line("credential:")
    if not t.ok(line, "%s: a credential line is printed" % label, d.log_tail()):
        return None, None
    username, password = parse_credential(line)
    if not t.ok(username and password, "%s: it has username= and password=" % label,
                "line: %r" % line):
        return None, None
    m = re.match(r"^(\d+):(.+)$", username)
    if t.ok(m, "%s: username has the form <expiry>:<user>" % label, "username %r" % username):
        ttl = int(m.group(1)) - int(time.time())
        t.ok(abs(ttl - CREDENTIAL_TTL_S) <= TTL_SLACK_S,
             "%s: expiry is about %d s ahead (%d s)" % (label, CREDENTIAL_TTL_S, ttl))
    if secret is not None:
        t.eq(password, h.rest_password(secret, username),
             "%s: password = base64(HMAC-SHA1(secret, username))" % label, "line: %r" % line)
    return username, password


def group_credential(t):
    with h.Ternd(t, args=["--secret", SECRET], name="ternd --secret") as d:
        check_credential(t, d, "--secret", SECRET)
        out = d.log() + d.stdout()
        t.ok(SECRET not in out, "--secret: the secret itself never appears in the output")
    args = ["--secret", SECRET, "--secret", SECOND_SECRET]
    with h.Ternd(t, args=args, name="ternd with two secrets") as d:
        check_credential(t, d, "two secrets (the first mints)", SECRET)
        out = d.log() + d.stdout()
        t.ok(SECRET not in out and SECOND_SECRET not in out,
             "two secrets: neither appears in the output")
    with h.Ternd(t, name="ternd without --secret") as d:
        check_credential(t, d, "no --secret", None)


def find_json(line):
    """The first JSON object or array inside line, or None."""
    decoder = json.JSONDecoder()
    for i, ch in enumerate(line):
        if ch in "{[":
            try:
                return decoder.raw_decode(line[i:])[0]
            except ValueError:
                continue
    return None


def ice_entries(value):
    if isinstance(value, dict) and "iceServers" in value:
        value = value["iceServers"]
    if isinstance(value, dict):
        value = [value]
    return value if isinstance(value, list) else []


def group_ice_servers(t):
    with h.Ternd(t, args=["--secret", SECRET], name="ternd for iceServers") as d:
        line = d.wait_line("iceServers")
        if not t.ok(line, "an iceServers line is printed", d.log_tail()):
            return
        value = find_json(line)
        if not t.ok(value is not None, "the iceServers line holds JSON", "line: %r" % line):
            return
        entries = ice_entries(value)
        t.ok(entries and all(isinstance(e, dict) and "urls" in e for e in entries),
             "iceServers entries are objects with urls", "JSON: %r" % (value,))
        urls = []
        for e in entries:
            u = e.get("urls") if isinstance(e, dict) else None
            urls += [u] if isinstance(u, str) else list(u or [])
        t.ok(urls and all(isinstance(u, str) and u.startswith(URL_SCHEMES) for u in urls),
             "every url is stun:, turn: or turns:", "urls: %r" % urls)
        t.ok(any(str(d.port) in u and h.LOOPBACK4 in u for u in urls),
             "a url names 127.0.0.1 and the port %d" % d.port, "urls: %r" % urls)
        username, password = parse_credential(d.wait_line("credential:"))
        with_creds = [e for e in entries if isinstance(e, dict) and "username" in e]
        t.ok(with_creds and all(e.get("username") == username
                                and e.get("credential") == password for e in with_creds),
             "iceServers username/credential equal the credential line's",
             "JSON: %r\ncredential line: %r" % (value, (username, password)))


def main():
    t = h.Tap(timeout_s=55)
    hosts = [h.LOOPBACK4]
    if h.ipv6_usable():
        hosts.append(h.LOOPBACK6)
    else:
        t.skip("ready line lists ::1", "IPv6 loopback (::1) unusable here")
    t.run("ready", group_ready, t, hosts)
    t.run("credential", group_credential, t)
    t.run("iceServers", group_ice_servers, t)
    t.finish()


if __name__ == "__main__":
    main()
