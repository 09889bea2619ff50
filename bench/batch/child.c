/* Child processes: one configuration at a time in its own process group, with a time
 * limit, its outcome turned into its row; Ctrl-C; capturing a command's output. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/batch/internal.h"
#include "bench/harness/run.h"

/* The one piece of mutable global state: set by the SIGINT/SIGTERM handler, read by
 * the wait loop. A signal handler can reach nothing else. */
static volatile sig_atomic_t hl_batch_interrupted;


static void on_interrupt(int sig) {
    (void)sig;
    hl_batch_interrupted = 1;
}

static void sleep_s(double s) {
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL); /* EINTR on Ctrl-C is fine: the loop checks the flag */
}

/* Fork and exec `exe` (this program, /proc/self/exe, or python3 for a reference run)
 * with argv in a new process group, stdout and stderr to log_path; wait at most
 * timeout_s. *code: exit status or signal number. */
child_outcome hl_batch_run_child(const char *exe, char *const argv[], const char *log_path,
                               double timeout_s, hl_progress *progress, int *code) {
    /* Never through a link planted in the results folder: the log is replaced, its
     * target untouched. */
    struct stat st;
    if (lstat(log_path, &st) == 0 && !S_ISREG(st.st_mode)) unlink(log_path);
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (log_fd < 0) return CHILD_NOT_STARTED;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(log_fd);
        return CHILD_NOT_STARTED;
    }
    if (pid == 0) {
        setpgid(0, 0);
        /* The child dies with the batch (kill -9 of the parent leaves no orphan
         * running); the signal survives the exec. If the parent is already gone, so
         * is the child. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
        dup2(log_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execv(exe, argv);
        dprintf(STDERR_FILENO, "heaplab batch: cannot run %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    close(log_fd);
    setpgid(pid, pid); /* also in the parent: no window where a kill misses the group */
    double deadline = hl_progress_now() + timeout_s;
    double nap = 0.0005;
    /* A pidfd becomes readable when the child ends: the wait wakes at once instead of
     * at the next poll. Without one (old kernels) the loop naps, doubling to 20 ms. */
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int status = 0;
    child_outcome outcome;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            outcome = WIFSIGNALED(status) ? CHILD_SIGNALED : CHILD_EXITED;
            *code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
            /* nothing the child started may outlive it */
            kill(-pid, SIGKILL);
            if (pidfd >= 0) close(pidfd);
            return outcome;
        }
        if (r < 0 && errno != EINTR) {
            *code = 0;
            if (pidfd >= 0) close(pidfd);
            return CHILD_NOT_STARTED;
        }
        bool interrupted = hl_batch_interrupted != 0;
        if (interrupted || hl_progress_now() >= deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            *code = SIGKILL;
            if (pidfd >= 0) close(pidfd);
            return interrupted ? CHILD_INTERRUPTED : CHILD_TIMEOUT;
        }
        hl_progress_tick(progress);
        if (pidfd >= 0) {
            double left = deadline - hl_progress_now();
            int ms = left > 0.25 ? 250 : left > 0 ? (int)(left * 1000) + 1 : 0;
            struct pollfd pfd = {pidfd, POLLIN, 0};
            poll(&pfd, 1, ms); /* EINTR on Ctrl-C: the loop checks the flag */
        } else {
            sleep_s(nap);
            if (nap < 0.02) nap *= 2;
        }
    }
}

/* The log's last non-empty line, for the error column; a sanitizer's "SUMMARY:" line
 * (the child caught the signal itself and exited) says more, so it wins. */
void hl_batch_last_log_line(const char *path, char *out, size_t size) {
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    char line[1024];
    bool summary = false;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        if (n == 0 || summary) continue;
        summary = strncmp(line, "SUMMARY: ", 9) == 0;
        hl_report_fmt(out, size, "%s", line);
    }
    fclose(f);
}

bool hl_batch_write_row_file(FILE *out, void *data) {
    hl_results_write_csv_header(out);
    hl_results_write_csv_row(out, data);
    return true;
}

static void format_seconds(char *buf, size_t size, double s) {
    hl_report_fmt(buf, size, "%g", s);
}

