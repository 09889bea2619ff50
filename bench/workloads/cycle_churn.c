/* cycle_churn: a large long-lived heap while cyclic garbage comes and goes in
 * request-sized groups: the shape of CPython gh-142516 (a program making requests
 * through httpx, whose client objects form reference cycles: memory settled near 420 MB
 * on CPython 3.14.2 against about 80 MB on 3.14.0, the incremental collector falling
 * behind the garbage). The figures that matter are peak live bytes and peak RSS over
 * the run, and the total time.
 *
 *   heap = [None] * n                          # the long-lived heap: n records in a
 *   for i in range(n):                         # list, each pointing to the one before
 *       heap[i] = Rec(heap[i - 1] if i else None)
 *   for r in range(n // 8):                    # the requests
 *       req = Request(client=heap[r % n])
 *       req.headers = Headers(Header(owner=req) for each of 14)
 *       resp = Response(request=req)
 *       req.response = resp
 *       resp.headers = Headers(Header(owner=resp) for each of 14)
 *       req = resp = None                      # dropped: 32 objects, all on cycles
 *   gc.collect()
 *
 * n is the long-lived heap's records (default 10^6); there are n / 8 requests (at least
 * one), each a group of REQUEST_OBJECTS = 32 objects (a request and a response that
 * point to each other, each with a Headers record of 14 fields holding headers that
 * point back to their owner), so the run churns 4n objects of cyclic garbage through a
 * heap of n + 1 live ones. A
 * request's client is a long-lived record (as an HTTP client's connection pool is): the
 * garbage points into the long-lived heap, never the other way. The group holds no list:
 * CPython 3.11 serves lists from a free list its collector's allocation count does not
 * see, so churned lists would put its collections on another schedule than rc_cycle's
 * (tests/generations_check.py compares them); records are class instances there.
 *
 * The check: with the clock paused, the long-lived heap is intact; then one timed
 * gc.collect() and hl_workload_collect_and_check: the collectors that reclaim cycles
 * leave exactly the long-lived heap (boehm: at least it, and most of the rest gone);
 * refcount leaks exactly the churned groups, 32 objects a request.
 *
 * Rooting: each group is held by G_REQUEST while it is built, and each new object is
 * stored into the group before the next allocation.
 */
#include <stdint.h>
#include <stdio.h>

#include "bench/workloads/workload.h"

enum { G_HEAP, G_REQUEST, G_PROBE };     /* globals */
enum { REC_PREV, REC_DATA, REC_FIELDS }; /* a long-lived record */
enum { REQ_RESPONSE, REQ_HEADERS, REQ_CLIENT, REQ_FIELDS };
enum { RESP_REQUEST, RESP_HEADERS, RESP_FIELDS };
enum { HEADER_OWNER, HEADER_FIELDS };

#define HEADERS 14                              /* per request and per response */
#define REQUEST_OBJECTS (2 + 2 * (1 + HEADERS)) /* 32 */
#define RECORDS_PER_REQUEST 8                   /* n / 8 requests: one per 8 long-lived records */

static uint64_t request_count(uint64_t n) {
    return n / RECORDS_PER_REQUEST > 0 ? n / RECORDS_PER_REQUEST : 1;
}

/* A Headers record of HEADERS headers stored into owner's field `field`, each pointing
 * back. */
static bool add_headers(hl_heap *heap, hl_object *owner, size_t field) {
    hl_object *headers = hl_record_new(heap, HEADERS, NULL, NULL);
    if (headers == NULL) return false;
    hl_record_set(heap, owner, field, headers);
    hl_decref(heap, headers);
    for (size_t h = 0; h < HEADERS; h++) {
        hl_object *header = hl_record_new(heap, HEADER_FIELDS, NULL, NULL);
        if (header == NULL) return false;
        hl_record_set(heap, headers, h, header);
        hl_record_set(heap, header, HEADER_OWNER, owner);
        hl_decref(heap, header);
    }
    return true;
}

