"""cycle_churn: cyclic garbage churned in request-sized groups beside a large long-lived
heap (bench/workloads/cycle_churn.c; the shape of gh-142516). n long-lived records, then
n // 8 requests (at least one), each a group of 32 objects on cycles: a request and a
response pointing to each other, each with a Headers object of 14 headers pointing back. The
workload returns the objects its collections found over the run (gc.get_stats()): the
final gc.collect() finds only what the automatic collections left."""

import gc

from ref_check import check

HEADERS = 14
REQUEST_OBJECTS = 2 + 2 * (1 + HEADERS)
RECORDS_PER_REQUEST = 8  # one request per 8 long-lived records


class Rec:
    __slots__ = ("prev", "data")

    def __init__(self, prev):
        self.prev = prev
        self.data = None


class Request:
    __slots__ = ("response", "headers", "client")

    def __init__(self, client):
        self.response = None
        self.headers = None
        self.client = client


class Response:
    __slots__ = ("request", "headers")

    def __init__(self, request):
        self.request = request
        self.headers = None


class Headers:
    # a fixed record of HEADERS fields, as heaplab's (no list: CPython 3.11 serves lists
    # from a free list that its collector's allocation count does not see)
    __slots__ = tuple("h%d" % h for h in range(14))


class Header:
    __slots__ = ("owner",)

    def __init__(self, owner):
        self.owner = owner


HEADER_NAMES = Headers.__slots__


def headers_of(owner):
    headers = Headers()
    for name in HEADER_NAMES:
        setattr(headers, name, Header(owner))
    return headers


def requests_of(n):
    return max(1, n // RECORDS_PER_REQUEST)


def collected_so_far():
    return sum(generation["collected"] for generation in gc.get_stats())


def cycle_churn_requests(n, env):
    collected = collected_so_far()
    heap = [None] * n
    for i in range(n):
        heap[i] = Rec(heap[i - 1] if i else None)
    for r in range(requests_of(n)):
        req = Request(heap[r % n])
        req.headers = headers_of(req)
        resp = Response(req)
        req.response = resp
        resp.headers = headers_of(resp)
        req = resp = None            # dropped, as heaplab drops it before the next request
    with env["untimed"]:
        check(len(heap) == n and all(heap[i].prev is (heap[i - 1] if i else None)
                                     for i in range(n)),
              "cycle_churn: the long-lived heap is wrong")
    gc.collect()
    heap = None
    return collected_so_far() - collected


WORKLOADS = {
    "cycle_churn/requests": (cycle_churn_requests, (10**6, 10**4, 10**7),
                             lambda n: requests_of(n) * REQUEST_OBJECTS),
}
