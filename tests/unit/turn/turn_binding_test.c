/* The Binding method (RFC 8489 section 3) through the worker. */
#include "stun/stun_attr.h"
#include "tap.h"
#include "turn_fake.h"

static struct turn_fake fake;

int main(void)
{
    struct addr mapped;

    turn_fake_setup(&fake);
    turn_fake_addr(&fake.client, "[2001:db8:9::5]:61000");
    turn_fake_addr(&fake.local, "[2001:db8:9::1]:3478");
    fake.transport = TURN_TRANSPORT_TLS;
    (void)turn_fake_send(&fake, STUN_METHOD_BINDING, NULL, NULL, false);
    TAP_EQ_INT(turn_fake_code(&fake), 0, "a Binding over TLS from an IPv6 client succeeds");
    TAP_EQ_INT(stun_attr_get_addr(&fake.resp, STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped), 0,
               "with XOR-MAPPED-ADDRESS");
    TAP_CHECK(addr_equal(&mapped, &fake.client), "the client's IPv6 transport address");
    TAP_EQ_INT(fake.resp.method, STUN_METHOD_BINDING, "a Binding response");
    TAP_CHECK(fake.resp.integrity_idx < 0, "never signed, even when the server has users");
    (void)turn_fake_send(&fake, STUN_METHOD_BINDING, NULL, NULL, true);
    TAP_EQ_INT(turn_fake_code(&fake), 0, "a signed Binding is answered the same");
    TAP_EQ_INT(turn_worker_alloc_count(fake.w), 0, "Binding needs no allocation");
    turn_fake_teardown(&fake);
    return tap_done();
}
