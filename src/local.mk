libtern_edge_a_SOURCES += \
	src/server.c src/server.h src/server_options.h
