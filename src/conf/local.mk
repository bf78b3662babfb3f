libtern_edge_a_SOURCES += \
	src/conf/conf.c src/conf/conf.h \
	src/conf/conf_err.c src/conf/conf_err.h \
	src/conf/conf_lex.c src/conf/conf_lex.h \
	src/conf/conf_list.c src/conf/conf_list.h \
	src/conf/conf_reload.c src/conf/conf_reload.h \
	src/conf/conf_table.c src/conf/conf_table.h \
	src/conf/conf_user.c src/conf/conf_user.h \
	src/conf/conf_value.c src/conf/conf_value.h
