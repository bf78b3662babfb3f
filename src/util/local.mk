libtern_core_a_SOURCES += \
	src/util/assert.h \
	src/util/clock.c src/util/clock.h \
	src/util/log.c src/util/log.h \
	src/util/xalloc.c src/util/xalloc.h
libtern_core_a_SOURCES += src/util/addr.c src/util/addr.h
libtern_core_a_SOURCES += src/util/base64.c src/util/base64.h
libtern_core_a_SOURCES += src/util/bytes.h
libtern_core_a_SOURCES += src/util/crypto.c src/util/crypto.h
libtern_core_a_SOURCES += src/util/crc32.c src/util/crc32.h
libtern_core_a_SOURCES += src/util/counter.h
libtern_core_a_SOURCES += src/util/number.c src/util/number.h
libtern_core_a_SOURCES += src/util/notify.c src/util/notify.h