/* Build the child's command line into argv (storage in bufs). */
static size_t child_argv(const hl_batch *b, const hl_batch_config *c, const char *row_path,
                         const char *json_path, const char *timeline_path, char *argv[],
                         char bufs[][PATH_MAX + 32]) {
    size_t n = 0;
    /* every pause of the invocation, next to its JSON: runs/<slug>.i<k>.pauses.csv
     * (heaplab run --pauses's CSV; the pause CDF chart reads the program's pauses) */
    hl_report_fmt(bufs[2], sizeof bufs[2], "%.*s.pauses.csv", (int)(strlen(json_path) - 5),
                  json_path);
    if (c->reference) {
        /* the reference script takes heaplab run's spelling of these */
        argv[n++] = (char *)b->ref.python;
        argv[n++] = (char *)b->ref.script;
        argv[n++] = "--workload";
        argv[n++] = (char *)c->workload;
        argv[n++] = "--size";
        hl_report_fmt(bufs[0], sizeof bufs[0], "%llu", (unsigned long long)c->size);
        argv[n++] = bufs[0];
        argv[n++] = "--repetitions"; /* the invocation's samples */
        hl_report_fmt(bufs[1], sizeof bufs[1], "%d", b->samples);
        argv[n++] = bufs[1];
        argv[n++] = "--row";
        argv[n++] = (char *)row_path;
        argv[n++] = "--json";
        argv[n++] = (char *)json_path;
        argv[n++] = "--pauses";
        argv[n++] = bufs[2];
        argv[n] = NULL;
        return n;
    }
    argv[n++] = "heaplab";
    argv[n++] = "run";
    argv[n++] = "--workload";
    argv[n++] = (char *)c->workload;
    argv[n++] = "--size";
    hl_report_fmt(bufs[0], sizeof bufs[0], "%llu", (unsigned long long)c->size);
    argv[n++] = bufs[0];
    argv[n++] = "--allocator";
    argv[n++] = (char *)c->run_allocator;
    argv[n++] = "--collector";
    argv[n++] = (char *)c->collector;
    if (c->timeline) {
        argv[n++] = "--timeline";
        argv[n++] = (char *)timeline_path;
        /* and its Perfetto trace beside it: timelines/<slug>.trace.json (docs/traces.md) */
        argv[n++] = "--trace";
        hl_report_fmt(bufs[5], sizeof bufs[5], "%.*s.trace.json",
                      (int)(strlen(timeline_path) - 4), timeline_path);
        argv[n++] = bufs[5];
        /* one iteration: the timeline shows one run of the program */
        argv[n++] = "--iterations";
        argv[n++] = "1";
    } else {
        argv[n++] = "--row";
        argv[n++] = (char *)row_path;
        argv[n++] = "--json";
        argv[n++] = (char *)json_path;
        argv[n++] = "--pauses";
        argv[n++] = bufs[2];
        argv[n++] = "--repetitions"; /* the invocation's samples, after its warm-up */
        hl_report_fmt(bufs[1], sizeof bufs[1], "%d", b->samples);
        argv[n++] = bufs[1];
        argv[n++] = "--min-time";
        argv[n++] = (char *)b->min_time;
        argv[n++] = "--warmup";
        argv[n++] = (char *)b->warmup;
        if (c->heap_limit != 0) { /* a time-space run: its budget, and the factor it is */
            argv[n++] = "--heap-limit";
            hl_report_fmt(bufs[3], sizeof bufs[3], "%llu", (unsigned long long)c->heap_limit);
            argv[n++] = bufs[3];
            argv[n++] = "--heap-factor";
            hl_report_fmt(bufs[4], sizeof bufs[4], "%g", c->heap_factor);
            argv[n++] = bufs[4];
        }
    }
    /* the user's --benchmark_ flags come last: Google Benchmark takes the last one */
    for (size_t i = 0; i < b->passthrough_count; i++)
        argv[n++] = (char *)b->passthrough[i];
    argv[n] = NULL;
    return n;
}

/* Run one invocation of a configuration and record its outcome. Returns false when
 * interrupted. */
