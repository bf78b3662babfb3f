# Redis on the control loop (hiredis, async): the connection and its backoff, the shared
# secrets and revocations, the usage stream and its journal.
libtern_edge_a_SOURCES += \
	src/store/store.c src/store/store.h \
	src/store/store_link.c src/store/store_link.h \
	src/store/store_options.h \
	src/store/store_record.c src/store/store_record.h \
	src/store/store_usage.c src/store/store_usage.h
