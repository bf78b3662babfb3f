# The store module is an edge module; its record codec needs neither hiredis nor libevent, so
# the test links the edge library and takes only that object from it.
check_PROGRAMS += tests/unit/store/store_record_test
TESTS += tests/unit/store/store_record_test
tests_unit_store_store_record_test_CFLAGS = $(libtern_edge_a_CFLAGS)
tests_unit_store_store_record_test_LDADD = libtern_edge.a $(CORE_LIBS)
