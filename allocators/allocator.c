/* What every backend shares: the accounting slow path, starting and stopping an
 * instance, finding a backend by name, and making the process ready for a backend
 * that must be preloaded.
 *
 * The preload story. Debian's libjemalloc and libmimalloc export malloc and free, so
 * linking either replaces malloc for the whole process, and libjemalloc cannot be
 * dlopen'd (its TLS model needs the static TLS block). heaplab therefore never links
 * them. A program that is asked to run such a backend calls
 * hl_allocator_prepare_process first thing in main; if the backend's marker symbol
 * (mallocx, mi_malloc) does not resolve, the program re-executes itself through
 * /proc/self/exe with the library added to LD_PRELOAD. The dynamic loader then binds
 * malloc to that library for the whole new process, and the backend serves the object
 * heap through the library's own entry points (found with dlsym). Two environment
 * variables carry state across the exec:
 *
 *   HEAPLAB_PRELOADED   the backend the exec was for; if it is set and the symbol still
 *                       does not resolve, the preload failed, and we stop instead of
 *                       looping.
 *   HEAPLAB_LD_PRELOAD_BEFORE  LD_PRELOAD as it was before we changed it ("-" if it was
 *                       unset). Once the library is loaded, LD_PRELOAD is put back, so
 *                       that children the program starts (compilers, gnuplot, other
 *                       configurations) do not silently inherit jemalloc or mimalloc.
 *
 * A sanitizer build has the ASan runtime linked in, and ASan insists on being the first
 * library in the initial library list; so when this process has libasan loaded, the
 * preload list starts with that same libasan file, then the allocator.
 *
 * The opposite case matters too: a process that should run `libc`, `pool` or `bump`
 * but inherited a preloaded jemalloc or mimalloc (say from a user's LD_PRELOAD) would
 * measure something else than it claims. prepare_process re-executes it once with the
 * registered preload libraries removed from LD_PRELOAD.
 */
#include "allocators/allocator.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PRELOADED_ENV "HEAPLAB_PRELOADED"
#define BEFORE_ENV "HEAPLAB_LD_PRELOAD_BEFORE"
#define UNSET_MARK "-"

/* Long enough for a sanitizer runtime, the allocator and a user's own preload list. */
#define PRELOAD_MAX 4096

void *hl_alloc_fail(hl_allocator *a) {
    a->failures++;
    return NULL;
}

bool hl_allocator_init(hl_allocator *a, const hl_allocator_ops *ops, const char **error) {
    memset(a, 0, sizeof *a);
    a->ops = ops;
    const char *why = NULL;
    a->state = ops->create(&why);
    if (a->state == NULL) {
        if (error != NULL) *error = why != NULL ? why : "allocator could not start";
        a->ops = NULL;
        return false;
    }
    return true;
}

void hl_allocator_fini(hl_allocator *a) {
    if (a->ops != NULL && a->state != NULL) a->ops->destroy(a->state);
    a->state = NULL;
    a->ops = NULL;
}

void hl_allocator_stats(hl_allocator *a, hl_alloc_stats *out) {
    out->live_bytes = a->live_bytes;
    out->peak_bytes = a->peak_bytes;
    out->allocs = a->allocs;
    out->frees = a->frees;
    out->reallocs = a->reallocs;
    out->failures = a->failures;
    out->resident_bytes =
        a->ops != NULL && a->ops->resident_bytes != NULL ? a->ops->resident_bytes(a->state) : 0;
}

void hl_allocator_begin_iteration(hl_allocator *a) {
    a->allocs = 0;
    a->frees = 0;
    a->reallocs = 0;
    a->failures = 0;
    a->attempts = 0;
    a->peak_bytes = a->live_bytes;
}

bool hl_allocator_rewind(hl_allocator *a) {
    if (a->live_bytes != 0) return false;
    if (a->ops != NULL && a->ops->rewind != NULL) a->ops->rewind(a->state);
    return true;
}

const char *hl_allocator_label(const hl_allocator_ops *ops) {
    return ops->label != NULL ? ops->label : ops->name;
}

bool hl_allocator_runnable(const hl_allocator_ops *ops) {
    return ops->bind == NULL;
}

/* A family's spelling is "<family>:<parameter>": the family is found by the part before
 * the first colon, and binds the rest (which may itself hold colons). */
