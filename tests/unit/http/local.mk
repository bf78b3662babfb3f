# The credential request's body reader is edge code with no library of its own: the test links
# the edge library and takes only that object from it.
check_PROGRAMS += tests/unit/http/http_request_test
TESTS += tests/unit/http/http_request_test
tests_unit_http_http_request_test_CFLAGS = $(libtern_edge_a_CFLAGS)
tests_unit_http_http_request_test_LDADD = libtern_edge.a $(CORE_LIBS)
