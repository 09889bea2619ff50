/* The two questions about a run's configuration that need no run (bench/harness/run.h):
 * its default heap limit and its name. Apart from run.c, which is the run itself (and
 * at the 700-line limit). */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/harness/run.h"

#include "bench/report/results.h"

uint64_t hl_run_default_heap_limit(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t limit = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page / 4 * 3 : 0;
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        uint64_t as = (uint64_t)rl.rlim_cur / 4 * 3;
        if (limit == 0 || as < limit) limit = as;
    }
    return limit;
}

void hl_run_config_name(const hl_run_config *config, char *out, size_t out_size) {
    hl_result_row id;
    memset(&id, 0, sizeof id);
    const char *own = hl_collector_own_allocator(config->collector);
    snprintf(id.workload, sizeof id.workload, "%s/%s", config->workload->name,
             config->variant->name);
    snprintf(id.allocator, sizeof id.allocator, "%s",
             own ? own : hl_allocator_label(config->allocator));
    snprintf(id.collector, sizeof id.collector, "%s", hl_collector_name(config->collector));
    id.size = config->size;
    id.heap_factor = config->heap_factor;
    hl_results_config_name(&id, out, out_size);
}
