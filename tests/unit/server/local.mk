# The admin socket's request line splitter is pure edge code: the test links the edge library
# and takes only that object from it.
check_PROGRAMS += tests/unit/server/server_admin_line_test
TESTS += tests/unit/server/server_admin_line_test
tests_unit_server_server_admin_line_test_CFLAGS = $(libtern_edge_a_CFLAGS)
tests_unit_server_server_admin_line_test_LDADD = libtern_edge.a $(CORE_LIBS)
