/*
 * Replays a fuzz corpus through LLVMFuzzerTestOneInput() without libFuzzer,
 * so `make check` runs every target over its corpus with gcc and the
 * sanitizers. The corpus directory is argv[1], or FUZZ_CORPUS_DIR. Prints
 * one TAP line per file; a missing or empty directory fails. Each input is
 * copied into a heap block of exactly its size, so an overread is caught.
 */
#include "tap.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The largest input replayed: libFuzzer's default -max_len is far below. */
#define REPLAY_MAX_FILE ((off_t)1024 * 1024)

/* Reads path into a block of its size and runs the target on it. Returns 0 or -1. */
static int replay_file(const char *path, size_t size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    int rc = -1;

    if (f == NULL) {
        return -1;
    }
    data = xmalloc(size > 0 ? size : 1);
    if (fread(data, 1, size, f) == size) {
        (void)LLVMFuzzerTestOneInput(data, size);
        rc = 0;
    }
    xfree(&data);
    (void)fclose(f);
    return rc;
}

static int replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0;

    if (d == NULL) {
        TAP_CHECK(false, "open corpus directory %s", dir);
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;

        if (e->d_name[0] == '.') {
            continue;
        }
        int n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        bool fits = st.st_size <= REPLAY_MAX_FILE;
        TAP_CHECK(fits && replay_file(path, (size_t)st.st_size) == 0, "%s", e->d_name);
        files++;
    }
    (void)closedir(d);
    return files;
}

int main(int argc, char **argv)
{
#ifdef FUZZ_CORPUS_DIR
    const char *dir = FUZZ_CORPUS_DIR;
#else
    const char *dir = NULL;
#endif

    if (argc > 1) {
        dir = argv[1];
    }
    if (dir == NULL) {
        TAP_CHECK(false, "a corpus directory is given (argv[1] or FUZZ_CORPUS_DIR)");
        return tap_done();
    }
    int files = replay_dir(dir);
    TAP_CHECK(files > 0, "corpus %s holds %d files", dir, files);
    return tap_done();
}
