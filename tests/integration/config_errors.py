#!/usr/bin/python3
"""Configuration checking: `ternd --check-config -c FILE`, --print-config and
bad command-line values.

A bad file exits 1 with "FILE:LINE: ..." on stderr naming the offending key;
the reference etc/tern.conf passes silently; the built-in defaults are the
reference file; bad option values are refused before anything is opened.
"""

import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tern_harness as h  # noqa: E402

# (label, file text, expected line numbers, words one of which the message names)
BAD_CONFIGS = [
    ("unknown top-level key",
     "# unknown top-level key\n"
     "listen = { port = 3479; };\n"
     "bogus = 1;\n",
     (3,), ("bogus",)),
    ("unknown key in a group",
     "# unknown key in a group\n"
     "\n"
     "server = {\n"
     "    threads = 1;\n"
     "    nonsense = 1;\n"
     "};\n",
     (5,), ("nonsense",)),
    ("string where a number is expected",
     "# a string for a number\n"
     "\n"
     "listen = {\n"
     "    port = \"abc\";\n"
     "};\n",
     (4,), ("port",)),
    ("port 70000",
     "# port out of range\n"
     "listen = {\n"
     "    addresses = [\"127.0.0.1\"];\n"
     "    port = 70000;\n"
     "};\n",
     (4,), ("port",)),
    ("threads -1",
     "# negative thread count\n"
     "server = {\n"
     "    threads = -1;\n"
     "};\n",
     (3,), ("threads",)),
    ("bad IP in listen.addresses",
     "# not an IP address\n"
     "listen = {\n"
     "    port = 3479;\n"
     "    addresses = [\"1.2.3.999\"];\n"
     "};\n",
     (4,), ("addresses",)),
    ("syntax error",
     "# syntax error on line 3\n"
     "server = {\n"
     "    threads = = 2;\n"
     "};\n",
     (3,), ()),
    ("relay.port_min > relay.port_max",
     "# crossed relay range\n"
     "relay = {\n"
     "    port_min = 60000;\n"
     "    port_max = 50000;\n"
     "};\n",
     (3, 4), ("port_min", "port_max")),
]

# (label, arguments, words one of which the message names)
BAD_ARGS = [
    ("-p 0", ["-p", "0"], ("-p", "port")),
    ("-p 70000", ["-p", "70000"], ("-p", "port")),
    ("-p abc", ["-p", "abc"], ("-p", "port")),
    ("-t abc", ["-t", "abc"], ("-t", "thread")),
    ("-l verbose", ["-l", "verbose"], ("-l", "level", "verbose")),
    ("-L 1.2.3.999", ["-L", "1.2.3.999"], ("-L", "1.2.3.999", "address")),
    ("unknown option --bogus-option", ["--bogus-option"], ("bogus-option",)),
]


def reference_conf():
    return os.path.join(h.top_srcdir(), "etc", "tern.conf")


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def names_any(text, words):
    return not words or any(w in text for w in words)


def group_bad_config(t, tmp, label, text, lines, words):
    path = write(tmp, re.sub(r"\W+", "_", label) + ".conf", text)
    status, out, err = h.run_ternd(["--check-config", "-c", path])
    diag = "file %s:\n%s\nstatus %r\nstderr:\n%s\nstdout:\n%s" % (path, text, status, err, out)
    t.eq(status, 1, "%s: --check-config exits 1" % label, diag)
    where = re.findall(re.escape(path) + r":(\d+):", err)
    t.ok(where, "%s: stderr names the file as FILE:LINE:" % label, diag)
    t.ok(where and int(where[0]) in lines,
         "%s: the line number is %s" % (label, " or ".join(map(str, lines))), diag)
    if words:
        t.ok(names_any(err, words), "%s: the message names %s" % (label, " or ".join(words)),
             diag)
    t.ok(not h.sanitizer_lines(err), "%s: no sanitizer report" % label, diag)


