"""The reference workloads' result check: a failed check is the row's status "failed"
(cpython_workloads.py)."""

import time


class CheckFailed(Exception):
    """The workload's own result check failed (status "failed")."""


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


class Untimed:
    """`with env["untimed"]:` around the parts of a workload heaplab runs with its clock
    paused (the whole-structure checks, gc_traversal's build): their wall and CPU time
    is taken off the repetition's, and the collector's pauses there are not recorded
    (heaplab's pause log records only the pauses inside its clock)."""

    def __init__(self, recorder=None):
        self.wall_ns = 0
        self.cpu_ns = 0
        self.recorder = recorder  # ref_runner.PauseRecorder, or None
        self.was_recording = False

    def __enter__(self):
        if self.recorder is not None:
            self.was_recording = self.recorder.recording
            self.recorder.recording = False
        self.wall0, self.cpu0 = time.perf_counter_ns(), time.process_time_ns()

    def __exit__(self, *exc_info):
        self.wall_ns += time.perf_counter_ns() - self.wall0
        self.cpu_ns += time.process_time_ns() - self.cpu0
        if self.recorder is not None:
            self.recorder.recording = self.was_recording
        return False
