#!/usr/bin/python3
"""The statistics endpoint over HTTPS (http.tls_cert and http.tls_key).

A self-signed certificate made for the test; the client trusts exactly
that certificate. Plain HTTP to the TLS port gets no HTTP answer, and a
wrong bearer token is still refused over TLS.
"""

import http.client
import os
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

TOKEN = "tls-test-token"


def make_cert(tmp):
    cert = os.path.join(tmp, "cert.pem")
    key = os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    return cert, key


def get(port, path, context=None, token=TOKEN):
    if context is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    else:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=context)
    headers = {"Authorization": "Bearer " + token} if token else {}
    try:
        conn.request("GET", path, headers=headers)
        res = conn.getresponse()
        return res.status, res.read().decode("utf-8", "replace")
    finally:
        conn.close()


def main():
    t = h.Tap()
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = make_cert(tmp)
        config = 'http = { token = "%s"; tls_cert = "%s"; tls_key = "%s"; };\n' % (
            TOKEN, cert, key)
        context = ssl.create_default_context(cafile=cert)
        with h.Ternd(t, config=config, http_port="auto") as d:
            status, body = get(d.http_port, "/metrics", context)
            t.eq(status, 200, "GET /metrics over HTTPS with the token: 200")
            t.ok("tern_build_info" in body, "the body is the Prometheus text")
            status, _ = get(d.http_port, "/health", context, token=None)
            t.eq(status, 200, "GET /health over HTTPS: 200")
            status, _ = get(d.http_port, "/metrics", context, token="wrong")
            t.eq(status, 401, "a wrong token over HTTPS: 401")
            try:
                status, _ = get(d.http_port, "/health")
            except (http.client.HTTPException, OSError):
                status = None
            t.ok(status is None, "plain HTTP to the HTTPS port gets no HTTP answer", repr(status))
            status, _ = get(d.http_port, "/health", context, token=None)
            t.eq(status, 200, "the endpoint still answers afterwards")
            t.ok(d.find_line("statistics on https://") is not None,
                 "the log names the https endpoint")
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
