#include "conf/conf_reload.h"

#include "conf/conf_table.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

/* Keys a reload applies live, by full path or by a group prefix ending in '.'. Everything else is
 * a property of sockets or threads made at start-up. */
static const char *const conf_reload_live_keys[] = {
    "server.log_level",
    "server.software",
    "server.drain_timeout_s",
    "server.stop_timeout_s",
    "auth.",
    "turn.",
    "peers.",
    "tls.cert",
    "tls.key",
};

bool conf_reload_is_live(const char *path)
{
    for (size_t i = 0; i < sizeof(conf_reload_live_keys) / sizeof(conf_reload_live_keys[0]); i++) {
        const char *k = conf_reload_live_keys[i];
        size_t n = strlen(k);

        if (k[n - 1] == '.' ? strncmp(path, k, n) == 0 : strcmp(path, k) == 0) {
            return true;
        }
    }
    return false;
}

/* Writes the value of row in c, secrets in the clear, into a heap string (free it with
 * conf_reload_forget()). Returns NULL when memory runs out. */
static char *conf_reload_text(const struct conf_table_row *row, const struct conf *c, size_t *len)
{
    struct conf_table_row clear = *row;
    char *text = NULL;
    FILE *out = open_memstream(&text, len);

    if (out == NULL) {
        return NULL;
    }
    clear.flags &= ~CONF_TABLE_SECRET;
    clear.kind->print(&clear, c, out);
    if (fclose(out) != 0) {
        xfree(&text);
        return NULL;
    }
    return text;
}

/* Wipes and frees a text of conf_reload_text(): it may hold a secret. */
static void conf_reload_forget(char *text, size_t len)
{
    if (text != NULL) {
        explicit_bzero(text, len);
        xfree(&text);
    }
}

/* True when row has another value in a than in b. A value that cannot be written counts as
 * changed. */
static bool conf_reload_differs(const struct conf_table_row *row, const struct conf *a,
                                const struct conf *b)
{
    size_t alen = 0;
    size_t blen = 0;
    char *at = conf_reload_text(row, a, &alen);
    char *bt = conf_reload_text(row, b, &blen);
    bool differs = at == NULL || bt == NULL || alen != blen || memcmp(at, bt, alen) != 0;

    conf_reload_forget(at, alen);
    conf_reload_forget(bt, blen);
    return differs;
}

/* Puts the value of row in running back into fresh (an owned copy). */
static void conf_reload_restore(const struct conf_table_row *row, struct conf *fresh,
                                const struct conf *running)
{
    size_t bytes = row->capacity > 0 ? row->size * row->capacity : row->size;

    if (row->kind->fini != NULL) {
        row->kind->fini(row, fresh);
    }
    memcpy(conf_table_field(row, fresh), conf_table_cfield(row, running), bytes);
    if (row->capacity > 0) {
        *conf_table_count(row, fresh) = conf_table_ccount(row, running);
    }
    if (row->kind->copy != NULL) {
        row->kind->copy(row, fresh);
    }
}

size_t conf_reload_merge(struct conf *fresh, const struct conf *running, conf_reload_note_cb note,
                         void *ctx)
{
    size_t n;
    const struct conf_table_row *rows = conf_table_rows(&n);
    size_t changed = 0;

    for (size_t i = 0; i < n; i++) {
        const struct conf_table_row *row = &rows[i];
        bool live = conf_reload_is_live(row->path);

        if (!conf_reload_differs(row, fresh, running)) {
            continue;
        }
        changed++;
        if (note != NULL) {
            note(ctx, row->path, live);
        }
        if (!live) {
            conf_reload_restore(row, fresh, running);
        }
    }
    return changed;
}
