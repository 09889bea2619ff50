// heaplab's C binding over Google Benchmark: the project's only C++ (see gbench.h).
//
// The binding is thin on purpose: a C benchmark is registered as a lambda that wraps
// benchmark::State in an hl_bench_state and calls the C function, so everything Google
// Benchmark does (flags, repetitions, aggregates, counters, JSON output) happens as in
// any C++ benchmark. The one addition is result delivery: hl_bench_run installs a
// reporter that wraps the display reporter Google Benchmark would have chosen itself
// (CreateDefaultDisplayReporter honours --benchmark_format and --benchmark_color),
// hands each reported run to the C callback as an hl_bench_result, then lets the
// wrapped reporter print it. The --benchmark_out file reporter is left to the library:
// passing no file reporter makes it create the one --benchmark_out_format asks for.
//
// No C++ exception crosses into C: every entry point catches whatever the library
// throws (std::bad_alloc under a tight address-space limit, std::length_error for a
// negative --benchmark_repetitions) and records its first message for hl_bench_error;
// the benchmark function then stops (SkipWithError) and the caller reports one line.

#include "bench/harness/gbench.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

struct hl_bench_state {
    benchmark::State *state;
};

namespace {

char first_error[256]; // empty: nothing was thrown

void record(const char *what) {
    if (first_error[0] != '\0') return;
    snprintf(first_error, sizeof first_error, "%s", what != nullptr && what[0] ? what : "error");
}

#define HL_CATCH(...)                                                                              \
    catch (const std::exception &e) {                                                              \
        record(e.what());                                                                          \
        __VA_ARGS__;                                                                               \
    }                                                                                              \
    catch (...) {                                                                                  \
        record("unknown C++ exception");                                                           \
        __VA_ARGS__;                                                                               \
    }

benchmark::Counter::Flags counter_flags(int flags) {
    int out = benchmark::Counter::kDefaults;
    if (flags & HL_COUNTER_IS_RATE) out |= benchmark::Counter::kIsRate;
    if (flags & HL_COUNTER_ITERATION_INVARIANT) out |= benchmark::Counter::kIsIterationInvariant;
    if (flags & HL_COUNTER_AVG_ITERATIONS) out |= benchmark::Counter::kAvgIterations;
    if (flags & HL_COUNTER_INVERT) out |= benchmark::Counter::kInvert;
    return static_cast<benchmark::Counter::Flags>(out);
}

// Per-iteration time in nanoseconds, whatever unit the run was reported in. The "cv"
// aggregate is a ratio, not a time: Google Benchmark keeps it unscaled in the
// accumulated fields (as its JSON does), and so do we.
double real_ns(const benchmark::BenchmarkReporter::Run &run) {
    if (run.aggregate_unit == benchmark::kPercentage) return run.real_accumulated_time;
    return run.GetAdjustedRealTime() * 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
}

double cpu_ns(const benchmark::BenchmarkReporter::Run &run) {
    if (run.aggregate_unit == benchmark::kPercentage) return run.cpu_accumulated_time;
    return run.GetAdjustedCPUTime() * 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
}

class ForwardingReporter : public benchmark::BenchmarkReporter {
  public:
    ForwardingReporter(benchmark::BenchmarkReporter *display, hl_bench_result_fn fn, void *data)
        : display_(display), fn_(fn), data_(data) {}

    bool ReportContext(const Context &context) override { return display_->ReportContext(context); }

    void ReportRuns(const std::vector<Run> &runs) override {
        if (fn_ != nullptr)
            for (const Run &run : runs)
                deliver(run);
        display_->ReportRuns(runs);
    }

    void Finalize() override { display_->Finalize(); }

  private:
    void deliver(const Run &run) {
        // The strings must outlive the callback only.
        const std::string name = run.benchmark_name();
        const std::string run_name = run.run_name.str();
        hl_bench_result r = {};
        r.name = name.c_str();
        r.run_name = run_name.c_str();
        r.is_aggregate = run.run_type == Run::RT_Aggregate;
        r.aggregate_name = run.aggregate_name.c_str();
        r.repetitions = run.repetitions;
        r.repetition_index = run.repetition_index;
        r.iterations = run.iterations;
        r.real_time_ns = real_ns(run);
        r.cpu_time_ns = cpu_ns(run);
        r.error_occurred = run.error_occurred;
        r.error_message = run.error_message.c_str();
        r.label = run.report_label.c_str();
        // Run::counters already holds the values after the flags were applied.
        for (const auto &kv : run.counters) {
            if (r.counter_count == HL_BENCH_MAX_COUNTERS) break;
            r.counters[r.counter_count].name = kv.first.c_str();
            r.counters[r.counter_count].value = kv.second.value;
            r.counter_count++;
        }
        fn_(&r, data_);
    }

    benchmark::BenchmarkReporter *display_;
    hl_bench_result_fn fn_;
    void *data_;
};

} // namespace

extern "C" {

void hl_bench_initialize(int *argc, char **argv) {
    try {
        benchmark::Initialize(argc, argv);
    }
    HL_CATCH()
}

void hl_bench_register(const char *name, hl_bench_fn fn, void *arg,
                       const hl_bench_options *options) {
    try {
        benchmark::internal::Benchmark *b =
            benchmark::RegisterBenchmark(name, [fn, arg](benchmark::State &state) {
                hl_bench_state s{&state};
                fn(&s, arg);
            });
        b->Unit(benchmark::kNanosecond);
        if (options == nullptr) return;
        if (options->repetitions > 0) b->Repetitions(options->repetitions);
        if (options->iterations > 0)
            b->Iterations(options->iterations);
        else if (options->min_time > 0)
            b->MinTime(options->min_time);
        if (options->min_warmup_time > 0) b->MinWarmUpTime(options->min_warmup_time);
        if (options->use_real_time) b->UseRealTime();
        if (options->report_aggregates_only) b->ReportAggregatesOnly(true);
    }
    HL_CATCH()
}

bool hl_bench_keep_running(hl_bench_state *state) {
    return state->state->KeepRunning();
}

void hl_bench_pause_timing(hl_bench_state *state) {
    state->state->PauseTiming();
}

void hl_bench_resume_timing(hl_bench_state *state) {
    state->state->ResumeTiming();
}

int64_t hl_bench_iterations(const hl_bench_state *state) {
    return state->state->iterations();
}

void hl_bench_set_counter(hl_bench_state *state, const char *name, double value, int flags) {
    try {
        state->state->counters[name] = benchmark::Counter(value, counter_flags(flags));
    }
    HL_CATCH(state->state->SkipWithError(first_error))
}

void hl_bench_set_label(hl_bench_state *state, const char *label) {
    try {
        state->state->SetLabel(label);
    }
    HL_CATCH(state->state->SkipWithError(first_error))
}

void hl_bench_skip_with_error(hl_bench_state *state, const char *message) {
    state->state->SkipWithError(message);
}

size_t hl_bench_run(hl_bench_result_fn on_result, void *data) {
    try {
        // The library owns the default display reporter (one per process); never delete it.
        ForwardingReporter reporter(benchmark::CreateDefaultDisplayReporter(), on_result, data);
        return benchmark::RunSpecifiedBenchmarks(&reporter, nullptr);
    }
    HL_CATCH(return 0)
}

const char *hl_bench_error(void) {
    return first_error[0] != '\0' ? first_error : nullptr;
}

const char *hl_bench_library_version(void) {
    return HEAPLAB_BENCHMARK_VERSION;
}

} // extern "C"
