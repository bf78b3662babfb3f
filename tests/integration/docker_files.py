#!/usr/bin/python3
"""docker/: the configuration files of the two-relay compose example load.

No Docker engine runs on the test machine, so the images are not built here;
what can be checked is that each relay's configuration is one ternd accepts
(ternd --check-config), that the two relays differ where they must (ports,
relay ranges, statistics ports, node ids) and share one Redis, and that the
compose file mounts each file where the image reads it.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

RELAYS = ("relay-a", "relay-b")


def printed(path):
    """ternd --print-config of path: a dict of 'group.key' -> value text."""
    status, out, err = h.run_ternd(["-c", path, "--print-config"])
    values = {}
    group = None
    for line in out.splitlines():
        m = re.match(r"^(\w+) = \{$", line)
        if m:
            group = m.group(1)
            continue
        m = re.match(r"^\s+(\w+) = (.*);$", line)
        if m and group:
            values["%s.%s" % (group, m.group(1))] = m.group(2)
    return status, values, err


def main():
    t = h.Tap(timeout_s=30)
    docker = os.path.join(h.top_srcdir(), "docker")
    seen = {}
    for name in RELAYS:
        path = os.path.join(docker, name + ".conf")
        status, out, err = h.run_ternd(["-c", path, "--check-config"])
        t.eq(status, 0, "%s.conf: ternd --check-config accepts it" % name, out + err)
        status, values, err = printed(path)
        t.eq(status, 0, "%s.conf: ternd --print-config prints it" % name, err)
        seen[name] = values
        t.eq(values.get("redis.enabled"), "true", "%s: Redis is on" % name)
    a, b = (seen[n] for n in RELAYS)
    for key in ("listen.port", "http.port", "relay.port_min", "redis.node_id"):
        t.ok(a.get(key) is not None and a.get(key) != b.get(key),
             "the relays differ in %s (%s, %s)" % (key, a.get(key), b.get(key)))
    t.ok(int(a["relay.port_max"]) < int(b["relay.port_min"]),
         "their relay port ranges do not overlap")
    for key in ("redis.host", "redis.port", "redis.key_prefix"):
        t.eq(a.get(key), b.get(key), "they share one Redis: same %s" % key)
    with open(os.path.join(docker, "compose.yaml")) as f:
        compose = f.read()
    for name in RELAYS:
        t.ok(("./%s.conf:/etc/tern.conf" % name) in compose,
             "compose.yaml mounts %s.conf where the image reads its configuration" % name)
    t.ok(re.search(r"^  redis:$", compose, re.M) is not None, "compose.yaml has a redis service")
    t.finish()


if __name__ == "__main__":
    main()
