#!/usr/bin/python3
"""Usage records in the Redis stream, exactly once, whatever Redis does.

  - stream: allocations that end give one entry each in tern:usage with the
    right fields (id <node>-<start ms>-<seq>, username, reason, bytes...);
  - slow Redis: while Redis sleeps (DEBUG SLEEP 2) the relayed packets'
    round-trip time stays that of an idle Redis, and records made meanwhile
    arrive afterwards;
  - Redis killed in the middle of relaying and restarted (append-only file
    on): relaying never stops, records made while it was down wait in the
    journal, and every record arrives exactly once;
  - replay: a ternd started with a copy of a journal whose records Redis
    already has adds none of them again (the dedupe by source and seq).
"""

import os
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import redis_harness as rh  # noqa: E402
import tern_harness as h  # noqa: E402

SECRET = "usage-secret"


def session(d, peer, user, packets=3):
    """One allocation of user that relays packets datagrams each way, then deletes itself.
    Returns the username."""
    name = h.rest_username(user)
    with h.TurnClient(("127.0.0.1", d.port), "udp", name, h.rest_password(SECRET, name)) as c:
        if not c.allocate().ok() or not c.channel_bind(0x4002, peer.address).ok():
            return None
        for i in range(packets):
            c.send_channel_data(0x4002, b"x" * (10 + i))
        c.receive_n(packets, timeout=2.0)
        c.refresh(lifetime=0)
    return name


class Flow:
    """A relayed ping flow in a thread: the RTT of each echo and the longest gap."""

    def __init__(self, d, peer):
        name = h.rest_username("flow")
        self.c = h.TurnClient(("127.0.0.1", d.port), "udp", name, h.rest_password(SECRET, name))
        self.ok = self.c.allocate().ok() and self.c.channel_bind(0x4003, peer.address).ok()
        self.rtts = []  # (time sent, rtt or None)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.is_set():
            sent = time.monotonic()
            self.c.send_channel_data(0x4003, b"ping")
            ev = self.c.receive(0.5)
            rtt = time.monotonic() - sent if ev is not None else None
            self.rtts.append((sent, rtt))
            time.sleep(max(0.0, 0.02 - (time.monotonic() - sent)))

    def start(self):
        self.thread.start()
        return self

    def finish(self):
        self.stop.set()
        self.thread.join(3)
        self.c.close()

    def between(self, t0, t1):
        return [r for s, r in self.rtts if t0 <= s <= t1]


def config_for(redis, window, journal, node):
    return (h.turn_config(window=window, secrets=[SECRET])
            + rh.redis_config(redis, node_id=node, journal=journal))


def check_stream(t, d, redis, peer):
    names = [session(d, peer, "u%d" % i) for i in range(3)]
    t.ok(all(names), "three sessions allocated and relayed")
    recs = rh.wait_for(lambda: [r for r in rh.stream_records(redis)
                                if r.get("username") in names], timeout=3)
    t.eq(len(recs), 3, "one stream entry per session")
    r = recs[0] if recs else {}
    t.eq(r.get("reason"), "deleted", "the reason is deleted")
    t.eq(r.get("transport"), "udp", "the transport is udp")
    t.eq(r.get("packets_to_peer"), "3", "packets to the peer counted")
    t.eq(r.get("bytes_to_peer"), str(10 + 11 + 12), "bytes to the peer counted")
    t.eq(r.get("packets_to_client"), "3", "packets to the client counted")
    t.ok(r.get("client", "").startswith("127.0.0.1:"), "the client address", r.get("client"))
    ids = [x.get("id", "") for x in recs]
    t.ok(all(i.startswith("node-a-") for i in ids), "ids start with the node id", ids)
    seqs = [int(i.rsplit("-", 1)[1]) for i in ids]
    t.eq(seqs, sorted(set(seqs)), "ids are unique and in order")
    t.ok(int(r.get("end", 0)) >= int(r.get("start", 1)), "start and end times")


def check_slow(t, d, redis, peer):
    flow = Flow(d, peer).start()
    t.ok(flow.ok, "a relayed flow runs")
    time.sleep(0.5)
    t0 = time.monotonic()
    sleeper = threading.Thread(target=lambda: redis.command("DEBUG", "SLEEP", "2"), daemon=True)
    sleeper.start()
    time.sleep(0.2)
    name = session(d, peer, "during-sleep")
    t.ok(name is not None, "a session runs while Redis sleeps")
    sleeper.join(5)
    t1 = time.monotonic()
    time.sleep(0.3)
    flow.finish()
    before = [r for r in flow.between(0, t0) if r is not None]
    during = flow.between(t0, t1)
    lost = sum(1 for r in during if r is None)
    worst = max((r for r in during if r is not None), default=None)
    base = max(before) if before else 0.0
    t.diag("RTT idle max %.1f ms, during DEBUG SLEEP max %.1f ms over %d packets" % (
        base * 1000, (worst or 0) * 1000, len(during)))
    t.ok(len(during) >= 30 and lost == 0, "every packet relayed while Redis sleeps (%d lost)" % lost)
    t.ok(worst is not None and worst < 0.1, "relayed RTT stays under 100 ms while Redis sleeps")
    rec = rh.wait_for(lambda: [r for r in rh.stream_records(redis)
                               if r.get("username") == name], timeout=8)
    t.eq(len(rec or []), 1, "the record made during the sleep arrives once afterwards")