bool hl_batch_run_invocation(const hl_batch *b, const hl_batch_config *c, int invocation,
                             hl_progress *progress) {
    char row_path[PATH_MAX], child_row[PATH_MAX], json_path[PATH_MAX], log_path[PATH_MAX],
        timeline_path[PATH_MAX], status_path[PATH_MAX];
    hl_batch_invocation_path(b, c, invocation, ".csv", row_path, sizeof row_path);
    hl_report_fmt(child_row, sizeof child_row, "%.*s.child.csv", (int)(strlen(row_path) - 4),
                  row_path);
    hl_report_fmt(json_path, sizeof json_path, "%.*s.json", (int)(strlen(row_path) - 4), row_path);
    hl_report_fmt(log_path, sizeof log_path, "%.*s.log", (int)(strlen(row_path) - 4), row_path);
    hl_report_fmt(timeline_path, sizeof timeline_path, "%.*s.dat", (int)(strlen(row_path) - 4),
                  row_path);
    hl_report_fmt(status_path, sizeof status_path, "%s", row_path);

    unlink(child_row);
    unlink(json_path);
    char pauses_path[PATH_MAX + 16]; /* child_argv's --pauses: none left from a past try */
    hl_report_fmt(pauses_path, sizeof pauses_path, "%.*s.pauses.csv", (int)(strlen(json_path) - 5),
                  json_path);
    unlink(pauses_path);
    /* the child's outputs follow a link the user names: none may be planted here */
    if (c->timeline) {
        unlink(timeline_path);
        char trace_path[PATH_MAX + 16];
        hl_report_fmt(trace_path, sizeof trace_path, "%.*s.trace.json",
                      (int)(strlen(timeline_path) - 4), timeline_path);
        unlink(trace_path);
    }
    char *argv[64];
    char bufs[6][PATH_MAX + 32];
    child_argv(b, c, child_row, json_path, timeline_path, argv, bufs);

    char label[300];
    if (c->invocations <= 1)
        hl_report_fmt(label, sizeof label, "%s", c->name);
    else
        hl_report_fmt(label, sizeof label, "%s #%d", c->name, invocation + 1);
    hl_progress_start(progress, label);
    double t0 = hl_progress_now();
    int code = 0;
    child_outcome outcome = hl_batch_run_child(c->reference ? b->ref.python : "/proc/self/exe", argv,
                                      log_path, b->timeout_s, progress, &code);
    double seconds = hl_progress_now() - t0;
    if (outcome == CHILD_INTERRUPTED) {
        unlink(child_row);
        unlink(json_path);
        unlink(timeline_path);
        return false;
    }

    hl_result_row row;
    hl_results_row_init(&row);
    bool have_row = false;
    if (!c->timeline && outcome == CHILD_EXITED) {
        hl_result_row *rows = NULL;
        size_t count = 0;
        char error[256];
        if (hl_results_read_csv(child_row, &rows, &count, error, sizeof error) && count == 1) {
            row = rows[0];
            have_row = true;
        }
        free(rows);
    }
    char why[300] = "", last[220];
    const char *status = HL_STATUS_OK;
    bool io_failure = false; /* the child could not write its files: not a result */
    switch (outcome) {
    case CHILD_EXITED:
        if (have_row) {
            char expected[256], got[256];
            hl_results_config_name(&row, got, sizeof got);
            hl_report_fmt(expected, sizeof expected, "%s", c->name); /* plan.c's spelling */
            const char *runtime = c->reference ? b->ref.runtime : "heaplab";
            if (strcmp(expected, got) != 0) {
                hl_results_row_init(&row);
                status = HL_STATUS_CRASHED;
                hl_report_fmt(why, sizeof why, "the child's row is for %s", got);
            } else if (strcmp(row.runtime, runtime) != 0) {
                status = HL_STATUS_CRASHED;
                hl_report_fmt(why, sizeof why, "the child's row is for runtime %s, not %s",
                              row.runtime, runtime);
                hl_results_row_init(&row);
            }
        } else if (c->timeline && code == 0) {
            status = hl_batch_file_exists(timeline_path) ? HL_STATUS_OK : HL_STATUS_CRASHED;
            if (!hl_batch_file_exists(timeline_path))
                hl_report_fmt(why, sizeof why, "no timeline written");
        } else if (c->timeline && code == HL_EXIT_FAILURE) {
            status = HL_STATUS_FAILED; /* the run's own result check */
            hl_batch_last_log_line(log_path, last, sizeof last);
            hl_report_fmt(why, sizeof why, "%s", last);
        } else if (c->timeline &&
                   (code == HL_EXIT_MEMORY_ERROR || code == HL_EXIT_RECURSION_ERROR)) {
            status =
                code == HL_EXIT_MEMORY_ERROR ? HL_STATUS_MEMORY_ERROR : HL_STATUS_RECURSION_ERROR;
        } else {
            status = HL_STATUS_CRASHED;
            hl_batch_last_log_line(log_path, last, sizeof last);
            hl_report_fmt(why, sizeof why, "exited with status %d without a row%s%s", code,
                          last[0] ? ": " : "", last);
            /* heaplab run's own "cannot write FILE" (a full disk, a quota): the run is
             * not a result; --resume runs it again */
            io_failure = code == HL_EXIT_FAILURE && strstr(last, "run: cannot write ") != NULL;
        }
        break;
    case CHILD_SIGNALED:
        status = HL_STATUS_CRASHED;
        hl_report_fmt(why, sizeof why, "killed by signal %d (%s)", code, strsignal(code));
        break;
    case CHILD_TIMEOUT: {
        char limit[32];
        format_seconds(limit, sizeof limit, b->timeout_s);
        status = HL_STATUS_TIMEOUT;
        hl_report_fmt(why, sizeof why, "killed after the %s s time limit", limit);
        break;
    }
    default:
        status = HL_STATUS_CRASHED;
        hl_report_fmt(why, sizeof why, "could not start the child process: %s", strerror(errno));
        break;
    }
    if (!have_row || strcmp(status, HL_STATUS_OK) != 0) {
        hl_results_row_init(&row);
        hl_report_fmt(row.status, sizeof row.status, "%s", status);
        hl_report_fmt(row.error, sizeof row.error, "%s", why);
        if (strcmp(status, HL_STATUS_OK) != 0) unlink(json_path); /* may be partial */
        hl_report_fmt(row.workload, sizeof row.workload, "%s", c->workload);
        hl_report_fmt(row.allocator, sizeof row.allocator, "%s", c->allocator);
        hl_report_fmt(row.collector, sizeof row.collector, "%s", c->collector);
        if (c->reference) hl_report_fmt(row.runtime, sizeof row.runtime, "%s", b->ref.runtime);
        row.size = c->size;
        row.repetitions = 1;
    }
    /* every row says where it ran (a sharded batch's rows meet others in a merge) */
    hl_results_this_host(row.host, sizeof row.host);
    /* The row file is the invocation's "finished" mark: written last, atomically. An
     * invocation whose files could not be written leaves no mark: it is not a result,
     * and --resume runs it again. */
    if (!io_failure && !hl_results_write_atomic(status_path, hl_batch_write_row_file, &row)) {
        io_failure = true;
        hl_report_fmt(why, sizeof why, "cannot write %s: %s", status_path, strerror(errno));
    }
    unlink(child_row);
    if (io_failure) {
        unlink(json_path);
        char failed[400];
        hl_report_fmt(failed, sizeof failed, "%s: %s (not recorded: --resume runs it again)",
                      HL_STATUS_FAILED, why);
        hl_progress_finish(progress, label, failed, seconds);
        return true;
    }
    hl_progress_finish(progress, label, row.status, seconds);
    /* The configuration is finished when every invocation is, or at the first that is
     * not ok: the others would repeat a crash, a time limit or an error. */
    if (!c->timeline && (strcmp(row.status, HL_STATUS_OK) != 0 || invocation + 1 == c->invocations))
        hl_batch_finish_config(b, c);
    return true;
}

