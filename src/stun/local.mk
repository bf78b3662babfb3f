# The STUN codec: pure functions over caller buffers (DESIGN.md, stun/).
libtern_core_a_SOURCES += \
	src/stun/stun_msg.c src/stun/stun_msg.h \
	src/stun/stun_attr.c src/stun/stun_attr.h \
	src/stun/stun_build.c src/stun/stun_build.h \
	src/stun/stun_integrity.c src/stun/stun_integrity.h \
	src/stun/stun_error.c src/stun/stun_error.h \
	src/stun/stun_channel.c src/stun/stun_channel.h \
	src/stun/stun_demux.c src/stun/stun_demux.h \
	src/stun/stun_nonce.c src/stun/stun_nonce.h
