/* The permission set of an allocation (RFC 8656 section 9). */
#include "tap.h"
#include "turn/turn_perm.h"
#include "util/addr.h"

static struct addr ip(const char *text)
{
    struct addr a;

    (void)addr_parse(&a, text, 0);
    return a;
}

int main(void)
{
    struct turn_perm_set set;
    struct addr p1 = ip("198.51.100.1:1000");
    struct addr p1_other_port = ip("198.51.100.1:2000");
    struct addr p2 = ip("198.51.100.2:1000");
    struct addr p3 = ip("[2001:db8::3]:1000");

    turn_perm_init(&set);
    TAP_CHECK(!turn_perm_has(&set, &p1, 0), "an empty set permits nothing");
    TAP_CHECK(turn_perm_is_new(&set, &p1), "p1 is new");
    TAP_EQ_INT(turn_perm_add(&set, &p1, 1000, 2), 0, "add p1");
    TAP_CHECK(turn_perm_has(&set, &p1_other_port, 1000), "RFC 8656 s9: the port is ignored");
    TAP_CHECK(!turn_perm_is_new(&set, &p1_other_port), "and p1 on another port is not new");
    TAP_EQ_INT(set.items[0].ip.port, 0, "the stored entry has no port");
    TAP_CHECK(turn_perm_has(&set, &p1, 1000 + TURN_PERM_LIFETIME_MS - 1), "alive at 299.999 s");
    TAP_CHECK(!turn_perm_has(&set, &p1, 1000 + TURN_PERM_LIFETIME_MS),
              "RFC 8656 s9: gone at 300 s, even unswept");
    TAP_EQ_INT(TURN_PERM_LIFETIME_MS, 300000, "RFC 8656 s9: the Permission Lifetime is 300 s");
    TAP_EQ_INT(turn_perm_add(&set, &p2, 2000, 2), 0, "add p2");
    TAP_EQ_INT(turn_perm_add(&set, &p3, 2000, 2), -1, "a third entry passes max 2");
    TAP_EQ_INT(set.count, 2, "nothing added");
    TAP_EQ_INT(turn_perm_add(&set, &p1, 200000, 2), 0, "refreshing p1 needs no room");
    TAP_EQ_INT(set.count, 2, "still two entries");
    TAP_CHECK(turn_perm_has(&set, &p1, 200000 + TURN_PERM_LIFETIME_MS - 1),
              "RFC 8656 s9: the refresh reset the time-to-expiry");
    TAP_EQ_INT(turn_perm_expire(&set, 2000 + TURN_PERM_LIFETIME_MS), 1, "p2 expires");
    TAP_CHECK(turn_perm_has(&set, &p1, 2000 + TURN_PERM_LIFETIME_MS) &&
                  !turn_perm_has(&set, &p2, 0),
              "p1 stays, p2 is gone");
    TAP_EQ_INT(turn_perm_add(&set, &p3, 3000, 2), 0, "its place is free for an IPv6 peer");
    turn_perm_fini(&set);
    TAP_EQ_INT(set.count, 0, "fini empties the set");
    TAP_CHECK(set.items == NULL, "and frees its array");
    TAP_EQ_INT(turn_perm_expire(&set, 0), 0, "an empty set expires nothing");
    return tap_done();
}