void hl_batch_invocation_path(const hl_batch *b, const hl_batch_config *c, int invocation,
                              const char *ext, char *out, size_t size) {
    if (c->timeline)
        hl_report_fmt(out, size, "%s/timelines/%s%s", b->out, c->slug, ext);
    else
        hl_report_fmt(out, size, "%s/runs/%s.i%d%s", b->out, c->slug, invocation, ext);
}

bool hl_batch_invocation_finished(const hl_batch *b, const hl_batch_config *c, int invocation) {
    char path[PATH_MAX];
    hl_batch_invocation_path(b, c, invocation, ".csv", path, sizeof path);
    return hl_batch_row_file_holds(path, c, NULL);
}

bool hl_batch_config_finished(const hl_batch *b, const hl_batch_config *c) {
    char path[PATH_MAX];
    hl_batch_path_join(path, sizeof path, b->out, c->timeline ? "timelines/" : "runs/", c->slug);
    strncat(path, ".csv", sizeof path - strlen(path) - 1);
    return hl_batch_row_file_holds(path, c, NULL);
}

int hl_batch_capture(char *const argv[], char *out, size_t size) {
    int fds[2];
    if (size > 0) out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        int null_fd = open("/dev/null", O_RDWR);
        if (null_fd >= 0) {
            dup2(null_fd, STDIN_FILENO);
            dup2(null_fd, STDERR_FILENO);
        }
        dup2(fds[1], STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t n = 0;
    for (;;) {
        char chunk[512];
        ssize_t r = read(fds[0], chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        for (ssize_t i = 0; i < r && size > 0 && n + 1 < size; i++)
            out[n++] = chunk[i];
    }
    if (size > 0) out[n] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (!WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

void hl_batch_catch_interrupts(hl_batch_signals *saved) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    hl_batch_interrupted = 0;
    sigaction(SIGINT, &action, &saved->old_int);
    sigaction(SIGTERM, &action, &saved->old_term);
}

void hl_batch_release_interrupts(const hl_batch_signals *saved) {
    sigaction(SIGINT, &saved->old_int, NULL);
    sigaction(SIGTERM, &saved->old_term, NULL);
}

bool hl_batch_was_interrupted(void) {
    return hl_batch_interrupted != 0;
}
