#include "turn/turn_handle.h"

#include "stun/stun_channel.h"
#include "stun/stun_integrity.h"
#include "stun/stun_msg.h"
#include "turn/turn_alloc.h"
#include "turn/turn_allocate.h"
#include "turn/turn_auth.h"
#include "turn/turn_binding.h"
#include "turn/turn_chanbind.h"
#include "turn/turn_data.h"
#include "turn/turn_error.h"
#include "turn/turn_permission.h"
#include "turn/turn_refresh.h"
#include "turn/turn_request.h"
#include "turn/turn_send.h"
#include "turn/turn_worker_state.h"

#include <string.h>

typedef enum turn_fail (*turn_handle_method_cb)(struct turn_request *req);

/* One row per request method the server answers. */
struct turn_handle_method {
    uint16_t method;
    bool needs_auth;  /* RFC 8656 section 5: TURN requests are authenticated */
    bool needs_alloc; /* acts on the allocation of the 5-tuple: 437 without one */
    turn_handle_method_cb handle;
};

static const struct turn_handle_method turn_handle_methods[] = {
    {STUN_METHOD_BINDING, false, false, turn_binding_answer},
    {STUN_METHOD_ALLOCATE, true, false, turn_allocate_handle},
    {STUN_METHOD_REFRESH, true, true, turn_refresh_handle},
    {STUN_METHOD_CREATE_PERMISSION, true, true, turn_permission_handle},
    {STUN_METHOD_CHANNEL_BIND, true, true, turn_chanbind_handle},
};

/* The number of request counters per class (struct turn_counters.requests). */
#define TURN_HANDLE_COUNTED_METHODS 16u

static const struct turn_handle_method *turn_handle_method_find(uint16_t method)
{
    for (size_t i = 0; i < sizeof(turn_handle_methods) / sizeof(turn_handle_methods[0]); i++) {
        if (turn_handle_methods[i].method == method) {
            return &turn_handle_methods[i];
        }
    }
    return NULL;
}

static void turn_handle_count(struct turn_worker *w, uint16_t method, enum turn_fail f)
{
    size_t m = method < TURN_HANDLE_COUNTED_METHODS ? method : 0;

    TURN_COUNT(w, requests[m][f == TURN_OK ? 0 : 1]);
}

static void turn_handle_out_reset(struct turn_out *out)
{
    out->reply_len = 0;
    out->relay = NULL;
    memset(&out->peer, 0, sizeof(out->peer));
    out->data = NULL;
    out->data_len = 0;
    out->dont_fragment = false;
}

/* The allocation of the 5-tuple of info; one whose time ran out before the sweep got to it
 * ends here, so the answer never depends on the sweep's timing. */
static struct turn_alloc *turn_handle_alloc(struct turn_worker *w,
                                            const struct turn_packet_info *info)
{
    struct turn_alloc *a = turn_table_find(&w->table, &info->client, &info->local, info->transport);

    if (a != NULL && info->now_ms >= a->expires_ms) {
        TURN_COUNT(w, allocations_expired);
        turn_worker_end(w, a, TURN_USAGE_EXPIRED);
        a = NULL;
    }
    return a;
}

/* Answers a retransmitted request with the response already sent (RFC 8656 section 7.2: "the
 * server can store the transaction id ... and compare it with incoming Allocate requests on
 * the same 5-tuple"; the same holds for the other methods). True when answered. */
static bool turn_handle_replay(const struct turn_alloc *a, const struct stun_msg *msg,
                               struct turn_out *out)
{
    size_t len;
    const uint8_t *bytes = turn_alloc_cache_find(a, msg->method, msg->txid, &len);

    if (bytes == NULL || len > out->reply_cap) {
        return false;
    }
    memcpy(out->reply, bytes, len);
    out->reply_len = len;
    return true;
}

/* The checks between authentication and the method's own. */
static enum turn_fail turn_handle_checks(const struct turn_request *req,
                                         const struct turn_handle_method *m)
{
    /* RFC 8489 section 6.3.1: once authenticated, unknown comprehension-required attributes
     * are answered 420. */
    if (req->msg->unknown_count > 0) {
        return TURN_FAIL_UNKNOWN_ATTRIBUTE;
    }
    if (!m->needs_alloc) {
        return TURN_OK;
    }
    if (req->alloc == NULL) {
        return TURN_FAIL_ALLOCATION_MISMATCH;
    }
    /* RFC 8656 section 5: requests on an allocation use the credentials that created it. */
    if (!turn_alloc_same_credentials(req->alloc, req->username, req->username_len, &req->key)) {
        return TURN_FAIL_WRONG_CREDENTIALS;
    }
    return TURN_OK;
}

