#define LOG_MODULE "server"
#include "server_privs.h"

#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Room for one passwd or group entry (getpwnam_r(), getgrnam_r()): a group with many members
 * needs more than sysconf()'s usual hint. */
#define SERVER_PRIVS_ENTRY_BYTES 65536

/* Turns core dumps off: a core file would hold the secrets and passwords in memory. */
static int server_privs_no_core(char err[SERVER_PRIVS_ERR_LEN])
{
    struct rlimit zero = {0, 0};

    if (setrlimit(RLIMIT_CORE, &zero) < 0) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN, "setrlimit(RLIMIT_CORE, 0) failed: %s",
                       strerror(errno));
        return -1;
    }
    /* Not dumpable also keeps other processes of the same user from reading our memory through
     * ptrace or /proc/PID/mem. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN, "prctl(PR_SET_DUMPABLE, 0) failed: %s",
                       strerror(errno));
        return -1;
    }
    return 0;
}

/* Sets p->uid and p->gid from the user name (and the group's, when given). */
static int server_privs_lookup(struct server_privs *p, const char *group,
                               char err[SERVER_PRIVS_ERR_LEN])
{
    char *buf = xmalloc(SERVER_PRIVS_ENTRY_BYTES);
    struct passwd pw;
    struct passwd *pw_found = NULL;
    struct group gr;
    struct group *gr_found = NULL;
    int rc = -1;

    int e = getpwnam_r(p->user_name, &pw, buf, SERVER_PRIVS_ENTRY_BYTES, &pw_found);
    if (pw_found == NULL) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN, "server.user: no user \"%s\" on this system%s%s",
                       p->user_name, e != 0 ? ": " : "", e != 0 ? strerror(e) : "");
        goto out_free;
    }
    p->uid = pw.pw_uid;
    p->gid = pw.pw_gid;
    if (group != NULL) {
        e = getgrnam_r(group, &gr, buf, SERVER_PRIVS_ENTRY_BYTES, &gr_found);
        if (gr_found == NULL) {
            (void)snprintf(err, SERVER_PRIVS_ERR_LEN,
                           "server.group: no group \"%s\" on this system%s%s", group,
                           e != 0 ? ": " : "", e != 0 ? strerror(e) : "");
            goto out_free;
        }
        p->gid = gr.gr_gid;
    }
    rc = 0;
out_free:
    xfree(&buf);
    return rc;
}

/* Decides what the drop will do for a configured user. */
static int server_privs_plan_user(struct server_privs *p, const struct server_options *o,
                                  char err[SERVER_PRIVS_ERR_LEN])
{
    uid_t euid = geteuid();

    if (server_privs_lookup(p, o->group, err) < 0) {
        return -1;
    }
    if (p->uid == 0 && !o->allow_root) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN,
                       "server.user \"%s\" is root (uid 0): name an unprivileged account, or set "
                       "server.allow_root = true",
                       p->user_name);
        return -1;
    }
    if (euid != 0 && (euid != p->uid || getegid() != p->gid)) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN,
                       "server.user \"%s\" (uid %u, gid %u) is set but ternd runs as uid %u, gid "
                       "%u: only root can switch; start ternd as root, or as that user",
                       p->user_name, (unsigned)p->uid, (unsigned)p->gid, (unsigned)euid,
                       (unsigned)getegid());
        return -1;
    }
    p->switch_user = euid == 0 && p->uid != 0;
    return 0;
}

