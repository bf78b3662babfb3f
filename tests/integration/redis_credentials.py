#!/usr/bin/python3
"""Shared secrets, revocation and the credential API through a real Redis.

One redis-server on a unix socket in a temporary directory, one ternd with
redis.enabled, auth.secrets = ["file-secret"] and the credential API on:

  - secrets: the set in Redis is loaded at start and merged with the file's;
    `ternctl secret add` makes a new one work at once while the old one
    still works (rotation), `ternctl secret remove` makes the old one stop;
  - credential API: POST /v1/credentials mints with the newest secret, with
    the configured URIs, and a TURN client allocates with what it returns;
    a wrong or missing API key gets 401, a malformed body 400, past
    http.credential_rate requests in a second 429;
  - revocation: `ternctl revoke mallory` ends mallory's live allocation
    within a second (Refresh then gets 437) and refuses new ones; others
    keep working; the stream records the reason "revoked";
  - AUTH and SELECT: a wrong password is refused with Redis's reason and
    the file's secrets stay in force; the right one reads the secrets of
    the configured database;
  - reload: after SIGHUP the Redis secrets and revocations stay in force;
  - Redis down: relaying and authentication go on with the last secrets,
    /ready stays 200, tern_redis_up goes 0, one log line says so, and the
    connection comes back when Redis does.
"""

import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import redis_harness as rh  # noqa: E402
import tern_harness as h  # noqa: E402

API_KEY = "test-api-key-0123456789"
ICE_URLS = ["turn:turn.example.test:3478?transport=udp",
            "turns:turn.example.test:5349?transport=tcp"]


def ternctl(server, *args):
    return h.run_tool([h.ternctl_path()] + list(args) + ["--redis-socket", server.socket])


def allocate_with(d, username, password):
    """200 when username/password allocate, else the error code. The
    allocation is deleted again: left behind, its 5-tuple would make a later
    client that the kernel gives the same source port get 437."""
    with h.TurnClient(("127.0.0.1", d.port), "udp", username, password) as c:
        res = c.allocate()
        if res.ok():
            c.refresh(0)
        return 200 if res.ok() else res.code()


def rest_code(d, secret, user):
    name = h.rest_username(user)
    return allocate_with(d, name, h.rest_password(secret, name))


def check_rotation(t, d, redis):
    t.eq(rest_code(d, "old-secret", "carol"), 200, "a secret loaded from Redis at start works")
    t.eq(rest_code(d, "file-secret", "carol"), 200, "the configuration file's secret works too")
    t.eq(rest_code(d, "new-secret", "carol"), 401, "a secret not yet added is refused")
    old_name = h.rest_username("dora")
    live = h.TurnClient(("127.0.0.1", d.port), "udp", old_name,
                        h.rest_password("old-secret", old_name))
    t.ok(live.allocate().ok(), "a live allocation with the old secret")
    rc, out, err = ternctl(redis, "secret", "add", "new-secret")[:3]
    t.eq(rc, 0, "ternctl secret add exits 0", err)
    ok = rh.wait_for(lambda: rest_code(d, "new-secret", "carol") == 200, timeout=3)
    t.ok(ok, "the added secret works within 3 s")
    t.eq(rest_code(d, "old-secret", "carol"), 200, "the old secret still works during rotation")
    t.ok(live.refresh().ok(), "the live allocation of the old secret refreshes")
    rc, out, err = ternctl(redis, "secret", "list")[:3]
    t.ok(rc == 0 and out.index("new-secret") < out.index("old-secret"),
         "ternctl secret list shows the newest first", out + err)
    rc = ternctl(redis, "secret", "remove", "old-secret")[0]
    t.eq(rc, 0, "ternctl secret remove exits 0")
    gone = rh.wait_for(lambda: rest_code(d, "old-secret", "carol") == 401, timeout=3)
    t.ok(gone, "the removed secret stops working within 3 s")
    t.eq(rest_code(d, "new-secret", "carol"), 200, "the new secret keeps working")
    live.close()


