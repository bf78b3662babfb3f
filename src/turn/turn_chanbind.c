#include "turn/turn_chanbind.h"

#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_channel.h"
#include "turn/turn_alloc.h"
#include "turn/turn_worker_state.h"

/* RFC 8656 section 12.2: both attributes present, the number in range. */
static enum turn_fail turn_chanbind_read(const struct turn_request *req, uint16_t *number,
                                         struct addr *peer)
{
    if (stun_attr_get_u16(req->msg, STUN_ATTR_CHANNEL_NUMBER, number) != 0 ||
        stun_attr_get_addr(req->msg, STUN_ATTR_XOR_PEER_ADDRESS, peer) != 0) {
        return TURN_FAIL_BAD_REQUEST;
    }
    if (!stun_channel_number_valid(*number, !req->w->cfg.turn->channel_strict)) {
        return TURN_FAIL_BAD_REQUEST;
    }
    return TURN_OK;
}

/* The checks of section 12.2 past the attributes, in the order the section gives its codes. */
static enum turn_fail turn_chanbind_check(struct turn_request *req, uint16_t number,
                                          const struct addr *peer)
{
    struct turn_alloc *a = req->alloc;
    const struct turn_options *opts = req->w->cfg.turn;
    uint64_t now_ms = req->info->now_ms;

    if (turn_alloc_relay_for(a, peer->family) == NULL) {
        return TURN_FAIL_PEER_FAMILY_MISMATCH;
    }
    enum turn_channel_verdict v = turn_channel_check(&a->channels, number, peer, now_ms,
                                                     turn_request_limit(opts->max_channels));

    if (v == TURN_CHANNEL_NUMBER_TAKEN || v == TURN_CHANNEL_PEER_TAKEN) {
        return TURN_FAIL_BAD_REQUEST;
    }
    if (!turn_worker_peer_allowed(req->w, peer)) {
        return TURN_FAIL_FORBIDDEN;
    }
    (void)turn_perm_expire(&a->perms, now_ms);
    if (v == TURN_CHANNEL_FULL || (turn_perm_is_new(&a->perms, peer) &&
                                   a->perms.count >= turn_request_limit(opts->max_permissions))) {
        return TURN_FAIL_CAPACITY;
    }
    return TURN_OK;
}

enum turn_fail turn_chanbind_handle(struct turn_request *req)
{
    struct turn_alloc *a = req->alloc;
    const struct turn_options *opts = req->w->cfg.turn;
    uint64_t now_ms = req->info->now_ms;
    uint16_t number;
    struct addr peer;
    enum turn_fail f = turn_chanbind_read(req, &number, &peer);

    if (f == TURN_OK) {
        f = turn_chanbind_check(req, number, &peer);
    }
    if (f != TURN_OK) {
        return f;
    }
    /* Section 12.2: create or refresh the binding, and install or refresh the permission. */
    (void)turn_channel_bind(&a->channels, number, &peer, now_ms,
                            turn_request_limit(opts->max_channels));
    if (turn_perm_add(&a->perms, &peer, now_ms, turn_request_limit(opts->max_permissions)) == 0) {
        turn_alloc_note_peer(a, &peer);
    }
    struct stun_builder b;

    /* "There are no required attributes in a successful ChannelBind response." */
    turn_request_begin(req, &b, STUN_CLASS_SUCCESS);
    return turn_request_finish(req, &b) == 0 ? TURN_OK : TURN_FAIL_SERVER_ERROR;
}
