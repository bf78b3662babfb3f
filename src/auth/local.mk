# The pure credential module: long-term keys, the REST secret scheme, nonce cookies and the
# credential store of a configuration snapshot.
libtern_core_a_SOURCES += \
	src/auth/auth_key.c src/auth/auth_key.h \
	src/auth/auth_nonce.c src/auth/auth_nonce.h \
	src/auth/auth_options.h \
	src/auth/auth_rest.c src/auth/auth_rest.h \
	src/auth/auth_revoked.c src/auth/auth_revoked.h \
	src/auth/auth_store.c src/auth/auth_store.h
