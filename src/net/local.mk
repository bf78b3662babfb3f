libtern_edge_a_SOURCES += \
	src/net/net_dtls.c src/net/net_dtls.h \
	src/net/net_options.h \
	src/net/net_ports.c src/net/net_ports.h \
	src/net/net_quota.c src/net/net_quota.h \
	src/net/net_relay.c src/net/net_relay.h \
	src/net/net_shared.c src/net/net_shared.h \
	src/net/net_socket.c src/net/net_socket.h \
	src/net/net_tcp.c src/net/net_tcp.h \
	src/net/net_tls.c src/net/net_tls.h \
	src/net/net_udp.c src/net/net_udp.h \
	src/net/net_worker.c src/net/net_worker.h
