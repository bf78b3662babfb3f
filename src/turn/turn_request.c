#include "turn/turn_request.h"

#include "stun/stun_attr.h"
#include "turn/turn_worker_state.h"

#include <string.h>

/* MESSAGE-INTEGRITY-SHA256 is sent untruncated (RFC 8489 section 14.6 allows 16 to 32). */
#define TURN_REQUEST_SHA256_LEN 32

void turn_request_init(struct turn_request *req, struct turn_worker *w,
                       const struct turn_packet_info *info, const struct stun_msg *msg,
                       struct turn_out *out)
{
    memset(req, 0, sizeof(*req));
    req->w = w;
    req->info = info;
    req->msg = msg;
    req->out = out;
}

void turn_request_begin(const struct turn_request *req, struct stun_builder *b, uint8_t cls)
{
    stun_build_init(b, req->out->reply, req->out->reply_cap, req->msg->method, cls, req->msg->txid);
}

/* SOFTWARE and the integrity attribute of an authenticated response. */
static void turn_request_seal(const struct turn_request *req, struct stun_builder *b)
{
    const char *software = req->w->cfg.software;

    if (software != NULL && software[0] != '\0') {
        stun_build_string(b, STUN_ATTR_SOFTWARE, software);
    }
    /* RFC 8489 section 9.2.4: the response is protected with the same key, by
     * MESSAGE-INTEGRITY-SHA256 when the request used it, else MESSAGE-INTEGRITY. */
    if (req->sha256) {
        stun_build_integrity_sha256(b, req->key.bytes, req->key.len, TURN_REQUEST_SHA256_LEN);
    } else {
        stun_build_integrity(b, req->key.bytes, req->key.len);
    }
}

int turn_request_finish(const struct turn_request *req, struct stun_builder *b)
{
    if (req->authenticated) {
        turn_request_seal(req, b);
    }
    /* RFC 8489 section 7.3: FINGERPRINT when the request carried one; nothing else is added to
     * unauthenticated answers, so they stay small. */
    if (req->msg->fingerprint_idx >= 0) {
        stun_build_fingerprint(b);
    }
    int len = stun_build_finish(b);

    req->out->reply_len = len > 0 ? (size_t)len : 0;
    return len > 0 ? 0 : -1;
}

bool turn_request_is_stream(enum turn_transport transport)
{
    return transport == TURN_TRANSPORT_TCP || transport == TURN_TRANSPORT_TLS;
}

uint16_t turn_request_family(uint8_t stun_family)
{
    if (stun_family == STUN_FAMILY_IPV4) {
        return AF_INET;
    }
    if (stun_family == STUN_FAMILY_IPV6) {
        return AF_INET6;
    }
    return 0;
}

uint8_t turn_request_stun_family(uint16_t family)
{
    return family == AF_INET6 ? STUN_FAMILY_IPV6 : STUN_FAMILY_IPV4;
}

size_t turn_request_limit(uint32_t configured)
{
    if (configured == 0 || configured > TURN_REQUEST_HARD_LIMIT) {
        return TURN_REQUEST_HARD_LIMIT;
    }
    return configured;
}

int turn_request_optional(int rc, bool *present)
{
    *present = rc == 0;
    return rc == 0 || rc == STUN_ERR_NOT_FOUND ? 0 : -1;
}
