libtern_core_a_SOURCES += \
	src/turn/turn_options.h \
	src/turn/turn_binding.c src/turn/turn_binding.h \
	src/turn/turn_handle.c src/turn/turn_handle.h
