#include "auth/auth_revoked.h"

#include "auth/auth_rest.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct auth_revoked_entry {
    char *name; /* owned, NUL-terminated */
    size_t len;
    int64_t until_s;
};

struct auth_revoked {
    struct auth_revoked_entry *entries;
    size_t count;
    size_t cap;
    bool sealed;
};

struct auth_revoked *auth_revoked_new(void)
{
    return xcalloc(1, sizeof(struct auth_revoked));
}

void auth_revoked_free(struct auth_revoked *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->count; i++) {
        xfree(&r->entries[i].name);
    }
    xfree(&r->entries);
    xfree(&r);
}

struct auth_revoked *auth_revoked_copy(const struct auth_revoked *r)
{
    struct auth_revoked *c = auth_revoked_new();

    for (size_t i = 0; r != NULL && i < r->count; i++) {
        (void)auth_revoked_add(c, r->entries[i].name, r->entries[i].len, r->entries[i].until_s);
    }
    auth_revoked_seal(c);
    return c;
}

/* Orders names as memcmp does, a prefix before its extensions. */
static int auth_revoked_name_cmp(const char *a, size_t a_len, const char *b, size_t b_len)
{
    int c = memcmp(a, b, a_len < b_len ? a_len : b_len);

    if (c != 0) {
        return c;
    }
    return (a_len > b_len) - (a_len < b_len);
}

static int auth_revoked_entry_cmp(const void *a, const void *b)
{
    const struct auth_revoked_entry *ea = a;
    const struct auth_revoked_entry *eb = b;

    return auth_revoked_name_cmp(ea->name, ea->len, eb->name, eb->len);
}

int auth_revoked_add(struct auth_revoked *r, const char *name, size_t len, int64_t until_s)
{
    if (r->sealed || len == 0 || len > AUTH_REVOKED_NAME_MAX || r->count >= AUTH_REVOKED_MAX) {
        return -1;
    }
    if (r->count == r->cap) {
        r->cap = r->cap == 0 ? 16 : r->cap * 2;
        r->entries = xrealloc(r->entries, r->cap * sizeof(*r->entries));
    }
    struct auth_revoked_entry *e = &r->entries[r->count++];

    e->name = xmalloc(len + 1);
    memcpy(e->name, name, len);
    e->name[len] = '\0';
    e->len = len;
    e->until_s = until_s;
    return 0;
}

void auth_revoked_seal(struct auth_revoked *r)
{
    size_t kept = 0;

    if (r->count > 1) {
        qsort(r->entries, r->count, sizeof(*r->entries), auth_revoked_entry_cmp);
    }
    /* Duplicates keep the later moment. */
    for (size_t i = 0; i < r->count; i++) {
        struct auth_revoked_entry *e = &r->entries[i];
        if (kept > 0 && auth_revoked_entry_cmp(&r->entries[kept - 1], e) == 0) {
            if (e->until_s > r->entries[kept - 1].until_s) {
                r->entries[kept - 1].until_s = e->until_s;
            }
            xfree(&e->name);
            continue;
        }
        r->entries[kept++] = *e;
    }
    r->count = kept;
    r->sealed = true;
}

/* Binary search of a sealed set. Returns the entry or NULL. */
static const struct auth_revoked_entry *auth_revoked_find(const struct auth_revoked *r,
                                                          const char *name, size_t len)
{
    size_t lo = 0;
    size_t hi = r->sealed ? r->count : 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct auth_revoked_entry *e = &r->entries[mid];
        int c = auth_revoked_name_cmp(name, len, e->name, e->len);
        if (c == 0) {
            return e;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

bool auth_revoked_holds(const struct auth_revoked *r, const char *name, size_t len, int64_t now_s)
{
    const struct auth_revoked_entry *e = r != NULL ? auth_revoked_find(r, name, len) : NULL;

    return e != NULL && now_s < e->until_s;
}

bool auth_revoked_has(const struct auth_revoked *r, const char *username, size_t len, int64_t now_s)
{
    struct auth_rest_username u;

    if (r == NULL || r->count == 0) {
        return false;
    }
    if (auth_revoked_holds(r, username, len, now_s)) {
        return true;
    }
    return auth_rest_parse(&u, username, len) == 0 && u.user != NULL &&
           auth_revoked_holds(r, u.user, u.user_len, now_s);
}

size_t auth_revoked_count(const struct auth_revoked *r)
{
    return r != NULL ? r->count : 0;
}

const char *auth_revoked_name(const struct auth_revoked *r, size_t i, int64_t *until_s)
{
    *until_s = r->entries[i].until_s;
    return r->entries[i].name;
}