/* One request's group, held by G_REQUEST while it is built, then dropped. */
static bool one_request(hl_heap *heap, hl_object *client) {
    hl_object *req = hl_record_new(heap, REQ_FIELDS, NULL, NULL);
    if (req == NULL) return false;
    hl_global_set(heap, G_REQUEST, req);
    hl_decref(heap, req);
    hl_record_set(heap, req, REQ_CLIENT, client);
    bool ok = add_headers(heap, req, REQ_HEADERS);
    hl_object *resp = ok ? hl_record_new(heap, RESP_FIELDS, NULL, NULL) : NULL;
    if (resp != NULL) {
        hl_record_set(heap, resp, RESP_REQUEST, req);
        hl_record_set(heap, req, REQ_RESPONSE, resp);
        hl_decref(heap, resp);
        ok = add_headers(heap, resp, RESP_HEADERS);
    }
    hl_global_set(heap, G_REQUEST, NULL);
    return ok && resp != NULL;
}

static hl_workload_status check_heap(hl_workload_ctx *ctx) {
    const hl_object *heap_list = hl_global_get(ctx->heap, G_HEAP);
    if (heap_list == NULL || hl_list_length(heap_list) != ctx->size)
        return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                "cycle_churn: the long-lived heap is lost");
    for (size_t i = 0; i < ctx->size; i++) {
        const hl_object *rec = hl_list_get(heap_list, i);
        if (rec == NULL ||
            hl_record_get(rec, REC_PREV) != (i ? hl_list_get(heap_list, i - 1) : NULL))
            return hl_workload_fail(ctx, HL_WORKLOAD_FAILED,
                                    "cycle_churn: long-lived record %zu is wrong", i);
    }
    return HL_WORKLOAD_OK;
}

static hl_workload_status fail_build(hl_workload_ctx *ctx, const char *where) {
    hl_status error = hl_heap_error(ctx->heap);
    hl_global_set(ctx->heap, G_REQUEST, NULL);
    hl_global_set(ctx->heap, G_HEAP, NULL);
    return hl_workload_raise(ctx, error, where);
}

/* The long-lived heap and the requests, in a frame that has returned before the final
 * collection (no stale pointer of it on the stack for a conservative collector). */
static __attribute__((noinline)) hl_workload_status build(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    const uint64_t n = ctx->size;
    hl_workload_status fits =
        hl_workload_check_fits(ctx, n, REC_FIELDS * sizeof(hl_object *), "Rec()");
    if (fits != HL_WORKLOAD_OK) return fits;
    hl_object *list = hl_list_new(heap, (size_t)n, NULL);
    if (list == NULL) return fail_build(ctx, "heap = [None] * n");
    hl_global_set(heap, G_HEAP, list);
    hl_decref(heap, list);
    for (size_t i = 0; i < n; i++) {
        hl_object *rec = hl_record_new(heap, REC_FIELDS, NULL, NULL);
        if (rec == NULL) return fail_build(ctx, "Rec()");
        hl_list_set(heap, list, i, rec);
        hl_record_set(heap, rec, REC_PREV, i ? hl_list_get(list, i - 1) : NULL);
        hl_decref(heap, rec);
    }
    const uint64_t requests = request_count(n);
    for (uint64_t r = 0; r < requests; r++)
        if (!one_request(heap, hl_list_get(list, (size_t)(r % n))))
            return fail_build(ctx, "request");
    hl_workload_pause(ctx);
    hl_workload_at_peak(ctx);
    hl_workload_status status = check_heap(ctx);
    hl_workload_resume(ctx);
    return status;
}

static hl_workload_status cycle_churn_requests(hl_workload_ctx *ctx) {
    hl_heap *heap = ctx->heap;
    uint64_t before = hl_heap_live_objects(heap);
    hl_workload_status status = build(ctx);
    if (status == HL_WORKLOAD_OK)
        status = hl_workload_collect_and_check(ctx, before + ctx->size + 1,
                                               request_count(ctx->size) * REQUEST_OBJECTS, G_PROBE,
                                               "cycle_churn");
    hl_global_set(heap, G_HEAP, NULL);
    return status;
}

static const hl_workload_variant cycle_churn_variants[] = {
    {"requests", "n long-lived records; n/8 request groups of 32 objects on cycles, dropped",
     cycle_churn_requests, HL_GROWS_HEAP},
};

const hl_workload hl_cycle_churn_workload = {
    .name = "cycle_churn",
    .summary = "cyclic garbage churned in request-sized groups beside a large live heap "
               "(gh-142516)",
    .variants = cycle_churn_variants,
    .variant_count = sizeof cycle_churn_variants / sizeof cycle_churn_variants[0],
    .default_size = 1000000,
    .sizes = {10000, 100000, 1000000, 10000000},
    .fail_alloc_size = 100,
};
