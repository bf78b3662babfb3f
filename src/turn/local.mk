libtern_core_a_SOURCES += \
	src/turn/turn_options.h \
	src/turn/turn_binding.c src/turn/turn_binding.h \
	src/turn/turn_handle.c src/turn/turn_handle.h \
	src/turn/turn_worker.c src/turn/turn_worker.h src/turn/turn_worker_state.h \
	src/turn/turn_request.c src/turn/turn_request.h \
	src/turn/turn_error.c src/turn/turn_error.h \
	src/turn/turn_auth.c src/turn/turn_auth.h \
	src/turn/turn_alloc.c src/turn/turn_alloc.h \
	src/turn/turn_pool.c src/turn/turn_pool.h \
	src/turn/turn_table.c src/turn/turn_table.h \
	src/turn/turn_perm.c src/turn/turn_perm.h \
	src/turn/turn_channel.c src/turn/turn_channel.h \
	src/turn/turn_data.c src/turn/turn_data.h \
	src/turn/turn_allocate.c src/turn/turn_allocate.h \
	src/turn/turn_refresh.c src/turn/turn_refresh.h \
	src/turn/turn_permission.c src/turn/turn_permission.h \
	src/turn/turn_chanbind.c src/turn/turn_chanbind.h \
	src/turn/turn_send.c src/turn/turn_send.h
libtern_core_a_SOURCES += src/turn/turn_policy.c src/turn/turn_policy.h
libtern_core_a_SOURCES += src/turn/turn_bucket.c src/turn/turn_bucket.h
libtern_core_a_SOURCES += src/turn/turn_ratelimit.c src/turn/turn_ratelimit.h
libtern_core_a_SOURCES += src/turn/turn_usage.c src/turn/turn_usage.h
