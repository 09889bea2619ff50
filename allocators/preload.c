/* `preload:PATH`: any shared library that exports malloc, preloaded into the process
 * (mimalloc-bench's --external).
 *
 * The registry entry is a family: `preload` alone is not runnable, and
 * hl_allocator_find("preload:PATH") calls preload_bind, which checks PATH and returns a
 * backend of its own, kept in a small static table so the same spelling gives the same
 * pointer. Its name is "preload:" plus PATH made absolute (the spelling a batch passes
 * to its children, which may run elsewhere); its label, what the rows, slugs and
 * charts show, is PATH's file name as given (libtcmalloc_minimal.so.4), which never
 * holds a '/'. hl_allocator_prepare_process then re-executes the program with PATH in
 * LD_PRELOAD like any preloaded backend; it has no marker symbol (malloc resolves in
 * every process), so it knows the library is in by finding the file among the loaded
 * objects.
 *
 * The check before anything runs reads the file's ELF dynamic symbol table instead of
 * dlopen'ing it: a dlopen would run the library's constructors in the checking process,
 * and some allocators cannot be dlopen'd at all (Debian's libjemalloc: "cannot allocate
 * memory in static TLS block") while preloading them works. PATH must be a regular
 * file, a 64-bit ELF shared object (ET_DYN), with a defined `malloc` function in its
 * .dynsym. Anything else is one line (the CLI makes it a usage error).
 *
 * The object heap goes through plain malloc, free and realloc, which are then the
 * library's (no sized free: a generic malloc has none). Requests below 16 bytes are made
 * as 16, since some mallocs keep an 8-byte class that is only 8-byte aligned; a block
 * that still comes back misaligned is given back and the request made again with
 * posix_memalign. There is no resident figure (0): heaplab cannot know an unknown
 * library's statistics call. The version is what the real file name says after ".so."
 * (libtcmalloc_minimal.so.4.5.10 gives 4.5.10), else "unknown".
 */
#include "allocators/allocator.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* How many different preload:PATH spellings one process can bind. */
#define PRELOAD_SLOTS 8

static inline size_t at_least_quantum(size_t size) {
    return size < HL_ALLOC_ALIGNMENT ? HL_ALLOC_ALIGNMENT : size;
}

static int preload_token;

static void *preload_create(const char **error) {
    (void)error;
    return &preload_token;
}

static void preload_destroy(void *state) {
    (void)state;
}

static void *preload_alloc(void *state, size_t size) {
    (void)state;
    void *p = malloc(at_least_quantum(size));
    if (p == NULL || (uintptr_t)p % HL_ALLOC_ALIGNMENT == 0) return p;
    free(p);
    return posix_memalign(&p, HL_ALLOC_ALIGNMENT, size) == 0 ? p : NULL;
}

static void preload_free(void *state, void *ptr, size_t size) {
    (void)state;
    (void)size;
    free(ptr);
}

static void *preload_realloc(void *state, void *ptr, size_t old_size, size_t new_size) {
    (void)state;
    void *p = realloc(ptr, at_least_quantum(new_size));
    if (p == NULL || (uintptr_t)p % HL_ALLOC_ALIGNMENT == 0) return p;
    /* Misaligned: move it to an aligned block (realloc kept the contents). */
    void *q = NULL;
    if (posix_memalign(&q, HL_ALLOC_ALIGNMENT, new_size) != 0) {
        /* The contents now live only in p, so p is returned, misaligned, rather than lost;
         * the conformance suite's alignment checks fail on a library that does this. */
        return p;
    }
    memcpy(q, p, old_size < new_size ? old_size : new_size);
    free(p);
    return q;
}

/* --- the ELF check --------------------------------------------------------------- */

/* Whether the mapped ELF image (len bytes) defines a global or weak function `malloc`
 * in its dynamic symbol table. Every offset is checked against len. */
static const char *elf_exports_malloc(const unsigned char *image, size_t len) {
    const char *not_elf = "not an ELF shared library";
    if (len < sizeof(Elf64_Ehdr) || memcmp(image, ELFMAG, SELFMAG) != 0) return not_elf;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
    if (image[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_DYN) return not_elf;
    if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > len ||
        (size_t)eh->e_shnum > (len - eh->e_shoff) / sizeof(Elf64_Shdr))
        return "an ELF file without section headers (cannot read its symbols)";
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(image + eh->e_shoff);
    for (size_t i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum) continue;
        const Elf64_Shdr *strtab = &sh[sh[i].sh_link];
        if (sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset ||
            strtab->sh_offset > len || strtab->sh_size > len - strtab->sh_offset)
            return not_elf;
        const Elf64_Sym *sym = (const Elf64_Sym *)(image + sh[i].sh_offset);
        const char *names = (const char *)(image + strtab->sh_offset);
        size_t count = sh[i].sh_size / sizeof(Elf64_Sym);
        for (size_t k = 0; k < count; k++) {
            if (sym[k].st_name >= strtab->sh_size) continue;
            const char *name = names + sym[k].st_name;
            size_t room = strtab->sh_size - sym[k].st_name;
            if (strnlen(name, room) != 6 || memcmp(name, "malloc", 6) != 0) continue;
            int type = ELF64_ST_TYPE(sym[k].st_info), bind = ELF64_ST_BIND(sym[k].st_info);
            if (sym[k].st_shndx != SHN_UNDEF && (type == STT_FUNC || type == STT_GNU_IFUNC) &&
                (bind == STB_GLOBAL || bind == STB_WEAK))
                return NULL;
        }
    }
    return "does not export malloc";
}

