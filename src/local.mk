libtern_edge_a_SOURCES += \
	src/server.c src/server.h src/server_options.h \
	src/server_internal.h src/server_reload.c \
	src/server_admin.c src/server_admin.h \
	src/server_admin_line.c src/server_admin_line.h \
	src/server_privs.c src/server_privs.h \
	src/server_stats.c src/server_stats.h \
	src/server_usage.c src/server_usage.h \
	src/server_credential.c src/server_credential.h \
	src/server_redis.c