int server_privs_prepare(struct server_privs *p, const struct server_options *o,
                         char err[SERVER_PRIVS_ERR_LEN])
{
    *p = (struct server_privs){
        .user_name = o->user,
        .uid = geteuid(),
        .gid = getegid(),
        .core_dumps = o->core_dumps,
    };
    if (!o->core_dumps && server_privs_no_core(err) < 0) {
        return -1;
    }
    /* No execve() can grant privileges from here on (setuid binaries, file capabilities). The flag
     * is per thread and inherited: set now, before any thread exists, it holds for all. setuid()
     * is not execve(): the switch still works under it. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN, "prctl(PR_SET_NO_NEW_PRIVS) failed: %s",
                       strerror(errno));
        return -1;
    }
    if (o->user != NULL) {
        return server_privs_plan_user(p, o, err);
    }
    if (p->uid == 0 && !o->allow_root) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN,
                       "ternd was started as root and server.user is not set: set server.user "
                       "(and server.group) to the account to switch to once the ports are open, "
                       "or set server.allow_root = true (--allow-root) to relay as root");
        return -1;
    }
    if (p->uid == 0) {
        log_warn("relaying as root (server.allow_root = true): set server.user to drop privileges");
    }
    return 0;
}

/* Clears every capability set of the calling thread (capabilities are per thread in Linux).
 * Lowering them needs no privilege. */
static int server_privs_clear_caps(void)
{
    struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

    memset(data, 0, sizeof(data));
    /* The ambient set may be absent on old kernels (EINVAL): nothing to clear there. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
        return -1;
    }
    return syscall(SYS_capset, &head, data) < 0 ? -1 : 0;
}

/* True when the calling thread holds a capability in its permitted or effective set. */
static bool server_privs_has_caps(void)
{
    struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

    memset(data, 0, sizeof(data));
    if (syscall(SYS_capget, &head, data) < 0) {
        return true;
    }
    for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
        if (data[i].permitted != 0 || data[i].effective != 0) {
            return true;
        }
    }
    return false;
}

/* A job on a worker's thread: clears its capabilities. arg: an int set to -1 on failure. */
static void server_privs_worker_job(struct net_worker *w, void *arg)
{
    int *failed = arg;

    (void)w;
    if (server_privs_clear_caps() < 0 || server_privs_has_caps()) {
        *failed = -1;
    }
}

/* Switches groups, group and user. glibc's setgroups(), setresgid() and setresuid() apply to
 * every thread of the process (nptl signals each thread to make the same system call), so the
 * workers, the HTTP thread and the usage writer switch with this one; the kernel then clears
 * each thread's capabilities as its ids leave 0 (PR_SET_KEEPCAPS is off). */
static int server_privs_switch(const struct server_privs *p, char err[SERVER_PRIVS_ERR_LEN])
{
    const char *call = NULL;

    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
        call = "prctl(PR_SET_KEEPCAPS, 0)";
    } else if (initgroups(p->user_name, p->gid) < 0) {
        call = "initgroups()";
    } else if (setresgid(p->gid, p->gid, p->gid) < 0) {
        call = "setresgid()";
    } else if (setresuid(p->uid, p->uid, p->uid) < 0) {
        call = "setresuid()";
    }
    if (call != NULL) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN, "%s to user %s (uid %u, gid %u) failed: %s", call,
                       p->user_name, (unsigned)p->uid, (unsigned)p->gid, strerror(errno));
        return -1;
    }
    return 0;
}

/* Checks that the switch holds: every id is the target's and root cannot be taken back. */
static int server_privs_verify(const struct server_privs *p, char err[SERVER_PRIVS_ERR_LEN])
{
    uid_t r;
    uid_t e;
    uid_t s;
    gid_t rg;
    gid_t eg;
    gid_t sg;

    if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0 || r != p->uid || e != p->uid ||
        s != p->uid || rg != p->gid || eg != p->gid || sg != p->gid) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN, "the switch to uid %u, gid %u did not hold",
                       (unsigned)p->uid, (unsigned)p->gid);
        return -1;
    }
    /* Both must fail with EPERM: a process that could take root back has dropped nothing. */
    if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN,
                       "root could be regained after the switch to uid "
                       "%u",
                       (unsigned)p->uid);
        return -1;
    }
    return 0;
}

/* Leaves no capability in this thread and in the workers' threads. */
static int server_privs_drop_caps(struct net_worker *const *workers, unsigned count,
                                  char err[SERVER_PRIVS_ERR_LEN])
{
    int failed = 0;

    if (server_privs_clear_caps() < 0 || server_privs_has_caps()) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN, "dropping capabilities (capset()) failed: %s",
                       strerror(errno));
        return -1;
    }
    for (unsigned i = 0; i < count; i++) {
        if (net_worker_call(workers[i], server_privs_worker_job, &failed) < 0 || failed < 0) {
            (void)snprintf(err, SERVER_PRIVS_ERR_LEN,
                           "dropping the capabilities of worker %u failed", i);
            return -1;
        }
    }
    return 0;
}

int server_step_drop_privileges(const struct server_privs *p, struct net_worker *const *workers,
                                unsigned count, char err[SERVER_PRIVS_ERR_LEN])
{
    if (p->uid == 0) {
        /* server.allow_root: the operator chose to relay as root. */
        return 0;
    }
    if (p->switch_user && (server_privs_switch(p, err) < 0 || server_privs_verify(p, err) < 0)) {
        return -1;
    }
    /* After a switch the kernel has cleared them already; started as a user with capabilities
     * (AmbientCapabilities, a file capability) they are dropped here. */
    if (server_privs_drop_caps(workers, count, err) < 0) {
        return -1;
    }
    /* A change of ids resets the dumpable flag: set it to what the operator asked. */
    if (prctl(PR_SET_DUMPABLE, p->core_dumps ? 1 : 0, 0, 0, 0) < 0) {
        (void)snprintf(err, SERVER_PRIVS_ERR_LEN, "prctl(PR_SET_DUMPABLE) failed: %s",
                       strerror(errno));
        return -1;
    }
    if (p->switch_user) {
        log_notice("running as user %s (uid %u, gid %u), with no capability", p->user_name,
                   (unsigned)p->uid, (unsigned)p->gid);
    }
    return 0;
}
