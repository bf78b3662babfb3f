/*
 * The kind of auth.users: a list of { name = "..."; password = "..."; }
 * groups, names unique, passwords secret.
 */
#ifndef TERN_CONF_USER_H
#define TERN_CONF_USER_H

#include "conf/conf_table.h"

extern const struct conf_table_kind conf_user_list;

#endif
