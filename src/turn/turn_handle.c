#include "turn/turn_handle.h"

#include "stun/stun_attr.h"
#include "stun/stun_build.h"
#include "stun/stun_error.h"
#include "stun/stun_integrity.h"
#include "stun/stun_msg.h"
#include "turn/turn_binding.h"

typedef int (*turn_handle_method_fn)(const struct stun_msg *req,
                                     const struct turn_packet_info *info, struct turn_reply *reply);

/* One row per request method the server answers. */
struct turn_handle_method {
    uint16_t method;
    turn_handle_method_fn handle;
};

static const struct turn_handle_method turn_handle_methods[] = {
    {STUN_METHOD_BINDING, turn_binding_answer},
};

static const struct turn_handle_method *turn_handle_method_find(uint16_t method)
{
    for (size_t i = 0; i < sizeof(turn_handle_methods) / sizeof(turn_handle_methods[0]); i++) {
        if (turn_handle_methods[i].method == method) {
            return &turn_handle_methods[i];
        }
    }
    return NULL;
}

/* Builds an error response to req; with a 420 the unknown types are listed (RFC 8489 14.13). */
static int turn_handle_error(const struct stun_msg *req, uint16_t code, struct turn_reply *reply)
{
    struct stun_builder b;

    stun_build_init(&b, reply->buf, reply->cap, req->method, STUN_CLASS_ERROR, req->txid);
    stun_build_error(&b, code, NULL);
    if (code == STUN_ERROR_UNKNOWN_ATTRIBUTE) {
        stun_build_type_list(&b, STUN_ATTR_UNKNOWN_ATTRIBUTES, req->unknown, req->unknown_count);
    }
    if (req->fingerprint_idx >= 0) {
        stun_build_fingerprint(&b);
    }
    return stun_build_finish(&b);
}

static int turn_handle_request(const struct stun_msg *req, const struct turn_packet_info *info,
                               struct turn_reply *reply)
{
    /* RFC 8489 section 6.3.1: unknown comprehension-required attributes get a 420. */
    if (req->unknown_count > 0) {
        return turn_handle_error(req, STUN_ERROR_UNKNOWN_ATTRIBUTE, reply);
    }
    const struct turn_handle_method *m = turn_handle_method_find(req->method);
    if (m == NULL) {
        return turn_handle_error(req, STUN_ERROR_BAD_REQUEST, reply);
    }
    return m->handle(req, info, reply);
}

int turn_handle_stun(const struct turn_packet_info *info, const uint8_t *pkt, size_t len,
                     struct turn_reply *reply)
{
    struct stun_msg req;

    reply->len = 0;
    int rc = stun_msg_decode(&req, pkt, len);
    if (rc < 0) {
        return rc;
    }
    /* RFC 8489 section 7.3: a message whose FINGERPRINT does not match is discarded. */
    if (req.fingerprint_idx >= 0 && stun_fingerprint_check(&req) < 0) {
        return STUN_ERR_INTEGRITY;
    }
    /* Responses are never expected from clients; indications (Binding keepalives) need no
     * answer (RFC 8489 section 6.3.2). */
    if (req.cls != STUN_CLASS_REQUEST) {
        return 0;
    }
    rc = turn_handle_request(&req, info, reply);
    if (rc < 0) {
        return rc;
    }
    reply->len = (size_t)rc;
    return 0;
}
