dist_sysconf_DATA += etc/tern.conf
EXTRA_DIST += etc/ternd.service docker/Dockerfile docker/compose.yaml docker/relay-a.conf \
	docker/relay-b.conf
