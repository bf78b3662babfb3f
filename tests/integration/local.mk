# Integration tests: the real ternd on 127.0.0.1 and ::1, driven by Python 3
# (standard library only) through tests/integration/tern_harness.py.
# (Listed by name: automake runs with -Werror and rejects $(filter ...).)
INTEGRATION_TESTS = \
	tests/integration/binding_udp.py \
	tests/integration/binding_tcp.py \
	tests/integration/stunclient.py \
	tests/integration/config_errors.py \
	tests/integration/signals.py \
	tests/integration/startup.py \
	tests/integration/turn_udp.py \
	tests/integration/turn_tcp.py \
	tests/integration/uclient.py \
	tests/integration/aioice_turn.py \
	tests/integration/ternctl.py \
	tests/integration/bench_smoke.py \
	tests/integration/relay_to_relay.py \
	tests/integration/notify.py \
	tests/integration/metrics.py \
	tests/integration/metrics_tls.py \
	tests/integration/reload.py \
	tests/integration/drain.py \
	tests/integration/browser.py \
	tests/integration/redis_credentials.py \
	tests/integration/redis_fleet.py \
	tests/integration/redis_usage.py \
	tests/integration/admin.py \
	tests/integration/privileges.py \
	tests/integration/systemd_unit.py \
	tests/integration/turn_tls.py \
	tests/integration/docker_files.py
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/tern_harness.py tests/integration/turn_checks.py \
	tests/integration/redis_harness.py \
	$(INTEGRATION_TESTS)
# The browser test's page and driver (tests/integration/browser.py): playwright-core is
# pinned by the lock file; its node_modules is never shipped. When the source tree has
# none (make distcheck), the test runs npm ci into tests/browser-modules/ of the build tree.
EXTRA_DIST += tests/browser/package.json tests/browser/package-lock.json \
	tests/browser/run.mjs tests/browser/loopback.html
clean-local: clean-browser-modules
clean-browser-modules:
	-rm -rf tests/browser-modules
.PHONY: clean-browser-modules
