bin_PROGRAMS += ternctl
ternctl_SOURCES = tools/ternctl.c
ternctl_LDADD = $(CORE_LIBS)