/* NULL when `path` is a preloadable malloc; else why not, in a few words. */
static const char *check_library(const char *path, char *buffer, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(buffer, size, "cannot open it: %s", strerror(errno));
        return buffer;
    }
    struct stat st;
    const char *why = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        why = "not a regular file";
    } else if (st.st_size == 0) {
        why = "not an ELF shared library";
    } else {
        void *image = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (image == MAP_FAILED) {
            snprintf(buffer, size, "cannot read it: %s", strerror(errno));
            why = buffer;
        } else {
            why = elf_exports_malloc(image, (size_t)st.st_size);
            munmap(image, (size_t)st.st_size);
        }
    }
    close(fd);
    return why;
}

/* --- binding ------------------------------------------------------------------- */

typedef struct preload_slot {
    hl_allocator_ops ops;
    char name[PATH_MAX + 16];
    char label[NAME_MAX + 1];
    char summary[PATH_MAX + 128];
    char version[64];
} preload_slot;

static preload_slot slots[PRELOAD_SLOTS];
static size_t slot_count;

/* version() takes no argument, so each slot has its own small function. */
#define SLOT_VERSION(n)                                                                            \
    static const char *slot_version_##n(void) {                                                    \
        return slots[n].version;                                                                   \
    }
SLOT_VERSION(0)
SLOT_VERSION(1)
SLOT_VERSION(2)
SLOT_VERSION(3)
SLOT_VERSION(4)
SLOT_VERSION(5)
SLOT_VERSION(6)
SLOT_VERSION(7)
static const char *(*const slot_versions[PRELOAD_SLOTS])(void) = {
    slot_version_0, slot_version_1, slot_version_2, slot_version_3,
    slot_version_4, slot_version_5, slot_version_6, slot_version_7,
};

static void file_version(const char *path, char *out, size_t size) {
    char real[PATH_MAX];
    const char *base = realpath(path, real) != NULL ? strrchr(real, '/') : NULL;
    const char *so = base != NULL ? strstr(base, ".so.") : NULL;
    snprintf(out, size, "%s", so != NULL && so[4] >= '0' && so[4] <= '9' ? so + 4 : "unknown");
}

static const hl_allocator_ops *preload_bind(const char *parameter, const char **error);

const hl_allocator_ops hl_preload_allocator;

static const hl_allocator_ops *preload_bind(const char *parameter, const char **error) {
    /* One line, outliving the call (the CLI prints it and exits). */
    static char message[PATH_MAX + 128];
    char path[PATH_MAX], reason[256];
    if (parameter[0] == '\0') {
        snprintf(message, sizeof message, "allocator preload: give a library, preload:PATH");
        *error = message;
        return NULL;
    }
    int n;
    if (parameter[0] == '/') {
        n = snprintf(path, sizeof path, "%s", parameter);
    } else {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd) == NULL) cwd[0] = '\0';
        n = snprintf(path, sizeof path, "%s/%s", cwd, parameter);
    }
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(message, sizeof message, "allocator preload: path too long");
        *error = message;
        return NULL;
    }
    for (size_t i = 0; i < slot_count; i++)
        if (strcmp(slots[i].ops.preload, path) == 0) return &slots[i].ops;
    const char *why = check_library(path, reason, sizeof reason);
    if (why != NULL) {
        snprintf(message, sizeof message, "allocator preload:%s: %s", parameter, why);
        *error = message;
        return NULL;
    }
    if (slot_count == PRELOAD_SLOTS) {
        snprintf(message, sizeof message, "allocator preload: at most %d libraries per run",
                 PRELOAD_SLOTS);
        *error = message;
        return NULL;
    }
    preload_slot *s = &slots[slot_count];
    s->ops = hl_preload_allocator;
    snprintf(s->name, sizeof s->name, "preload:%s", path);
    const char *base = strrchr(path, '/');
    snprintf(s->label, sizeof s->label, "%s", base + 1);
    snprintf(s->summary, sizeof s->summary,
             "%s via LD_PRELOAD (serves the whole process; object heap via its malloc/free)", path);
    file_version(path, s->version, sizeof s->version);
    s->ops.name = s->name;
    s->ops.label = s->label;
    s->ops.summary = s->summary;
    s->ops.preload = s->name + strlen("preload:");
    s->ops.version = slot_versions[slot_count];
    s->ops.parameter = NULL;
    s->ops.example = NULL;
    s->ops.bind = NULL;
    slot_count++;
    return &s->ops;
}

static const char *family_version(void) {
    return "unknown";
}

const hl_allocator_ops hl_preload_allocator = {
    .name = "preload",
    .summary = "any shared library that exports malloc, via LD_PRELOAD (serves the whole "
               "process; object heap via its malloc/free; the rows show its file name)",
    .preload = NULL,
    .preload_symbol = NULL,
    .create = preload_create,
    .destroy = preload_destroy,
    .alloc = preload_alloc,
    .free = preload_free,
    .realloc = preload_realloc,
    .resident_bytes = NULL,
    .version = family_version,
    .parameter = "PATH",
    .example = HEAPLAB_PRELOAD_EXAMPLE,
    .bind = preload_bind,
};