def check_kill(t, d, redis, peer):
    flow = Flow(d, peer).start()
    t.ok(flow.ok, "a relayed flow runs")
    names = [session(d, peer, "k%d" % i) for i in range(3)]
    t0 = time.monotonic()
    redis.stop(sig_kill=True)
    names += [session(d, peer, "k%d" % i) for i in range(3, 8)]
    t.ok(all(names), "sessions go on while Redis is down")
    queued = rh.wait_for(lambda: (rh.metric(d.http_port, "tern_redis_usage_queued") or 0) >= 1,
                         timeout=2)
    t.ok(queued, "records wait while Redis is down")
    time.sleep(max(0.0, 1.5 - (time.monotonic() - t0)))
    redis.start()
    names += [session(d, peer, "k%d" % i) for i in range(8, 10)]
    t1 = time.monotonic()
    flow.finish()
    during = flow.between(t0, t1)
    lost = sum(1 for r in during if r is None)
    t.ok(len(during) >= 20 and lost == 0,
         "relaying never stopped: %d packets, %d lost" % (len(during), lost))

    def arrived():
        recs = [r for r in rh.stream_records(redis) if r.get("username") in names]
        return recs if len(recs) >= len(names) else None

    recs = rh.wait_for(arrived, timeout=12) or [
        r for r in rh.stream_records(redis) if r.get("username") in names]
    got = sorted(r.get("username") for r in recs)
    t.eq(got, sorted(names), "every record arrives exactly once (%d)" % len(names))
    ids = [r.get("id") for r in rh.stream_records(redis)]
    t.eq(len(ids), len(set(ids)), "no id twice in the stream")


def check_replay(t, window, redis, peer, tmp):
    journal = os.path.join(tmp, "replay.journal")
    copy = os.path.join(tmp, "replay.copy")
    before = len(rh.stream_records(redis))
    redis.stop()
    with h.Ternd(t, config=config_for(redis, window, journal, "node-b"), avoid_ports=window,
                 http_port="auto", name="ternd-b") as d:
        names = [session(d, peer, "r%d" % i) for i in range(4)]
        rh.wait_for(lambda: os.path.exists(journal) and os.path.getsize(journal) > 0, timeout=3)
    t.ok(os.path.getsize(journal) > 0, "records wait in the journal after ternd stops")
    shutil.copyfile(journal, copy)
    with open(copy, "ab") as f:
        f.write(b"id=broken line\nnot a record\n")
    redis.start()
    with h.Ternd(t, config=config_for(redis, window, journal, "node-b"), avoid_ports=window,
                 http_port="auto", name="ternd-b2"):
        got = rh.wait_for(lambda: len([r for r in rh.stream_records(redis)
                                       if r.get("username") in names]) >= 4, timeout=8)
        t.ok(got, "a restarted ternd sends the journal's records")
        rh.wait_for(lambda: os.path.getsize(journal) == 0, timeout=3)
        t.eq(os.path.getsize(journal), 0, "the journal is emptied once Redis has them all")
    after = len(rh.stream_records(redis))
    with h.Ternd(t, config=config_for(redis, window, copy, "node-c"), avoid_ports=window,
                 http_port="auto", name="ternd-c") as d:
        rh.wait_for(lambda: os.path.getsize(copy) == 0, timeout=8)
        t.eq(os.path.getsize(copy), 0, "a replayed journal is acknowledged")
        t.ok(d.find_line("skipped a damaged record line"), "damaged journal lines are skipped")
        t.eq(len(rh.stream_records(redis)), after, "replayed records are not added twice")
        last = h.rest_username("at-shutdown")
        c = h.TurnClient(("127.0.0.1", d.port), "udp", last, h.rest_password(SECRET, last))
        t.ok(c.allocate().ok(), "an allocation is live when ternd stops")
    t.eq(after - before, 4, "each of the four records is in the stream once")
    rec = [r for r in rh.stream_records(redis) if r.get("username") == last]
    t.ok(len(rec) == 1 and rec[0].get("reason") == "shutdown",
         "the record of an allocation ended by the shutdown reaches the stream", repr(rec))
    c.close()


def main():
    t = h.Tap(timeout_s=150)
    if not rh.have_redis():
        t.skip("redis tests", "redis-server is not installed (scripts/install-deps.sh)")
        return t.finish()
    window = h.pick_relay_window()
    with rh.RedisServer(persist=True) as redis:
        journal = os.path.join(redis.dir, "usage.journal")
        with h.UdpPeer(avoid=set(window)) as peer:
            with h.Ternd(t, config=config_for(redis, window, journal, "node-a"),
                         avoid_ports=window, http_port="auto") as d:
                rh.wait_for(lambda: rh.metric(d.http_port, "tern_redis_up") == 1.0, timeout=5)
                t.run("stream", check_stream, t, d, redis, peer)
                t.run("slow redis", check_slow, t, d, redis, peer)
                t.run("redis killed", check_kill, t, d, redis, peer)
            t.run("journal replay", check_replay, t, window, redis, peer, redis.dir)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