const hl_allocator_ops *hl_allocator_lookup(const char *name, const char **error) {
    if (error != NULL) *error = NULL;
    if (name == NULL) return NULL;
    const char *colon = strchr(name, ':');
    size_t len = colon != NULL ? (size_t)(colon - name) : strlen(name);
    for (size_t i = 0; hl_allocator_registry[i] != NULL; i++) {
        const hl_allocator_ops *o = hl_allocator_registry[i];
        if (strlen(o->name) != len || strncmp(o->name, name, len) != 0) continue;
        if (o->bind == NULL) return colon == NULL ? o : NULL;
        if (colon == NULL) {
            /* Error text outlives the call; the CLI prints it and exits. */
            static char message[128];
            snprintf(message, sizeof message, "allocator %s needs a %s: %s:%s", o->name,
                     o->parameter, o->name, o->parameter);
            if (error != NULL) *error = message;
            return NULL;
        }
        const char *why = NULL;
        const hl_allocator_ops *bound = o->bind(colon + 1, &why);
        if (bound == NULL && error != NULL) *error = why;
        return bound;
    }
    return NULL;
}

const hl_allocator_ops *hl_allocator_find(const char *name) {
    return hl_allocator_lookup(name, NULL);
}

/* The names list is derived from the const registry once; call_once makes the one
 * write race-free, and the buffer is never written again. */
static char names_buffer[512];
static once_flag names_once = ONCE_FLAG_INIT;

static void build_names(void) {
    size_t used = 0;
    for (size_t i = 0; hl_allocator_registry[i] != NULL; i++) {
        const hl_allocator_ops *o = hl_allocator_registry[i];
        int n = snprintf(names_buffer + used, sizeof names_buffer - used, "%s%s%s%s",
                         i == 0 ? "" : ", ", o->name, o->parameter != NULL ? ":" : "",
                         o->parameter != NULL ? o->parameter : "");
        if (n < 0 || (size_t)n >= sizeof names_buffer - used) break;
        used += (size_t)n;
    }
}

const char *hl_allocator_names(void) {
    call_once(&names_once, build_names);
    return names_buffer;
}

/* dl_iterate_phdr callback: remember the path of a loaded ASan runtime. */
struct asan_search {
    char path[PATH_MAX];
    bool found;
};

static int find_asan(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct asan_search *s = data;
    const char *name = info->dlpi_name;
    if (name == NULL || name[0] == '\0') return 0;
    const char *base = strrchr(name, '/');
    base = base != NULL ? base + 1 : name;
    if (strncmp(base, "libasan", 7) == 0 && strstr(base, ".so") != NULL) {
        snprintf(s->path, sizeof s->path, "%s", name);
        s->found = true;
        return 1;
    }
    return 0;
}

/* Is `entry` one of the libraries some registered backend preloads? Compared as real
 * paths, since LD_PRELOAD may name a symlink (libmimalloc.so.2 -> libmimalloc.so.2.0). */
static bool is_registered_preload(const char *entry, size_t len) {
    char path[PATH_MAX], real_entry[PATH_MAX], real_so[PATH_MAX];
    if (len >= sizeof path) return false;
    memcpy(path, entry, len);
    path[len] = '\0';
    bool resolved = realpath(path, real_entry) != NULL;
    for (size_t i = 0; hl_allocator_registry[i] != NULL; i++) {
        const char *so = hl_allocator_registry[i]->preload;
        if (so == NULL) continue;
        if (strcmp(so, path) == 0) return true;
        if (resolved && realpath(so, real_so) != NULL && strcmp(real_so, real_entry) == 0)
            return true;
    }
    return false;
}

/* Append `entry` (len bytes) to a colon-separated list; false when it does not fit. */
static bool append_entry(char *list, size_t cap, const char *entry, size_t len) {
    size_t used = strlen(list);
    size_t need = len + (used > 0 ? 1 : 0);
    if (used + need + 1 > cap) return false;
    if (used > 0) list[used++] = ':';
    memcpy(list + used, entry, len);
    list[used + len] = '\0';
    return true;
}

/* The LD_PRELOAD the user gave us, before heaplab touched it. */
static const char *original_ld_preload(void) {
    const char *before = getenv(BEFORE_ENV);
    if (before != NULL) return strcmp(before, UNSET_MARK) == 0 ? NULL : before;
    return getenv("LD_PRELOAD");
}

/* Build "<asan>:<so>:<the user's other entries>" into out; an entry that names a
 * registered allocator library or the sanitizer runtime is not repeated. `so` may be
 * NULL (the list then only drops foreign allocator libraries). */
static bool build_preload(char *out, size_t cap, const char *so) {
    out[0] = '\0';
    struct asan_search asan = {.found = false};
    dl_iterate_phdr(find_asan, &asan);
    if (asan.found && !append_entry(out, cap, asan.path, strlen(asan.path))) return false;
    if (so != NULL && !append_entry(out, cap, so, strlen(so))) return false;
    const char *rest = original_ld_preload();
    while (rest != NULL && *rest != '\0') {
        /* ld.so separates entries by colons or spaces. */
        size_t len = strcspn(rest, ": ");
        bool same_asan =
            asan.found && len == strlen(asan.path) && strncmp(rest, asan.path, len) == 0;
        if (len > 0 && !same_asan && !is_registered_preload(rest, len) &&
            !append_entry(out, cap, rest, len))
            return false;
        rest += len;
        rest += strspn(rest, ": ");
    }
    return true;
}

