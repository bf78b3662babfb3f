include tests/unit/util/local.mk
include tests/unit/stun/local.mk
include tests/unit/auth/local.mk
include tests/unit/turn/local.mk
include tests/fuzz/local.mk
include tests/integration/local.mk
EXTRA_DIST += tests/tap.h
include tests/fuzz/auth.mk
include tests/unit/conf/local.mk
include tests/fuzz/conf.mk
include tests/unit/net/local.mk
include tests/fuzz/turn.mk
include tests/unit/store/local.mk
include tests/fuzz/store.mk
include tests/fuzz/tools.mk
include tests/unit/http/local.mk
include tests/fuzz/http.mk
