# The configuration module is an edge module (libconfig), so its test links the edge library.
check_PROGRAMS += tests/unit/conf/conf_test
TESTS += tests/unit/conf/conf_test
tests_unit_conf_conf_test_CFLAGS = $(libtern_edge_a_CFLAGS)
tests_unit_conf_conf_test_LDADD = libtern_edge.a $(CORE_LIBS) $(LIBCONFIG_LIBS)

check_PROGRAMS += tests/unit/conf/conf_reload_test
TESTS += tests/unit/conf/conf_reload_test
tests_unit_conf_conf_reload_test_CFLAGS = $(libtern_edge_a_CFLAGS)
tests_unit_conf_conf_reload_test_LDADD = libtern_edge.a $(CORE_LIBS) $(LIBCONFIG_LIBS)