def check_api(t, d):
    port = d.http_port
    status, body = rh.http_post(port, "/v1/credentials?user=erin", API_KEY)
    t.eq(status, 200, "POST /v1/credentials answers 200", body)
    try:
        cred = json.loads(body)
    except ValueError:
        cred = {}
    name = cred.get("username", "")
    t.ok(name.endswith(":erin"), "the username names the user", name)
    t.eq(cred.get("password"), h.rest_password("new-secret", name),
         "minted with the newest secret")
    t.eq(cred.get("ttl"), 86400, "ttl is auth.credential_ttl_s")
    t.eq(cred.get("uris"), ICE_URLS, "uris lists http.ice_urls (TURN REST API draft)")
    ice = (cred.get("iceServers") or [{}])[0]
    t.eq(ice.get("urls"), ICE_URLS, "iceServers lists http.ice_urls")
    t.ok(ice.get("username") == name and ice.get("credential") == cred.get("password"),
         "iceServers carries the same credential")
    t.eq(allocate_with(d, name, cred.get("password", "")), 200,
         "a TURN client allocates with the minted credential")
    status, body = rh.http_post(port, "/v1/credentials", API_KEY, body='{"user": "fred"}')
    t.ok(status == 200 and ':fred"' in body,
         "the user may come in a JSON body", body)
    t.eq(rh.http_post(port, "/v1/credentials", "wrong-key")[0], 401, "a wrong API key gets 401")
    t.eq(rh.http_post(port, "/v1/credentials")[0], 401, "no API key gets 401")
    t.eq(rh.http_post(port, "/v1/credentials", API_KEY, body='{"user": "a b"}')[0], 400,
         "a malformed user gets 400")
    t.eq(rh.http_get(port, "/v1/credentials")[0], 405, "GET /v1/credentials gets 405")
    time.sleep(1.05 - (time.time() % 1.0))
    codes = [rh.http_post(port, "/v1/credentials", API_KEY)[0] for _ in range(6)]
    t.ok(codes.count(429) >= 2 and codes.count(200) >= 1,
         "past http.credential_rate (3/s) requests get 429", codes)


def check_revocation(t, d, redis):
    name = h.rest_username("mallory")
    c = h.TurnClient(("127.0.0.1", d.port), "udp", name, h.rest_password("new-secret", name))
    peer = h.UdpPeer(avoid=set(d.avoid_ports) | {d.port})
    res = c.allocate()
    t.ok(res.ok(), "mallory allocates", res.describe())
    t.ok(c.channel_bind(0x4001, peer.address).ok(), "mallory binds a channel to an echo peer")
    c.send_channel_data(0x4001, b"before")
    t.ok(c.receive(1.0) is not None, "data relays before the revocation")
    t.eq(rest_code(d, "new-secret", "victor"), 200, "victor allocates")
    start = time.monotonic()
    rc = ternctl(redis, "revoke", "mallory")[0]
    t.eq(rc, 0, "ternctl revoke exits 0")
    last_echo = None
    while time.monotonic() - start < 2.0:
        c.send_channel_data(0x4001, b"ping")
        if c.receive(0.03) is not None:
            last_echo = time.monotonic() - start
    t.ok(last_echo is None or last_echo < 1.0,
         "relaying stops within 1 s of the revocation (last echo at %s s)" % (
             "%.3f" % last_echo if last_echo is not None else "none"))
    t.eq(c.refresh().code(), 401, "mallory's Refresh is refused")
    c.close()
    peer.close()
    t.eq(rest_code(d, "new-secret", "mallory"), 401, "a new credential of mallory is refused")
    t.eq(rest_code(d, "new-secret", "victor"), 200, "another user still allocates")
    rec = rh.wait_for(lambda: [r for r in rh.stream_records(redis)
                               if r.get("username") == name], timeout=3)
    t.ok(rec and rec[0].get("reason") == "revoked", "the usage record says revoked", repr(rec))
    rc = ternctl(redis, "unrevoke", "mallory")[0]
    ok = rh.wait_for(lambda: rest_code(d, "new-secret", "mallory") == 200, timeout=3)
    t.ok(rc == 0 and ok, "ternctl unrevoke lets mallory in again")


