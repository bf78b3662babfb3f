#include "http/http_request.h"

#include <string.h>

/* A position in the body being read. */
struct http_request_scan {
    const char *p;
    const char *end;
};

/* The key of the member that names the user. */
static const char http_request_user_key[] = "user";

bool http_request_user_ok(const char *user, size_t len)
{
    if (len == 0 || len > HTTP_REQUEST_USER_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = user[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '@' || c == '+' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

static void http_request_skip_space(struct http_request_scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n')) {
        s->p++;
    }
}

/* True when the next byte is c. */
static bool http_request_next_is(const struct http_request_scan *s, char c)
{
    return s->p < s->end && *s->p == c;
}

/* Reads a string (the opening quote is next): *text and *n get the bytes between the quotes,
 * escapes as written. Returns 0, or -1 when it does not close or holds a control byte. */
static int http_request_string(struct http_request_scan *s, const char **text, size_t *n)
{
    s->p++;
    *text = s->p;
    while (s->p < s->end && *s->p != '"') {
        if ((unsigned char)*s->p < 0x20) {
            return -1;
        }
        if (*s->p == '\\' && ++s->p == s->end) {
            return -1;
        }
        s->p++;
    }
    if (s->p == s->end) {
        return -1;
    }
    *n = (size_t)(s->p - *text);
    s->p++;
    return 0;
}

/* Skips a number, true, false or null: a run of the bytes they are written with. */
static int http_request_bare(struct http_request_scan *s)
{
    const char *from = s->p;

    while (s->p < s->end && ((*s->p >= 'a' && *s->p <= 'z') || (*s->p >= '0' && *s->p <= '9') ||
                             *s->p == '+' || *s->p == '-' || *s->p == '.' || *s->p == 'E')) {
        s->p++;
    }
    return s->p == from ? -1 : 0;
}

/* Skips an object or array (its opening bracket is next) up to its balancing bracket, strings
 * included. No recursion: a count of open brackets. */
static int http_request_nested(struct http_request_scan *s)
{
    size_t depth = 0;
    const char *text;
    size_t n;

    while (s->p < s->end) {
        char c = *s->p;
        if (c == '"') {
            if (http_request_string(s, &text, &n) < 0) {
                return -1;
            }
            continue;
        }
        s->p++;
        if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return 0;
        }
    }
    return -1;
}

/* Reads a value: *text is set to a string's bytes, or NULL for any other value. */
static int http_request_value(struct http_request_scan *s, const char **text, size_t *n)
{
    *text = NULL;
    *n = 0;
    if (http_request_next_is(s, '"')) {
        return http_request_string(s, text, n);
    }
    if (http_request_next_is(s, '{') || http_request_next_is(s, '[')) {
        return http_request_nested(s);
    }
    return http_request_bare(s);
}

/* Reads one member, `"key": value`; a "user" member's value is copied into user (*seen set). A
 * key written with escapes is refused, so that no spelling of "user" slips past. */
static int http_request_member(struct http_request_scan *s, char *user, size_t cap, bool *seen)
{
    const char *key;
    const char *value;
    size_t key_len;
    size_t value_len;

    if (!http_request_next_is(s, '"') || http_request_string(s, &key, &key_len) < 0 ||
        memchr(key, '\\', key_len) != NULL) {
        return -1;
    }
    http_request_skip_space(s);
    if (!http_request_next_is(s, ':')) {
        return -1;
    }
    s->p++;
    http_request_skip_space(s);
    if (http_request_value(s, &value, &value_len) < 0) {
        return -1;
    }
    if (key_len != sizeof(http_request_user_key) - 1 ||
        memcmp(key, http_request_user_key, key_len) != 0) {
        return 0;
    }
    if (*seen || value == NULL || value_len >= cap || !http_request_user_ok(value, value_len)) {
        return -1;
    }
    memcpy(user, value, value_len);
    user[value_len] = '\0';
    *seen = true;
    return 0;
}

/* The members of the object (its opening brace is next), then its end and the body's. */
static int http_request_object(struct http_request_scan *s, char *user, size_t cap)
{
    bool seen = false;

    s->p++;
    http_request_skip_space(s);
    if (http_request_next_is(s, '}')) {
        s->p++;
    } else {
        for (;;) {
            if (http_request_member(s, user, cap, &seen) < 0) {
                return -1;
            }
            http_request_skip_space(s);
            if (http_request_next_is(s, '}')) {
                s->p++;
                break;
            }
            if (!http_request_next_is(s, ',')) {
                return -1;
            }
            s->p++;
            http_request_skip_space(s);
        }
    }
    http_request_skip_space(s);
    return s->p == s->end ? 0 : -1;
}

int http_request_body_user(const char *body, size_t len, char *user, size_t cap)
{
    struct http_request_scan s = {.p = body, .end = body + len};

    user[0] = '\0';
    http_request_skip_space(&s);
    if (s.p == s.end) {
        return 0;
    }
    if (*s.p != '{' || http_request_object(&s, user, cap) < 0) {
        user[0] = '\0';
        return -1;
    }
    return 0;
}
