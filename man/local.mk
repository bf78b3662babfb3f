dist_man_MANS += man/tern.conf.5
dist_man_MANS += man/ternd.8
dist_man_MANS += man/ternctl.1
