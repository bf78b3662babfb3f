# The relay port pool and the quota table are edge code (they lock), tested on their own.
check_PROGRAMS += tests/unit/net/net_ports_test tests/unit/net/net_quota_test
TESTS += tests/unit/net/net_ports_test tests/unit/net/net_quota_test
tests_unit_net_net_ports_test_CFLAGS = $(libtern_edge_a_CFLAGS)
tests_unit_net_net_ports_test_LDADD = libtern_edge.a $(CORE_LIBS)
tests_unit_net_net_ports_test_LDFLAGS = $(AM_LDFLAGS) -pthread
tests_unit_net_net_quota_test_CFLAGS = $(libtern_edge_a_CFLAGS)
tests_unit_net_net_quota_test_LDADD = libtern_edge.a $(CORE_LIBS)
tests_unit_net_net_quota_test_LDFLAGS = $(AM_LDFLAGS) -pthread
