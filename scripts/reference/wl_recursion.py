"""recursion/sum and recursion/calls: the seeds' function calls (bench/workloads/recursion.c).

Each workload runs one repetition, returns the number of objects its final gc.collect()
found (0 where there is none) and checks its own result; everything between the
caller's clock readings is timed."""

from ref_check import check


def recursive_function(x):
    if x == 0:
        return 0
    else:
        return x + recursive_function(x - 1)


def recursion_sum(n, env):
    result = recursive_function(n)
    check(result == n * (n + 1) // 2,
          "recursion/sum: recursive_function(%d) = %d, expected %d"
          % (n, result, n * (n + 1) // 2))
    return 0


b = 5  # the seed's global, read by f


def f(x):
    z = x + b
    return z


def recursion_calls(n, env):
    total = 0
    for i in range(n):
        total += f(i)
    expected = n * (n - 1) // 2 + n * b
    check(total == expected, "recursion/calls: sum of f(i) = %d, expected %d" % (total, expected))
    return 0


# name -> (function, default size and ladder as heaplab's, the least the final
# gc.collect() must find for size n, or None where the workload does not collect)
WORKLOADS = {
    "recursion/sum": (recursion_sum, (10**4, 10**3, 10**6), None),
    "recursion/calls": (recursion_calls, (10**4, 10**3, 10**6), None),
}
