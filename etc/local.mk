dist_sysconf_DATA += etc/tern.conf