def check_reload(t, d, redis):
    """A reload rebuilds the credentials from the file: what Redis said stays in force."""
    t.eq(ternctl(redis, "revoke", "rex")[0], 0, "ternctl revoke rex")
    t.ok(rh.wait_for(lambda: rest_code(d, "new-secret", "rex") == 401, timeout=3),
         "rex is refused")
    d.send(signal.SIGHUP)
    t.ok(d.wait_line("reloaded:", timeout=3), "SIGHUP reloads the configuration")
    t.eq(rest_code(d, "new-secret", "carol"), 200, "after the reload the Redis secret works")
    t.eq(rest_code(d, "file-secret", "carol"), 200, "and the file's secret too")
    t.eq(rest_code(d, "new-secret", "rex"), 401, "and the revocation holds")
    status, body = rh.http_post(d.http_port, "/v1/credentials?user=amy", API_KEY)
    name = json.loads(body).get("username", "") if status == 200 else ""
    t.ok(status == 200 and json.loads(body).get("password") == h.rest_password("new-secret", name),
         "the credential API still mints with the newest Redis secret", body)


def check_redis_down(t, d, redis):
    port = d.http_port
    t.eq(rh.metric(port, "tern_redis_up"), 1.0, "tern_redis_up is 1")
    redis.stop()
    down = rh.wait_for(lambda: rh.metric(port, "tern_redis_up") == 0.0, timeout=3)
    t.ok(down, "tern_redis_up goes 0 when Redis stops")
    t.eq(rh.http_get(port, "/ready")[0], 200, "/ready stays 200 while Redis is down")
    t.eq(rest_code(d, "new-secret", "carol"), 200, "the last secrets keep working")
    time.sleep(1.0)
    lost = [l for l in d.log_lines() if "redis:" in l and "lost" in l]
    t.eq(len(lost), 1, "one log line for the lost connection", "\n".join(lost))
    redis.start()
    up = rh.wait_for(lambda: rh.metric(port, "tern_redis_up") == 1.0, timeout=12)
    t.ok(up, "the connection comes back when Redis does")
    t.ok(d.find_line("connected to"), "and says so in the log")


def check_auth_db(t, window):
    with rh.RedisServer(password="redis-pw") as redis:
        c = redis.client()
        c.command("SELECT", "2")
        c.command("ZADD", "tern:secrets", "1000", "db2-secret")
        c.close()
        base = h.turn_config(window=window, secrets=["file-secret"])
        wrong = base + rh.redis_config(redis, extra={"password": "nope", "db": 2})
        with h.Ternd(t, config=wrong, avoid_ports=window, http_port="auto", name="wrong-pw") as d:
            line = d.wait_line("refused", timeout=3)
            t.ok(line and "WRONGPASS" in line, "a wrong password is logged with the reason", line)
            t.eq(rh.metric(d.http_port, "tern_redis_up"), 0.0, "tern_redis_up is 0")
            t.eq(rest_code(d, "file-secret", "carol"), 200, "the file's secret works meanwhile")
        right = base + rh.redis_config(redis, extra={"password": "redis-pw", "db": 2})
        with h.Ternd(t, config=right, avoid_ports=window, http_port="auto", name="right-pw") as d:
            ok = rh.wait_for(lambda: rest_code(d, "db2-secret", "carol") == 200, timeout=3)
            t.ok(ok, "with the right password, the secret of database 2 works")


def main():
    t = h.Tap(timeout_s=90)
    if not rh.have_redis():
        t.skip("redis tests", "redis-server is not installed (scripts/install-deps.sh)")
        return t.finish()
    window = h.pick_relay_window()
    with rh.RedisServer() as redis:
        redis.command("ZADD", "tern:secrets", "1000", "old-secret")
        config = h.turn_config(window=window, secrets=["file-secret"])
        config += 'http = { api_key = "%s"; credential_rate = 3; ice_urls = %s; };\n' % (
            API_KEY, h._conf_value(ICE_URLS))
        config += rh.redis_config(redis)
        with h.Ternd(t, config=config, avoid_ports=window, http_port="auto") as d:
            up = rh.wait_for(lambda: rh.metric(d.http_port, "tern_redis_credential_reloads_total"),
                             timeout=5)
            t.ok(up, "ternd loads the credentials from Redis at start")
            t.run("rotation", check_rotation, t, d, redis)
            t.run("credential API", check_api, t, d)
            t.run("revocation", check_revocation, t, d, redis)
            time.sleep(1.05 - (time.time() % 1.0))
            t.run("reload", check_reload, t, d, redis)
            t.run("redis down", check_redis_down, t, d, redis)
    t.run("auth and db", check_auth_db, t, window)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
