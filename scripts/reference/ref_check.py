"""The reference workloads' result check: a failed check is the row's status "failed"
(cpython_workloads.py)."""


class CheckFailed(Exception):
    """The workload's own result check failed (status "failed")."""


def check(condition, message):
    if not condition:
        raise CheckFailed(message)