def group_missing_file(t, tmp):
    path = os.path.join(tmp, "does-not-exist.conf")
    status, out, err = h.run_ternd(["--check-config", "-c", path])
    diag = "status %r\nstderr:\n%s" % (status, err)
    t.eq(status, 1, "missing file: --check-config exits 1", diag)
    t.ok(path in err, "missing file: the message names the file", diag)


def group_reference(t):
    ref = reference_conf()
    if not t.ok(os.path.isfile(ref), "reference %s exists" % ref):
        return
    status, out, err = h.run_ternd(["--check-config", "-c", ref])
    diag = "stderr:\n%s\nstdout:\n%s" % (err, out)
    t.eq(status, 0, "etc/tern.conf: --check-config exits 0", diag)
    t.eq((out, err), ("", ""), "etc/tern.conf: --check-config prints nothing", diag)


def group_print_config(t, tmp):
    ref = reference_conf()
    s_def, out_def, err_def = h.run_ternd(["--print-config"])
    t.eq(s_def, 0, "--print-config (built-in defaults) exits 0", err_def)
    t.ok(out_def.strip(), "--print-config prints the configuration on stdout", err_def)
    s_ref, out_ref, err_ref = h.run_ternd(["--print-config", "-c", ref])
    t.eq(s_ref, 0, "--print-config -c etc/tern.conf exits 0", err_ref)
    t.eq(out_def, out_ref, "the built-in defaults print exactly like etc/tern.conf")

    printed = write(tmp, "printed.conf", out_def)
    status, out, err = h.run_ternd(["--check-config", "-c", printed])
    t.eq(status, 0, "the printed configuration passes --check-config",
         "stderr:\n%s\nprinted:\n%s" % (err, out_def))
    status, again, err = h.run_ternd(["--print-config", "-c", printed])
    t.eq(again, out_def, "printing the printed configuration gives it back unchanged", err)

    changed = write(tmp, "changed.conf", "listen = {\n    port = 3490;\n};\n")
    status, out, err = h.run_ternd(["--print-config", "-c", changed])
    t.eq(status, 0, "--print-config of a file setting listen.port exits 0", err)
    t.ok("3490" in out and out != out_def,
         "--print-config shows the value the file set (3490)", "stdout:\n%s" % out)


def group_bad_args(t, label, args, words):
    # -L and -p keep a wrongly accepted command on loopback and off 3478;
    # run_ternd kills it by PID after its timeout.
    base = [] if "-L" in args else ["-L", h.LOOPBACK4]
    if "-p" not in args:
        base += ["-p", str(h.free_port())]
    status, out, err = h.run_ternd(base + args, timeout=5.0)
    diag = "argv: %s\nstatus %r\nstderr:\n%s\nstdout:\n%s" % (base + args, status, err, out)
    t.ok(status is not None, "%s: ternd exits instead of running" % label, diag)
    t.ok(status not in (None, 0), "%s: exits non-zero" % label, diag)
    t.ok(err.strip() and names_any(err, words),
         "%s: stderr explains (names %s)" % (label, " or ".join(words)), diag)


def group_version_help(t):
    status, out, err = h.run_ternd(["-V"])
    t.eq(status, 0, "-V exits 0", err)
    t.ok((out + err).strip(), "-V prints a version", err)
    status, out, err = h.run_ternd(["-h"])
    t.eq(status, 0, "-h exits 0", err)
    t.ok("--check-config" in out + err, "-h lists the options (--check-config)", out + err)


def main():
    t = h.Tap(timeout_s=55)
    with tempfile.TemporaryDirectory(prefix="tern-conf-") as tmp:
        for label, text, lines, words in BAD_CONFIGS:
            t.run(label, group_bad_config, t, tmp, label, text, lines, words)
        t.run("missing file", group_missing_file, t, tmp)
        t.run("reference", group_reference, t)
        t.run("print-config", group_print_config, t, tmp)
        for label, args, words in BAD_ARGS:
            t.run(label, group_bad_args, t, label, args, words)
        t.run("version and help", group_version_help, t)
    t.finish()


if __name__ == "__main__":
    main()
