/* A run's pauses over its iterations and calls (bench/harness/run_pauses.h). */
#include <stdlib.h>

#include "bench/harness/run_pauses.h"

#include "bench/harness/measure.h"

void hl_run_pauses_begin_call(hl_run_pauses *p) {
    p->run_max_count = 0;
}

static bool keep_run_max(hl_run_pauses *p, uint64_t ns) {
    if (p->run_max_count == p->run_max_capacity) {
        size_t capacity = p->run_max_capacity ? 2 * p->run_max_capacity : 64;
        uint64_t *grown = realloc(p->run_max_ns, capacity * sizeof *grown);
        if (grown == NULL) return false;
        p->run_max_ns = grown;
        p->run_max_capacity = capacity;
    }
    p->run_max_ns[p->run_max_count++] = ns;
    return true;
}

static bool keep_pauses(hl_run_pauses *p, const hl_pause_log *log, size_t from,
                        uint64_t iteration) {
    const hl_pause *pauses = hl_pause_log_pauses(log);
    for (size_t i = from; i < hl_pause_log_count(log); i++) {
        if (p->kept_count == p->kept_capacity) {
            size_t capacity = p->kept_capacity ? 2 * p->kept_capacity : 256;
            struct hl_kept_pause *grown = realloc(p->kept, capacity * sizeof *grown);
            if (grown == NULL) return false;
            p->kept = grown;
            p->kept_capacity = capacity;
        }
        p->kept[p->kept_count++] = (struct hl_kept_pause){p->calls, iteration, pauses[i]};
    }
    return true;
}

bool hl_run_pauses_end_iteration(hl_run_pauses *p, const hl_pause_log *log, size_t from) {
    bool ok = keep_run_max(p, hl_pause_log_max_ns(log, from, p->program_tag));
    if (p->keep_all) ok = keep_pauses(p, log, from, p->run_max_count - 1) && ok;
    return ok;
}

void hl_run_pauses_clock_start(hl_run_pauses *p, uint64_t now_ns) {
    p->clock_on = true;
    p->clock_from_ns = now_ns;
}

bool hl_run_pauses_clock_stop(hl_run_pauses *p, uint64_t now_ns) {
    if (!p->clock_on) return true;
    p->clock_on = false;
    if (!p->keep_all || now_ns <= p->clock_from_ns) return true;
    if (p->clock_count == p->clock_capacity) {
        size_t capacity = p->clock_capacity ? 2 * p->clock_capacity : 64;
        struct hl_clock_interval *grown = realloc(p->clock, capacity * sizeof *grown);
        if (grown == NULL) return false;
        p->clock = grown;
        p->clock_capacity = capacity;
    }
    /* the iteration in progress: hl_run_pauses_end_iteration has not counted it yet */
    p->clock[p->clock_count++] = (struct hl_clock_interval){
        p->calls, p->run_max_count, p->clock_from_ns, now_ns - p->clock_from_ns};
    return true;
}

void hl_run_pauses_end_call(hl_run_pauses *p) {
    p->calls++;
}

double hl_run_pauses_median_max(const hl_run_pauses *p) {
    size_t n = p->run_max_count;
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (d == NULL) return 0;
    for (size_t i = 0; i < n; i++)
        d[i] = (double)p->run_max_ns[i];
    double m = hl_measure_median(d, n);
    free(d);
    return m;
}

bool hl_run_pauses_write(FILE *out, void *data) {
    const hl_run_pauses *p = data;
    static const char *const kinds[] = {"young", "middle", "full"};
    fprintf(out, "call,iteration,start_ns,duration_ns,kind,phase\n");
    /* both lists are in time order: merge them */
    size_t c = 0;
    for (size_t i = 0; i <= p->kept_count; i++) {
        for (; c < p->clock_count &&
               (i == p->kept_count || p->clock[c].start_ns <= p->kept[i].pause.start_ns);
             c++)
            fprintf(out, "%u,%llu,%llu,%llu,iteration,clock\n", p->clock[c].call,
                    (unsigned long long)p->clock[c].iteration,
                    (unsigned long long)p->clock[c].start_ns,
                    (unsigned long long)p->clock[c].duration_ns);
        if (i == p->kept_count) break;
        const struct hl_kept_pause *k = &p->kept[i];
        fprintf(out, "%u,%llu,%llu,%llu,%s,%s\n", k->call, (unsigned long long)k->iteration,
                (unsigned long long)k->pause.start_ns, (unsigned long long)k->pause.duration_ns,
                kinds[k->pause.kind], k->pause.tag == p->reclaim_tag ? "reclaim" : "program");
    }
    return !ferror(out);
}

void hl_run_pauses_free(hl_run_pauses *p) {
    free(p->run_max_ns);
    free(p->kept);
    free(p->clock);
}
