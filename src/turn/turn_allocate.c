#include "turn/turn_allocate.h"

#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "turn/turn_alloc.h"
#include "turn/turn_worker_state.h"

#include <string.h>

/* What an Allocate request asks for, read from its attributes. */
struct turn_allocate_ask {
    bool dont_fragment;
    bool even_port;
    bool reserve_next;
    bool has_token;
    bool has_family;
    bool has_additional;
    bool has_lifetime;
    uint8_t family;     /* REQUESTED-ADDRESS-FAMILY, a STUN family byte */
    uint8_t additional; /* ADDITIONAL-ADDRESS-FAMILY */
    uint32_t lifetime_s;
    uint64_t token;
};

/* The relays to open, by address family. */
struct turn_allocate_plan {
    uint16_t families[TURN_ALLOC_MAX_RELAYS];
    size_t count;
};

/* What opening the relays gave besides the relays. */
struct turn_allocate_result {
    uint64_t token;         /* RESERVATION-TOKEN of the reserved next port, or 0 */
    uint8_t missing_family; /* STUN family byte of a dual-stack relay not had, or 0 */
    enum turn_fail missing; /* why it was not had */
};

/* Reads the attributes; malformed ones are 400 (RFC 8656 section 7.2 step 3). */
static enum turn_fail turn_allocate_read(const struct stun_msg *msg, struct turn_allocate_ask *ask)
{
    uint8_t transport;
    uint8_t even = 0;

    if (stun_attr_get_u8(msg, STUN_ATTR_REQUESTED_TRANSPORT, &transport) != 0) {
        return TURN_FAIL_BAD_REQUEST;
    }
    /* RFC 8656 section 7.2 step 3: the only relay transport here is UDP (17). */
    if (transport != STUN_TRANSPORT_UDP) {
        return TURN_FAIL_UNSUPPORTED_TRANSPORT;
    }
    /* Step 4: DONT-FRAGMENT is supported, so it is honoured rather than refused. */
    ask->dont_fragment = stun_msg_find(msg, STUN_ATTR_DONT_FRAGMENT) != NULL;
    if (turn_request_optional(stun_attr_get_u8(msg, STUN_ATTR_EVEN_PORT, &even), &ask->even_port) !=
            0 ||
        turn_request_optional(stun_attr_get_u64(msg, STUN_ATTR_RESERVATION_TOKEN, &ask->token),
                              &ask->has_token) != 0 ||
        turn_request_optional(
            stun_attr_get_u8(msg, STUN_ATTR_REQUESTED_ADDRESS_FAMILY, &ask->family),
            &ask->has_family) != 0 ||
        turn_request_optional(
            stun_attr_get_u8(msg, STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY, &ask->additional),
            &ask->has_additional) != 0 ||
        turn_request_optional(stun_attr_get_u32(msg, STUN_ATTR_LIFETIME, &ask->lifetime_s),
                              &ask->has_lifetime) != 0) {
        return TURN_FAIL_BAD_REQUEST;
    }
    ask->reserve_next = ask->even_port && (even & STUN_EVEN_PORT_RESERVE) != 0;
    return TURN_OK;
}

/* The combinations RFC 8656 section 7.2 refuses, in its order (steps 5 to 9). */
static enum turn_fail turn_allocate_validate(const struct turn_allocate_ask *ask)
{
    if (ask->has_token && (ask->even_port || ask->has_family || ask->has_additional)) {
        return TURN_FAIL_BAD_REQUEST;
    }
    if (ask->has_family && ask->has_additional) {
        return TURN_FAIL_BAD_REQUEST;
    }
    if (ask->has_family && turn_request_family(ask->family) == 0) {
        return TURN_FAIL_FAMILY_NOT_SUPPORTED;
    }
    if (ask->reserve_next && ask->has_additional) {
        return TURN_FAIL_BAD_REQUEST;
    }
    if (ask->has_additional && ask->additional != STUN_FAMILY_IPV6) {
        return TURN_FAIL_BAD_REQUEST;
    }
    return TURN_OK;
}

/* IPv4 by default, the requested family, or both for a dual-stack allocation. */
static void turn_allocate_plan(const struct turn_allocate_ask *ask, struct turn_allocate_plan *p)
{
    p->count = 0;
    if (ask->has_additional) {
        p->families[p->count++] = AF_INET;
        p->families[p->count++] = AF_INET6;
    } else if (ask->has_family) {
        p->families[p->count++] = turn_request_family(ask->family);
    } else {
        p->families[p->count++] = AF_INET;
    }
}

/* Opens one relay of family for a. Returns 0 or an enum turn_io_err. */
static int turn_allocate_open_one(const struct turn_request *req, struct turn_alloc *a,
                                  const struct turn_allocate_ask *ask, uint16_t family,
                                  struct turn_allocate_result *res)
{
    struct turn_worker *w = req->w;
    struct turn_relay *relay = &a->relays[a->relay_count];
    struct turn_relay_request rr = {
        .family = family,
        .even_port = ask->even_port,
        .reserve_next = ask->reserve_next,
        .dont_fragment = ask->dont_fragment,
        .token = ask->has_token ? ask->token : 0,
        .local = req->info->local,
    };
    uint64_t token = 0;

    memset(relay, 0, sizeof(*relay));
    relay->alloc = a;
    int rc = w->ops->relay_open(w->io_ctx, &rr, relay, &token);

    if (rc != 0) {
        return rc;
    }
    a->relay_count++;
    if (token != 0) {
        res->token = token;
    }
    return 0;
}

