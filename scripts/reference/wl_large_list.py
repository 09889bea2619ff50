"""large_list: the seeds' [0] * n and its relatives (bench/workloads/large_list.c)."""

from ref_check import check


def large_list_repeat(n, env):
    large_list = [0] * n
    check(len(large_list) == n and large_list[-1] == 0, "large_list/repeat: wrong list")
    del large_list
    return 0


def large_list_range(n, env):
    large_list = list(range(n))
    check(len(large_list) == n and large_list[-1] == n - 1, "large_list/range: wrong list")
    del large_list
    return 0


def large_list_append(n, env):
    a = []
    for i in range(n):
        a.append(i)
    check(len(a) == n and a[-1] == n - 1, "large_list/append: wrong list")
    del a
    return 0


WORKLOADS = {
    "large_list/repeat": (large_list_repeat, (10**6, 10**4, 10**8), None),
    "large_list/range": (large_list_range, (10**6, 10**4, 10**8), None),
    "large_list/append": (large_list_append, (10**6, 10**4, 10**8), None),
}