/* Authenticates req when its method needs it. An unauthenticated answer (401, 400 or 438)
 * costs a token of the source's rate limit: over it, the request is dropped (DESIGN.md, no
 * amplification). Returns TURN_OK, a failure to answer, or -1 to drop. */
static int turn_handle_auth(struct turn_request *req, const struct turn_handle_method *m)
{
    if (!m->needs_auth) {
        return TURN_OK;
    }
    enum turn_fail f = turn_auth_check(req);

    if (f != TURN_OK &&
        !turn_ratelimit_allow(req->w->ratelimit, &req->info->client, req->info->now_ms)) {
        TURN_COUNT(req->w, unauth_dropped);
        return -1;
    }
    return (int)f;
}

static int turn_handle_request(struct turn_worker *w, const struct turn_packet_info *info,
                               const struct stun_msg *msg, struct turn_out *out)
{
    const struct turn_handle_method *m = turn_handle_method_find(msg->method);
    struct turn_request req;

    turn_request_init(&req, w, info, msg, out);
    if (m == NULL) {
        turn_error_reply(&req, TURN_FAIL_BAD_REQUEST);
        turn_handle_count(w, msg->method, TURN_FAIL_BAD_REQUEST);
        return 0;
    }
    req.alloc = turn_handle_alloc(w, info);
    if (m->needs_auth && req.alloc != NULL && turn_handle_replay(req.alloc, msg, out)) {
        return 0;
    }
    int rc = turn_handle_auth(&req, m);

    if (rc < 0) {
        return TURN_DROP_RATE_LIMIT;
    }
    enum turn_fail f = (enum turn_fail)rc;

    if (f == TURN_OK) {
        f = turn_handle_checks(&req, m);
    }
    if (f == TURN_OK) {
        f = m->handle(&req);
    }
    if (f != TURN_OK) {
        turn_error_reply(&req, f);
    }
    turn_handle_count(w, msg->method, f);
    if (m->needs_auth && req.alloc != NULL && out->reply_len > 0) {
        turn_alloc_cache_store(req.alloc, msg->method, msg->txid, out->reply, out->reply_len);
    }
    auth_key_wipe(&req.key);
    return 0;
}

static int turn_handle_indication(struct turn_worker *w, const struct turn_packet_info *info,
                                  const struct stun_msg *msg, struct turn_out *out)
{
    /* RFC 8489 section 6.3.2: an indication with an unknown comprehension-required attribute
     * is discarded. */
    if (msg->unknown_count > 0) {
        return TURN_DROP_INVALID;
    }
    if (msg->method == STUN_METHOD_SEND) {
        return turn_send_indication(w, info, msg, out);
    }
    /* A Binding indication is a keepalive (RFC 8489 section 6.3.2): nothing to do. */
    return msg->method == STUN_METHOD_BINDING ? 0 : TURN_DROP_IGNORED;
}

int turn_handle_stun(struct turn_worker *w, const struct turn_packet_info *info, const uint8_t *pkt,
                     size_t len, struct turn_out *out)
{
    struct stun_msg msg;

    turn_handle_out_reset(out);
    turn_worker_clock(w, info->now_ms, info->now_s);
    int rc = stun_msg_decode(&msg, pkt, len);

    if (rc < 0) {
        return rc;
    }
    /* RFC 8489 section 7.3: a message whose FINGERPRINT does not match is discarded. */
    if (msg.fingerprint_idx >= 0 && stun_fingerprint_check(&msg) < 0) {
        return STUN_ERR_INTEGRITY;
    }
    if (msg.cls == STUN_CLASS_REQUEST) {
        return turn_handle_request(w, info, &msg, out);
    }
    if (msg.cls == STUN_CLASS_INDICATION) {
        return turn_handle_indication(w, info, &msg, out);
    }
    /* Responses are never expected from clients. */
    return TURN_DROP_IGNORED;
}

/* The live channel of the ChannelData cd, with its allocation and relay. Returns 0 or a
 * negative enum turn_drop. */
static int turn_handle_channel_route(struct turn_worker *w, const struct turn_packet_info *info,
                                     const struct stun_channel_data *cd, struct turn_out *out)
{
    struct turn_alloc *a = turn_table_find(&w->table, &info->client, &info->local, info->transport);

    if (a == NULL || info->now_ms >= a->expires_ms) {
        return TURN_DROP_NO_ALLOCATION;
    }
    /* RFC 8656 section 12.6: ChannelData on a channel bound to no peer is discarded; its
     * receipt refreshes neither the binding nor the permission. */
    const struct turn_channel *ch = turn_channel_by_number(&a->channels, cd->channel, info->now_ms);

    if (ch == NULL) {
        return TURN_DROP_NO_CHANNEL;
    }
    /* Section 9: data reaches a peer only while a permission for its IP lives. */
    if (!turn_perm_has(&a->perms, &ch->peer, info->now_ms)) {
        return TURN_DROP_NO_PERMISSION;
    }
    out->relay = turn_alloc_relay_for(a, ch->peer.family);
    if (out->relay == NULL) {
        return TURN_DROP_NO_PERMISSION;
    }
    if (!turn_bucket_take(&a->to_peer, cd->len, info->now_ms)) {
        out->relay = NULL;
        TURN_COUNT(w, bandwidth_dropped);
        return TURN_DROP_BANDWIDTH;
    }
    out->peer = ch->peer;
    a->stats.packets_to_peer++;
    a->stats.bytes_to_peer += cd->len;
    return 0;
}

