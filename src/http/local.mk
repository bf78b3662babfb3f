libtern_edge_a_SOURCES += \
	src/http/http_options.h \
	src/http/http_body.c src/http/http_body.h \
	src/http/http_request.c src/http/http_request.h \
	src/http/http_server.c src/http/http_server.h
