# ternctl's reader of the admin socket's JSON answers, built from its source in tools/.
check_PROGRAMS += tests/unit/tools/ternctl_json_test
TESTS += tests/unit/tools/ternctl_json_test
tests_unit_tools_ternctl_json_test_SOURCES = tests/unit/tools/ternctl_json_test.c \
	tools/ternctl_json.c tools/ternctl_json.h
tests_unit_tools_ternctl_json_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools
