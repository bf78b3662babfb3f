#include "net/net_ports.h"
#include "tap.h"

#include <stdlib.h>

static void test_draws_every_port_once(void)
{
    struct net_ports p;
    uint8_t seen[16] = {0};
    int dup = 0;

    TAP_EQ_INT(net_ports_init(&p, 50000, 50015), 0, "a 16-port range initialises");
    for (int i = 0; i < 16; i++) {
        uint16_t port = net_ports_take(&p, false, 0);
        if (port < 50000 || port > 50015 || seen[port - 50000]++) {
            dup++;
        }
    }
    TAP_EQ_INT(dup, 0, "16 draws give 16 distinct ports of the range");
    TAP_EQ_INT(net_ports_take(&p, false, 0), 0, "a 17th draw finds nothing");
    TAP_CHECK(net_ports_is_taken(&p, 50007), "a drawn port is taken");
    TAP_CHECK(!net_ports_is_taken(&p, 50016), "a port outside the range is not");
    TAP_EQ_INT(net_ports_available(&p), 0, "nothing available");
    net_ports_fini(&p);
}

static void test_released_port_cools_down(void)
{
    struct net_ports p;

    net_ports_init(&p, 40000, 40001);
    uint16_t a = net_ports_take(&p, false, 0);
    net_ports_give_back(&p, a, 1000);
    TAP_CHECK(!net_ports_is_taken(&p, a), "a port given back is no longer taken");
    uint16_t b = net_ports_take(&p, false, 2000);
    TAP_CHECK(b != 0 && b != a, "a released port is not drawn again while another is free");
    net_ports_give_back(&p, b, 2000);
    uint16_t c = net_ports_take(&p, false, 3000);
    TAP_EQ_INT(c, a, "with only cooling ports left, the oldest is reused rather than refusing");
    uint16_t d = net_ports_take(&p, false, 2000 + NET_PORTS_COOLDOWN_MS);
    TAP_EQ_INT(d, b, "after the cooldown the other port is free again");
    net_ports_fini(&p);
}

static void test_even_and_pairs(void)
{
    struct net_ports p;
    uint64_t token = 0;
    int odd = 0;

    net_ports_init(&p, 30001, 30100);
    for (int i = 0; i < 20; i++) {
        uint16_t port = net_ports_take(&p, true, 0);
        odd += (port & 1u) || port == 0;
    }
    TAP_EQ_INT(odd, 0, "EVEN-PORT draws are all even");
    uint16_t even = net_ports_take_pair(&p, 0, &token);
    TAP_CHECK(even != 0 && (even & 1u) == 0, "a pair starts on an even port");
    TAP_CHECK(token != 0, "a pair yields a non-zero reservation token");
    TAP_EQ_INT(net_ports_claim(&p, token ^ 1u, 10), 0, "a wrong token claims nothing");
    TAP_EQ_INT(net_ports_claim(&p, token, 10), even + 1, "the token claims the next port");
    TAP_EQ_INT(net_ports_claim(&p, token, 10), 0, "a token claims once");
    net_ports_fini(&p);
}

static void test_reservation_expires(void)
{
    struct net_ports p;
    uint64_t token = 0;

    net_ports_init(&p, 20000, 20003);
    uint16_t even = net_ports_take_pair(&p, 0, &token);
    TAP_CHECK(even != 0, "a pair is taken");
    TAP_EQ_INT(net_ports_claim(&p, token, NET_PORTS_RESERVE_MS + 1), 0,
               "a reservation is gone after about 30 s");
    TAP_EQ_INT(net_ports_available(&p), 3, "its port returns to the pool");
    net_ports_fini(&p);
}

static void test_bad_range(void)
{
    struct net_ports p;

    TAP_EQ_INT(net_ports_init(&p, 6000, 5000), -1, "min above max is refused");
    TAP_EQ_INT(net_ports_init(&p, 0, 5000), -1, "port 0 is refused");
    net_ports_fini(&p);
}

int main(void)
{
    test_draws_every_port_once();
    test_released_port_cools_down();
    test_even_and_pairs();
    test_reservation_expires();
    test_bad_range();
    return tap_done();
}
