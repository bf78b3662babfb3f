#include "net/net_quota.h"
#include "tap.h"

static struct addr quota_ip(const char *s)
{
    struct addr a;

    (void)addr_parse_ip(&a, s);
    return a;
}

static void test_per_user(void)
{
    struct net_quota q;
    struct addr a = quota_ip("192.0.2.1");
    struct addr b = quota_ip("192.0.2.2");

    net_quota_init(&q, 0, 2, 0);
    TAP_EQ_INT(net_quota_acquire(&q, "alice", &a), 0, "alice's first allocation is counted");
    TAP_EQ_INT(net_quota_acquire(&q, "alice", &b), 0, "alice's second, from another IP");
    TAP_EQ_INT(net_quota_acquire(&q, "alice", &a), 486, "alice's third is over her quota: 486");
    TAP_EQ_INT(net_quota_acquire(&q, "bob", &a), 0, "bob is counted on his own");
    net_quota_release(&q, "alice", &b);
    TAP_EQ_INT(net_quota_acquire(&q, "alice", &a), 0, "a released allocation frees quota");
    TAP_EQ_INT(net_quota_total(&q), 3, "three allocations are counted");
    net_quota_fini(&q);
}

static void test_per_ip_and_total(void)
{
    struct net_quota q;
    struct addr a = quota_ip("2001:db8::1");
    struct addr mapped = quota_ip("::ffff:192.0.2.9");
    struct addr v4 = quota_ip("192.0.2.9");

    net_quota_init(&q, 3, 0, 1);
    TAP_EQ_INT(net_quota_acquire(&q, "u1", &a), 0, "one allocation from an IPv6 client");
    TAP_EQ_INT(net_quota_acquire(&q, "u2", &a), 486, "a second from the same IP: 486");
    TAP_EQ_INT(net_quota_acquire(&q, "u3", &mapped), 0, "an IPv4-mapped client is counted");
    TAP_EQ_INT(net_quota_acquire(&q, "u4", &v4), 486,
               "its plain IPv4 form counts against the same IP");
    struct addr c = quota_ip("198.51.100.7");
    TAP_EQ_INT(net_quota_acquire(&q, "u5", &c), 0, "a third client reaches the total");
    struct addr d = quota_ip("198.51.100.8");
    TAP_EQ_INT(net_quota_acquire(&q, "u6", &d), 508, "past the total: 508");
    net_quota_fini(&q);
}

int main(void)
{
    test_per_user();
    test_per_ip_and_total();
    return tap_done();
}
