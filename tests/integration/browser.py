#!/usr/bin/python3
"""Interop: a real browser (Debian's chromium) relaying a data channel through ternd.

tests/browser/run.mjs drives /usr/bin/chromium through playwright-core
(from npm, pinned by tests/browser/package-lock.json; `npm ci`, never
`npx playwright install`: the browser is Debian's). It serves
tests/browser/loopback.html on 127.0.0.1, and for each mode the page makes
two RTCPeerConnections with iceTransportPolicy 'relay' and only ternd in
iceServers, opens an ordered data channel from one to the other and sends
MESSAGES numbered messages. Modes:

  udp  turn:127.0.0.1:PORT?transport=udp   shared-secret (REST) credential
  tcp  turn:127.0.0.1:PORT?transport=tcp   static user from the config
  tls  turns:127.0.0.1:PORT                REST credential, TLS found on the
                                           same port by its first byte
  tls-port  turns:127.0.0.1:TLSPORT        REST credential, the tls.port
                                           listener

Checks per mode: the channel opens, every message arrives once and in
order; getStats() of each end shows a selected, nominated pair whose local
and remote candidates are both 'relay', the local one's relayProtocol
udp/tcp/tls, on 127.0.0.1 in the configured relay port range. On the
server side, ternd's usage records (one JSON line per allocation, written
when it ends) show two allocations per mode, made over the expected
transport from 127.0.0.1, one of which carried at least the payload's
bytes to its peer (the other relay).

What chromium needs here (Debian chromium 156):
  - --allow-loopback-in-peer-connection: otherwise it leaves the loopback
    interface out of ICE gathering. Where another interface is up, relaying
    through 127.0.0.1 works without it anyway; where `lo` is the only one
    (a network namespace made with `unshare -n`, tried), it gathers no
    candidate at all, reports no error, and the channel never opens.
  - For turns: with a self-signed test certificate, no trust store change
    is needed: --ignore-certificate-errors-spki-list=<base64 of the SHA-256
    of the certificate's DER SubjectPublicKeyInfo> makes it accept that one
    key (whatever the name in the certificate: here CN=localhost while the
    URL says 127.0.0.1). Without the flag the TLS connection to the server
    fails (chromium 156 reports icecandidateerror 701 "Failed to establish
    connection" for turns:127.0.0.1:PORT?transport=tcp; earlier builds gave
    no event at all) and the channel never opens. The value is
        openssl x509 -pubkey -noout -in cert.pem | openssl pkey -pubin -outform der
          | openssl dgst -sha256 -binary | base64
    (this test computes the same digest in Python from `openssl x509
    -pubkey`). The certificate is made at test time:
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes
          -days 2 -subj /CN=localhost -keyout key.pem -out cert.pem
  - --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update
    --disable-sync: no display, root in CI, and no attempt to reach hosts
    outside this machine.

Until ternd knows the `tls` group (tls.cert, tls.key, tls.port), the tls
modes are reported as one `not ok ... # TODO` line (TAP: an expected
failure), found by `ternd --check-config` naming the unknown group or key.

SKIP only when /usr/bin/chromium is missing (scripts/install-deps.sh
installs it). Anything else that keeps the browser from running (no node,
npm ci failing, chromium crashing) is a failure. playwright-core is taken
from tests/browser/node_modules in the source tree (scripts/install-deps.sh
runs `npm ci` there), else installed with `npm ci` into
tests/browser-modules/ of the build tree (make distcheck).

Bounded in time: the Tap watchdog, a time limit inside run.mjs and one on
the node process. node runs in its own process group; run.mjs reports
chromium's PID (playwright makes it the leader of a process group of its
own, with its renderers); both groups are killed by their IDs if anything
outlives the run.
"""

import base64
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--allow-loopback-in-peer-connection",
]
MESSAGES = 100
MODE_TIMEOUT_MS = 20000
# run.mjs stops itself after MODE_TIMEOUT_MS per mode + 20 s (100 s for the 4
# modes); node is killed after NODE_LIMIT_S; the whole script after WATCHDOG_S
# (NPM_LIMIT_S more while npm ci runs).
NODE_LIMIT_S = 120
NPM_LIMIT_S = 180
WATCHDOG_S = 170
SECRET = "browser-secret"
STATIC_USER = ("carol", "carol-password")


# ---------------------------------------------------------------- npm modules


def lock_version(folder):
    """The playwright-core version package-lock.json in folder pins."""
    with open(os.path.join(folder, "package-lock.json"), encoding="utf-8") as f:
        lock = json.load(f)
    return lock["packages"]["node_modules/playwright-core"]["version"]