/* Opens the planned relays. A dual-stack request that gets one of two succeeds and notes the
 * missing family (RFC 8656 section 7.2 step 9). */
static enum turn_fail turn_allocate_open(const struct turn_request *req, struct turn_alloc *a,
                                         const struct turn_allocate_ask *ask,
                                         const struct turn_allocate_plan *plan,
                                         struct turn_allocate_result *res)
{
    int failure = 0;

    for (size_t i = 0; i < plan->count; i++) {
        int rc = turn_allocate_open_one(req, a, ask, plan->families[i], res);

        if (rc != 0) {
            failure = rc;
            res->missing_family = turn_request_stun_family(plan->families[i]);
            res->missing = turn_error_from_io(rc);
        }
    }
    if (a->relay_count == 0) {
        /* Step 9: a dual-stack request that cannot be met at all is 508. */
        return plan->count > 1 ? TURN_FAIL_CAPACITY : turn_error_from_io(failure);
    }
    return TURN_OK;
}

/* The success response (RFC 8656 section 7.2, last paragraphs). */
static enum turn_fail turn_allocate_respond(const struct turn_request *req,
                                            const struct turn_alloc *a,
                                            const struct turn_allocate_result *res,
                                            uint32_t lifetime_s)
{
    struct stun_builder b;

    turn_request_begin(req, &b, STUN_CLASS_SUCCESS);
    for (size_t i = 0; i < a->relay_count; i++) {
        stun_build_addr(&b, STUN_ATTR_XOR_RELAYED_ADDRESS, &a->relays[i].advertised);
    }
    if (res->missing_family != 0) {
        stun_build_address_error(&b, res->missing_family, turn_error_code(res->missing), NULL);
    }
    stun_build_u32(&b, STUN_ATTR_LIFETIME, lifetime_s);
    if (res->token != 0) {
        stun_build_u64(&b, STUN_ATTR_RESERVATION_TOKEN, res->token);
    }
    stun_build_addr(&b, STUN_ATTR_XOR_MAPPED_ADDRESS, &req->info->client);
    return turn_request_finish(req, &b) == 0 ? TURN_OK : TURN_FAIL_SERVER_ERROR;
}

/* Takes the quota and opens the relays of a. On failure nothing is held. */
static enum turn_fail turn_allocate_acquire(struct turn_request *req, struct turn_alloc *a,
                                            const struct turn_allocate_ask *ask,
                                            struct turn_allocate_result *res)
{
    struct turn_worker *w = req->w;
    struct turn_allocate_plan plan;

    /* Step 10: the quota is asked before any socket is opened. */
    int code = w->ops->quota_acquire(w->io_ctx, a->username, &req->info->client);

    if (code != 0) {
        TURN_COUNT(w, quota_refused);
        return turn_error_from_code(code);
    }
    a->quota_held = true;
    turn_allocate_plan(ask, &plan);
    return turn_allocate_open(req, a, ask, &plan, res);
}

static enum turn_fail turn_allocate_run(struct turn_request *req)
{
    struct turn_worker *w = req->w;
    const struct turn_packet_info *info = req->info;
    struct turn_allocate_ask ask;
    struct turn_allocate_result res;

    /* Step 2: a retransmission was answered from the allocation's last response before
     * getting here, so an allocation on the 5-tuple means another transaction: 437. */
    if (req->alloc != NULL) {
        return TURN_FAIL_ALLOCATION_MISMATCH;
    }
    /* A draining server takes no new allocation: the client is sent elsewhere when an alternate
     * of its family is configured (RFC 8656 section 7.2, RFC 8489 section 10). */
    if (w->cfg.draining) {
        return turn_worker_alternate(w, info->client.family) != NULL ? TURN_FAIL_TRY_ALTERNATE
                                                                     : TURN_FAIL_DRAINING;
    }
    memset(&ask, 0, sizeof(ask));
    memset(&res, 0, sizeof(res));
    enum turn_fail f = turn_allocate_read(req->msg, &ask);

    if (f == TURN_OK) {
        f = turn_allocate_validate(&ask);
    }
    if (f != TURN_OK) {
        return f;
    }
    struct turn_alloc *a =
        turn_alloc_new_in(req->w->alloc_pool, info, req->username, req->username_len, &req->key);
    uint32_t lifetime_s = turn_alloc_lifetime_s(w->cfg.turn, ask.has_lifetime, ask.lifetime_s);

    f = turn_allocate_acquire(req, a, &ask, &res);
    if (f == TURN_OK) {
        f = turn_allocate_respond(req, a, &res, lifetime_s);
    }
    if (f != TURN_OK) {
        turn_worker_discard(w, a);
        return f;
    }
    turn_alloc_set_lifetime(a, lifetime_s, info->now_ms);
    turn_alloc_bandwidth_init(a, w->cfg.turn->bandwidth_bps, info->now_ms);
    turn_table_insert(&w->table, a);
    TURN_COUNT(w, allocations_created);
    TURN_COUNT_STORE(w, allocations_active, w->table.count);
    turn_worker_count_active(w, a);
    req->alloc = a;
    return TURN_OK;
}

enum turn_fail turn_allocate_handle(struct turn_request *req)
{
    enum turn_fail f = turn_allocate_run(req);

    if (f != TURN_OK) {
        TURN_COUNT(req->w, allocations_refused);
        TURN_COUNT(req->w, allocations_refused_by[f]);
    }
    return f;
}