#if defined(HEAPLAB_SANITIZE)
/* LeakSanitizer's suppressions: leaks whose stack passes through the preloaded library
 * under test. Some allocators keep a block from their own start-up for the process's
 * life (tcmalloc registers its MallocExtension with operator new and never deletes it);
 * that is the library's, not heaplab's, and heaplab's object heap goes through the
 * library's own entry points, which LeakSanitizer does not track anyway. LSan reads
 * this when it checks, at exit, so it is filled in once the library is known to be in. */
static char lsan_suppressions[2 * PATH_MAX + 32];

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
    return lsan_suppressions;
}

/* Without this LSan lists the suppressions it used on stderr at every exit, which would
 * add lines to the one-line messages the tests check. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) {
    return "print_suppressions=0";
}

static void suppress_library_leaks(const char *so) {
    char real[PATH_MAX];
    const char *base = strrchr(so, '/');
    const char *real_base = realpath(so, real) != NULL ? strrchr(real, '/') : NULL;
    snprintf(lsan_suppressions, sizeof lsan_suppressions, "leak:%s\nleak:%s\n",
             base != NULL ? base + 1 : so, real_base != NULL ? real_base + 1 : so);
}
#else
static void suppress_library_leaks(const char *so) {
    (void)so;
}
#endif

/* Static storage by the interface's contract (the string outlives the call); it is
 * only used between main's start and an exec, before any thread exists. */
static char preload_env_buffer[PRELOAD_MAX];

const char *hl_allocator_preload_env(const hl_allocator_ops *ops) {
    if (ops == NULL || ops->preload == NULL) return NULL;
    if (!build_preload(preload_env_buffer, sizeof preload_env_buffer, ops->preload)) return NULL;
    return preload_env_buffer;
}

/* Put LD_PRELOAD back as the user had it, so children do not inherit our choice. */
static void restore_ld_preload(void) {
    const char *before = getenv(BEFORE_ENV);
    if (before == NULL) return;
    if (strcmp(before, UNSET_MARK) == 0)
        unsetenv("LD_PRELOAD");
    else
        setenv("LD_PRELOAD", before, 1);
    unsetenv(BEFORE_ENV);
}

/* dl_iterate_phdr callback: whether the library at `path` (a real path) is loaded. */
struct library_search {
    const char *real;
    bool found;
};

static int find_library(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct library_search *s = data;
    char real[PATH_MAX];
    if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0') return 0;
    if (realpath(info->dlpi_name, real) != NULL && strcmp(real, s->real) == 0) {
        s->found = true;
        return 1;
    }
    return 0;
}

static bool same_file(const char *a, const char *b) {
    char ra[PATH_MAX], rb[PATH_MAX];
    if (strcmp(a, b) == 0) return true;
    return realpath(a, ra) != NULL && realpath(b, rb) != NULL && strcmp(ra, rb) == 0;
}

/* Whether `ops`'s library is live in this process: its marker symbol resolves, or, for
 * a backend without one (preload:PATH, whose only symbol is malloc, which always
 * resolves), the file itself is among the loaded objects. */
static bool preload_loaded(const hl_allocator_ops *ops) {
    if (ops->preload_symbol != NULL) return dlsym(RTLD_DEFAULT, ops->preload_symbol) != NULL;
    char real[PATH_MAX];
    if (realpath(ops->preload, real) == NULL) return false;
    struct library_search s = {.real = real, .found = false};
    dl_iterate_phdr(find_library, &s);
    return s.found;
}

/* Which other registered preload library is live in this process, or NULL. A marker
 * symbol that comes from `ops`'s own library is not foreign: preload:PATH given
 * libtcmalloc_minimal's path loads tc_malloc too, and that is the library asked for. */
static const hl_allocator_ops *foreign_preload_loaded(const hl_allocator_ops *ops) {
    for (size_t i = 0; hl_allocator_registry[i] != NULL; i++) {
        const hl_allocator_ops *o = hl_allocator_registry[i];
        if (o == ops || o->preload_symbol == NULL) continue;
        void *sym = dlsym(RTLD_DEFAULT, o->preload_symbol);
        if (sym == NULL) continue;
        Dl_info info;
        if (ops->preload != NULL && dladdr(sym, &info) != 0 && info.dli_fname != NULL &&
            same_file(info.dli_fname, ops->preload))
            continue;
        return o;
    }
    return NULL;
}