int turn_handle_channel(struct turn_worker *w, const struct turn_packet_info *info,
                        const uint8_t *pkt, size_t len, struct turn_out *out)
{
    struct stun_channel_data cd;

    turn_handle_out_reset(out);
    /* On a stream, net has already cut the frame, padding included (section 12.5). */
    int rc = stun_channel_decode(&cd, pkt, len, turn_request_is_stream(info->transport));

    if (rc < 0) {
        return rc == STUN_NEED_MORE ? STUN_ERR_TRUNCATED : rc;
    }
    rc = turn_handle_channel_route(w, info, &cd, out);
    if (rc < 0) {
        return rc;
    }
    /* Section 12.6: the data goes to the peer as is, from the packet (no copy). */
    out->data = cd.data;
    out->data_len = cd.len;
    TURN_COUNT(w, rx_packets_client);
    TURN_COUNT_ADD(w, rx_bytes_client, cd.len);
    return 0;
}

/* Frames the data for the client: ChannelData when a channel is bound to the peer (RFC 8656
 * section 11.3, 12.7), else a Data indication. */
static int turn_handle_peer_frame(struct turn_worker *w, const struct turn_alloc *a,
                                  const struct addr *peer, uint64_t now_ms,
                                  struct turn_data_frame *fr)
{
    const struct turn_channel *ch = turn_channel_by_peer(&a->channels, peer, now_ms);

    if (ch != NULL) {
        return turn_data_frame_channel(fr, ch->number, turn_request_is_stream(a->transport));
    }
    uint8_t txid[STUN_TXID_LEN];

    turn_worker_txid(w, txid);
    return turn_data_frame_indication(fr, peer, txid);
}

/* Points fr at the datagram in buf, which the framing writes around in place. */
static void turn_handle_frame_init(struct turn_data_frame *fr, uint8_t *buf, size_t len)
{
    fr->buf = buf;
    fr->len = len;
    fr->msg = NULL;
    fr->msg_len = 0;
}

/* The relay's allocation when data from peer may reach its client at now_ms. */
static struct turn_alloc *turn_handle_peer_alloc(struct turn_worker *w,
                                                 const struct turn_relay *relay,
                                                 const struct addr *peer, uint64_t now_ms, int *rc)
{
    struct turn_alloc *a = relay->alloc;

    *rc = 0;
    if (a == NULL || now_ms >= a->expires_ms) {
        *rc = TURN_DROP_NO_ALLOCATION;
        return NULL;
    }
    /* RFC 8656 section 9: without a permission for the source IP the datagram is silently
     * discarded. */
    if (!turn_perm_has(&a->perms, peer, now_ms)) {
        TURN_COUNT(w, no_permission_dropped);
        *rc = TURN_DROP_NO_PERMISSION;
        return NULL;
    }
    return a;
}

int turn_handle_peer(struct turn_worker *w, struct turn_peer_packet *p)
{
    struct turn_data_frame fr;
    int rc;
    struct turn_alloc *a = turn_handle_peer_alloc(w, p->relay, &p->peer, p->now_ms, &rc);

    p->msg = NULL;
    p->msg_len = 0;
    if (a == NULL) {
        return rc;
    }
    turn_handle_frame_init(&fr, p->buf, p->len);
    rc = turn_handle_peer_frame(w, a, &p->peer, p->now_ms, &fr);
    if (rc < 0) {
        return rc;
    }
    if (!turn_bucket_take(&a->to_client, p->len, p->now_ms)) {
        TURN_COUNT(w, bandwidth_dropped);
        return TURN_DROP_BANDWIDTH;
    }
    p->msg = fr.msg;
    p->msg_len = fr.msg_len;
    p->conn = a->conn;
    TURN_COUNT(w, tx_packets_peer);
    TURN_COUNT_ADD(w, tx_bytes_peer, p->len);
    a->stats.packets_to_client++;
    a->stats.bytes_to_client += p->len;
    return 0;
}

void turn_handle_client_of(const struct turn_relay *relay, struct addr *client, struct addr *local,
                           enum turn_transport *transport)
{
    const struct turn_alloc *a = relay->alloc;

    *client = a->client;
    *local = a->local;
    *transport = a->transport;
}
