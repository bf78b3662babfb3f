#include "turn/turn_permission.h"

#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "turn/turn_alloc.h"
#include "turn/turn_worker_state.h"

/* The peers of one request: at most one per attribute a message can hold. */
struct turn_permission_peers {
    struct addr peer[STUN_MAX_ATTRS];
    size_t count;
};

/* RFC 8656 section 10.2: "at least one XOR-PEER-ADDRESS attribute and MAY contain multiple";
 * none, or an invalid one, is 400. */
static enum turn_fail turn_permission_read(const struct stun_msg *msg,
                                           struct turn_permission_peers *peers)
{
    peers->count = 0;
    for (size_t i = 0; i < msg->attr_count; i++) {
        if (msg->attrs[i].type != STUN_ATTR_XOR_PEER_ADDRESS) {
            continue;
        }
        if (stun_attr_decode_addr(msg, &msg->attrs[i], &peers->peer[peers->count]) != 0) {
            return TURN_FAIL_BAD_REQUEST;
        }
        peers->count++;
    }
    return peers->count > 0 ? TURN_OK : TURN_FAIL_BAD_REQUEST;
}

/* Each peer must be of a relay's family (443) and allowed by policy (403). */
static enum turn_fail turn_permission_check(struct turn_request *req,
                                            const struct turn_permission_peers *peers)
{
    for (size_t i = 0; i < peers->count; i++) {
        if (turn_alloc_relay_for(req->alloc, peers->peer[i].family) == NULL) {
            return TURN_FAIL_PEER_FAMILY_MISMATCH;
        }
    }
    for (size_t i = 0; i < peers->count; i++) {
        if (!turn_worker_peer_allowed(req->w, &peers->peer[i])) {
            return TURN_FAIL_FORBIDDEN;
        }
    }
    return TURN_OK;
}

/* How many entries installing every peer adds (an IP listed twice counts once). */
static size_t turn_permission_new_count(const struct turn_alloc *a,
                                        const struct turn_permission_peers *peers)
{
    size_t fresh = 0;

    for (size_t i = 0; i < peers->count; i++) {
        bool seen = !turn_perm_is_new(&a->perms, &peers->peer[i]);

        for (size_t j = 0; j < i && !seen; j++) {
            seen = addr_equal_ip(&peers->peer[j], &peers->peer[i]);
        }
        fresh += seen ? 0 : 1;
    }
    return fresh;
}

enum turn_fail turn_permission_handle(struct turn_request *req)
{
    struct turn_alloc *a = req->alloc;
    struct turn_permission_peers peers;
    size_t max = turn_request_limit(req->w->cfg.turn->max_permissions);
    uint64_t now_ms = req->info->now_ms;
    enum turn_fail f = turn_permission_read(req->msg, &peers);

    if (f == TURN_OK) {
        f = turn_permission_check(req, &peers);
    }
    if (f != TURN_OK) {
        return f;
    }
    (void)turn_perm_expire(&a->perms, now_ms);
    if (a->perms.count + turn_permission_new_count(a, &peers) > max) {
        return TURN_FAIL_CAPACITY;
    }
    /* RFC 8656 section 10.2: install or refresh a permission for the IP of each peer. */
    for (size_t i = 0; i < peers.count; i++) {
        if (turn_perm_add(&a->perms, &peers.peer[i], now_ms, max) == 0) {
            turn_alloc_note_peer(a, &peers.peer[i]);
        }
    }
    struct stun_builder b;

    /* "There are no mandatory attributes in the success response." */
    turn_request_begin(req, &b, STUN_CLASS_SUCCESS);
    return turn_request_finish(req, &b) == 0 ? TURN_OK : TURN_FAIL_SERVER_ERROR;
}