/* Whether this same program starts with `ld_preload` preloaded and does something
 * trivial (`list presets`; false: *signal_number killed it). */
static bool preload_starts(const char *ld_preload, int *signal_number) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return true; /* no probe: let the exec tell */
    if (pid == 0) {
        setenv("LD_PRELOAD", ld_preload, 1);
        int null_fd = open("/dev/null", O_WRONLY);
        if (null_fd >= 0) {
            dup2(null_fd, STDOUT_FILENO);
            dup2(null_fd, STDERR_FILENO);
        }
        char *const args[] = {"heaplab", "list", "presets", NULL};
        execv("/proc/self/exe", args);
        _exit(0); /* cannot exec: no probe (the exec that follows will tell) */
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return true;
    if (WIFSIGNALED(status)) {
        *signal_number = WTERMSIG(status);
        return false;
    }
    return true;
}

static bool reexec(char **argv, const char *ld_preload, const char *tag, const char **error) {
    if (getenv(BEFORE_ENV) == NULL) {
        const char *now = getenv("LD_PRELOAD");
        setenv(BEFORE_ENV, now != NULL ? now : UNSET_MARK, 1);
    }
    if (ld_preload[0] == '\0')
        unsetenv("LD_PRELOAD");
    else
        setenv("LD_PRELOAD", ld_preload, 1);
    setenv(PRELOADED_ENV, tag, 1);
    fflush(NULL);
    execv("/proc/self/exe", argv);
    if (error != NULL) *error = "cannot re-execute /proc/self/exe to preload the allocator";
    return false;
}

bool hl_allocator_prepare_process(const hl_allocator_ops *ops, char **argv, const char **error) {
    /* Error text outlives the call (errors are returned as strings); main reports it
     * and exits, so one buffer is enough. */
    static char message[512];
    const char *tag = getenv(PRELOADED_ENV);
    const hl_allocator_ops *foreign = foreign_preload_loaded(ops);

    if (ops->preload == NULL) {
        if (foreign == NULL) {
            restore_ld_preload();
            unsetenv(PRELOADED_ENV);
            return true;
        }
        /* A preloaded jemalloc or mimalloc would serve this backend's malloc. */
        if (tag != NULL && strcmp(tag, ops->name) == 0) {
            snprintf(message, sizeof message,
                     "allocator %s: %s is still loaded after removing it from LD_PRELOAD",
                     ops->name, foreign->name);
            if (error != NULL) *error = message;
            return false;
        }
        char list[PRELOAD_MAX];
        if (!build_preload(list, sizeof list, NULL)) {
            if (error != NULL) *error = "LD_PRELOAD is too long to rewrite";
            return false;
        }
        return reexec(argv, list, ops->name, error);
    }

    if (preload_loaded(ops) && foreign == NULL) {
        suppress_library_leaks(ops->preload);
        restore_ld_preload();
        unsetenv(PRELOADED_ENV);
        return true;
    }
    if (tag != NULL && strcmp(tag, ops->name) == 0) {
        if (foreign != NULL)
            snprintf(message, sizeof message,
                     "allocator %s: %s is still loaded after removing it from LD_PRELOAD",
                     ops->name, foreign->name);
        else
            snprintf(message, sizeof message, "allocator %s: preloading %s did not provide %s",
                     ops->name, ops->preload,
                     ops->preload_symbol != NULL ? ops->preload_symbol : "the library");
        if (error != NULL) *error = message;
        return false;
    }
    if (access(ops->preload, R_OK) != 0) {
        snprintf(message, sizeof message, "allocator %s: cannot read %s", ops->name, ops->preload);
        if (error != NULL) *error = message;
        return false;
    }
    const char *list = hl_allocator_preload_env(ops);
    if (list == NULL) {
        if (error != NULL) *error = "LD_PRELOAD is too long to add the allocator";
        return false;
    }
    /* Under an address-space limit a preloaded allocator may abort while it starts
     * (mimalloc reserves its arenas at load, under ulimit -v 20000 it dies silently):
     * try it first in a throwaway program, so a refusal is one line, not SIGABRT. */
    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
        int signal_number = 0;
        if (!preload_starts(list, &signal_number)) {
            snprintf(message, sizeof message,
                     "it cannot start under the address-space limit (ulimit -v "
                     "%llu KiB): preloaded, this program was killed by signal %d as it started",
                     (unsigned long long)(as.rlim_cur / 1024), signal_number);
            if (error != NULL) *error = message;
            return false;
        }
    }
    return reexec(argv, list, ops->name, error);
}