def installed_version(folder):
    path = os.path.join(folder, "node_modules", "playwright-core", "package.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f).get("version")
    except (OSError, ValueError):
        return None


def browser_dir():
    return os.path.join(h.top_srcdir(), "tests", "browser")


def modules_folder(t):
    """A folder whose node_modules holds the pinned playwright-core: the
    source tree's, else one filled by `npm ci` in the build tree. None
    (after a failing check) when neither can be had."""
    src = browser_dir()
    wanted = lock_version(src)
    if installed_version(src) == wanted:
        return src
    top = os.environ.get("TERN_TOP_BUILDDIR") or os.path.dirname(os.path.abspath(h.ternd_path()))
    build = os.path.join(top, "tests", "browser-modules")
    if installed_version(build) == wanted:
        return build
    npm = shutil.which("npm")
    if not t.ok(npm, "npm is installed (to install playwright-core)"):
        return None
    os.makedirs(build, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(os.path.join(src, name), os.path.join(build, name))
    t0 = time.monotonic()
    signal.alarm(NPM_LIMIT_S + WATCHDOG_S)
    status, out, err = h.run_tool([npm, "ci", "--no-audit", "--no-fund", "--prefer-offline",
                                   "--prefix", build], timeout=NPM_LIMIT_S)
    signal.alarm(WATCHDOG_S)
    t.diag("npm ci in %s: status %r in %.1f s" % (build, status, time.monotonic() - t0))
    if not t.ok(status == 0 and installed_version(build) == wanted,
                "npm ci installs playwright-core %s" % wanted, (out + err)[-2000:]):
        return None
    return build


def node_major():
    """node's major version, 0 when there is no working node."""
    if not shutil.which("node"):
        return 0
    status, out, _ = h.run_tool(["node", "--version"], timeout=20)
    try:
        return int(out.strip().lstrip("v").split(".")[0]) if status == 0 else 0
    except ValueError:
        return 0


# ---------------------------------------------------------------- certificate


def make_certificate(folder):
    """(cert path, key path, SPKI pin) of a fresh self-signed P-256
    certificate for CN=localhost, valid 2 days."""
    cert = os.path.join(folder, "cert.pem")
    key = os.path.join(folder, "key.pem")
    status, out, err = h.run_tool([
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
        timeout=20)
    if status != 0:
        raise RuntimeError("openssl req failed: %s" % (out + err))
    status, out, err = h.run_tool(["openssl", "x509", "-pubkey", "-noout", "-in", cert],
                                  timeout=20)
    if status != 0:
        raise RuntimeError("openssl x509 -pubkey failed: %s" % err)
    body = "".join(l for l in out.splitlines() if l and not l.startswith("-----"))
    spki = base64.b64encode(hashlib.sha256(base64.b64decode(body)).digest()).decode()
    return cert, key, spki


def tls_config(cert, key, tls_port):
    return 'tls = {\n    cert = "%s";\n    key = "%s";\n    port = %d;\n};\n' % (
        cert, key, tls_port)


def tls_unknown(output):
    """True when ternd's refusal says it does not know the tls group or key."""
    low = output.lower()
    return "unknown" in low and "tls" in low


# ---------------------------------------------------------------- node + chromium


class ChromiumPid:
    """Chromium's PID as run.mjs reported it (not our child): registered with
    the harness so the watchdog and the exit handler kill it by its PID."""

    def __init__(self, pid):
        self.pid = pid

    def _ours(self):
        try:
            with open("/proc/%d/cmdline" % self.pid, "rb") as f:
                return b"chromium" in f.read()
        except OSError:
            return False

    def poll(self):
        return None if self._ours() else 0

    def kill(self):
        """SIGKILL to chromium's PID and, as playwright starts it as the
        leader of its own process group, to that group (its renderers)."""
        if not self._ours():
            return
        try:
            if os.getpgid(self.pid) == self.pid:
                os.killpg(self.pid, signal.SIGKILL)
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass


class NodeRun:
    """run.mjs in its own process group; its JSON lines read by a thread."""

    def __init__(self, modules, request, tmp):
        # TMPDIR: playwright's chromium profile goes to the test's own
        # folder, removed at the end even when chromium had to be killed.
        env = dict(os.environ, TERN_BROWSER_MODULES=modules, TMPDIR=tmp)
        self.events = []
        self.chromium = None
        self.cond = threading.Condition()
        self.proc = h.track_process(subprocess.Popen(
            ["node", os.path.join(browser_dir(), "run.mjs")], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True))
        self.err = []
        threading.Thread(target=self._read_err, daemon=True).start()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.proc.stdin.write(json.dumps(request).encode())
        self.proc.stdin.close()

    def _read(self):
        for raw in self.proc.stdout:
            try:
                ev = json.loads(raw)
            except ValueError:
                ev = {"event": "garbage", "text": raw.decode("utf-8", "replace")}
            if ev.get("event") == "chromium":
                self.chromium = h.track_process(ChromiumPid(int(ev["pid"])))
            with self.cond:
                self.events.append(ev)
                self.cond.notify_all()

    def _read_err(self):
        for raw in self.proc.stderr:
            if len(self.err) < 200:
                self.err.append(raw.decode("utf-8", "replace").rstrip())

    def wait(self, timeout):
        """Waits for node to exit (killing its group after timeout);
        returns its exit status, None when it had to be killed."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            status = None
        self.kill_group()
        self.proc.wait(5.0)
        self.reader.join(5.0)
        h.stop_process(self.proc)
        return status

    def kill_group(self):
        """Kills what is left of node's process group (chromium's helpers
        included) and chromium by its PID, then waits (up to 3 s) for the
        group to be gone."""
        if self.chromium is not None:
            self.chromium.kill()
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                return
            self.proc.poll()
            time.sleep(0.05)

    def modes(self):
        return {e["name"]: e["result"] for e in self.events if e.get("event") == "mode"}

    def find(self, kind):
        return [e for e in self.events if e.get("event") == kind]


# ---------------------------------------------------------------- checks


def expected_messages():
    return ["tern-%d-%s" % (i, "x" * (i * 7 % 200)) for i in range(MESSAGES)]


def summary(result):
    """The result without the message list, for diagnostics."""
    r = dict(result)
    r["received"] = "%d messages" % len(result.get("received") or [])
    return json.dumps(r, indent=1)[:3000]


def check_pair(t, label, end, pair, transport, window):
    loc = (pair or {}).get("local") or {}
    rem = (pair or {}).get("remote") or {}
    # The selected pair's state may read "in-progress" while a consent
    # check on it is in flight: selected, nominated and carrying the
    # channel's bytes both ways is what counts.
    payload = sum(len(m) for m in expected_messages())
    t.ok(pair and pair.get("nominated") and pair.get("state") != "failed"
         and max(pair.get("bytesSent", 0), pair.get("bytesReceived", 0)) >= payload
         and min(pair.get("bytesSent", 0), pair.get("bytesReceived", 0)) > 0,
         "%s: end %s has a selected, nominated candidate pair that carried the messages"
         % (label, end), json.dumps(pair))
    t.ok(loc.get("candidateType") == "relay" and rem.get("candidateType") == "relay",
         "%s: end %s: local and remote candidates of the pair are both relay" % (label, end),
         json.dumps(pair))
    t.eq(loc.get("relayProtocol"), transport,
         "%s: end %s: the local relay candidate's relayProtocol" % (label, end))
    t.ok(loc.get("address") == h.LOOPBACK4 and loc.get("port") in window
         and rem.get("address") == h.LOOPBACK4 and rem.get("port") in window,
         "%s: end %s: both relayed addresses are 127.0.0.1 in the relay port range"
         % (label, end), json.dumps(pair))


def check_mode(t, label, transport, result, window):
    if result is None:
        t.ok(False, "%s: the page ran" % label, "run.mjs reported nothing for this mode")
        return
    t.ok(result.get("error") is None, "%s: the data channel opened and %d messages arrived"
         % (label, MESSAGES), summary(result))
    want = expected_messages()
    got = result.get("received") or []
    t.ok(got == want, "%s: all %d messages received once, intact, in order" % (label, MESSAGES),
         "got %d messages; first differing index %r" % (
             len(got), next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                            min(len(got), len(want)))))
    check_pair(t, label, "a", result.get("pairA"), transport, window)
    check_pair(t, label, "b", result.get("pairB"), transport, window)
    errors = (result.get("a") or {}).get("errors", []) + (result.get("b") or {}).get("errors", [])
    t.eq(errors, [], "%s: no icecandidateerror or addIceCandidate error" % label)
    t.diag("%s: channel open after %s ms, %d messages after %s ms" % (
        label, result.get("openMs"), MESSAGES, result.get("doneMs")))


def check_records(t, label, records, username, transport, window):
    """Two allocations by username over the expected transport, from
    127.0.0.1, one of which relayed at least the payload to its peer."""
    mine = [r for r in records if r.get("username") == username]
    t.eq(sorted(r.get("transport") for r in mine), [transport, transport],
         "%s: server side: two allocations by user %s, made over %s"
         % (label, username.split(":")[-1], transport),
         json.dumps(mine)[:2000])
    t.ok(mine and all(r.get("client", "").startswith(h.LOOPBACK4 + ":")
                      and all(int(a.rsplit(":", 1)[1]) in window for a in r.get("relays", []))
                      for r in mine),
         "%s: server side: clients on 127.0.0.1, relayed addresses in the range" % label,
         json.dumps(mine)[:2000])
    payload = sum(len(m) for m in expected_messages())
    t.ok(mine and max(r.get("bytes_to_peer", 0) for r in mine) >= payload,
         "%s: server side: one allocation carried at least the %d payload bytes to its peer"
         % (label, payload), json.dumps(mine)[:2000])


# ---------------------------------------------------------------- main


def ice_server(url, username, password):
    return [{"urls": [url], "username": username, "credential": password}]


def rest_mode(name, transport, url):
    """A mode with a shared-secret (REST) credential of its own user."""
    user = h.rest_username("browser-" + name, 3600)
    return (name, transport, user, ice_server(url, user, h.rest_password(SECRET, user)))


def plan_modes(port, tls_port):
    """[(name, transport, username, iceServers)] for the modes this ternd
    serves; tls_port None when it has no TLS."""
    modes = [
        rest_mode("udp", "udp", "turn:127.0.0.1:%d?transport=udp" % port),
        ("tcp", "tcp", STATIC_USER[0],
         ice_server("turn:127.0.0.1:%d?transport=tcp" % port, *STATIC_USER)),
    ]
    if tls_port is not None:
        modes.append(rest_mode("tls", "tls", "turns:127.0.0.1:%d" % port))
        modes.append(rest_mode("tls-port", "tls", "turns:127.0.0.1:%d" % tls_port))
    return modes


def run_browser(t, modules, modes, spki, tmp):
    request = {
        "chromium": CHROMIUM,
        "args": CHROMIUM_ARGS + ["--ignore-certificate-errors-spki-list=" + spki],
        "timeoutMs": MODE_TIMEOUT_MS,
        "messages": MESSAGES,
        "modes": [{"name": m[0], "iceServers": m[3]} for m in modes],
    }
    t0 = time.monotonic()
    run = NodeRun(modules, request, tmp)
    status = run.wait(NODE_LIMIT_S)
    took = time.monotonic() - t0
    t.diag("node run.mjs: status %r after %.1f s" % (status, took))
    problems = run.find("error") + run.find("garbage")
    t.ok(status == 0 and run.find("done") and not problems,
         "chromium ran the page for every mode (node run.mjs exited 0)",
         "status %r\nevents: %s\nstderr:\n%s" % (
             status, json.dumps(problems)[:3000], "\n".join(run.err[-40:])))
    versions = run.find("version")
    if versions:
        t.diag("chromium %s" % versions[0].get("version"))
    chromium = run.chromium
    t.ok(chromium is not None and chromium.poll() is not None,
         "chromium started (run.mjs gave its PID) and is gone once run.mjs has exited",
         "run.mjs gave no PID" if chromium is None else "pid %d still ran" % chromium.pid)
    return run.modes()


def browser_checks(t, modules, tmp):
    # Relay ports below the kernel's ephemeral range (32768-60999 here): only
    # ports bound on purpose are there, so a busy machine rarely fills it.
    window = h.pick_relay_window(size=64, lo=20000, hi=32000)
    cert, key, spki = make_certificate(tmp)
    usage = os.path.join(tmp, "usage.jsonl")
    base = h.turn_config(window, users=[STATIC_USER], secrets=[SECRET],
                         allow=["127.0.0.0/8"]) + 'usage = { file = "%s"; };\n' % usage
    tls_port = h.free_port(avoid=window)
    with_tls = base + tls_config(cert, key, tls_port)
    tls, output = h.config_accepted(with_tls)
    if not tls and not tls_unknown(output):
        t.ok(False, "ternd --check-config accepts the tls group", output)
    conf = with_tls if tls else base
    with h.Ternd(t, config=conf, avoid_ports=set(window) | {tls_port}) as d:
        modes = plan_modes(d.port, tls_port if tls else None)
        results = run_browser(t, modules, modes, spki, tmp)
        for name, transport, _, _ in modes:
            check_mode(t, "browser %s" % name, transport, results.get(name), window)
    with open(usage, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    for name, transport, username, _ in modes:
        check_records(t, "browser %s" % name, records, username, transport, window)
    if not tls:
        t.todo("browser tls and tls-port: turns: relay through ternd over TLS",
               "TLS not implemented (ternd does not know tls.cert)", output)


def main():
    t = h.Tap(timeout_s=WATCHDOG_S)
    if not os.path.exists(CHROMIUM):
        t.skip("browser interop", "%s is missing (scripts/install-deps.sh installs chromium)"
               % CHROMIUM)
        t.finish()
    if not t.ok(node_major() >= 20, "node 20 or newer is installed (playwright-core %s needs it)"
                % lock_version(browser_dir()), "node: %s" % shutil.which("node")):
        t.finish()
    modules = modules_folder(t)
    if modules is None:
        t.finish()
    tmp = tempfile.mkdtemp(prefix="tern-browser-")
    try:
        t.run("browser", browser_checks, t, modules, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    t.finish()


if __name__ == "__main__":
    main()
