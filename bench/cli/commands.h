/* heaplab subcommands: the one table that main.c dispatches through.
 *
 * A subcommand is a function `int hl_cmd_<name>(int argc, char **argv)` plus one line
 * in the table in bench/cli/commands.c. Calling convention (git's cmd_* convention):
 * argv[0] is the subcommand's own name ("run"), its options start at argv[1], and
 * argv[argc] is NULL. The return value is the process exit code (HL_EXIT_* in
 * bench/cli/cli.h): 0 ok, 2 usage error, 3 MemoryError, 4 RecursionError, 1 anything else.
 * A command that needs the whole process command line (a re-exec) rebuilds it as
 * {"heaplab", argv[0], ..., argv[argc-1]}.
 */
#ifndef HEAPLAB_BENCH_COMMANDS_H
#define HEAPLAB_BENCH_COMMANDS_H

#include <stddef.h>
#include <stdio.h>

typedef int (*hl_command_fn)(int argc, char **argv);

typedef struct hl_command {
    const char *name;    /* "run" */
    hl_command_fn run;   /* the subcommand's main */
    const char *usage;   /* "run --workload W/VARIANT --size N [options]" */
    const char *summary; /* one line for `heaplab help` */
} hl_command;

/* The table, NULL-name terminated, in the order `heaplab help` shows it. */
extern const hl_command hl_commands[];

/* The commands' names, ", "-separated, for messages. */
void hl_command_names(char *out, size_t size);

/* The command called `name`, or NULL. */
const hl_command *hl_command_find(const char *name);

/* `heaplab help`: the program's usage and every command's summary. */
void hl_commands_usage(FILE *out);

/* The subcommands. */
int hl_cmd_help(int argc, char **argv);    /* bench/cli/commands.c */
int hl_cmd_list(int argc, char **argv);    /* bench/cli/list.c */
int hl_cmd_run(int argc, char **argv);     /* bench/cli/run_command.c */
int hl_cmd_batch(int argc, char **argv);   /* bench/cli/batch_command.c */
int hl_cmd_minheap(int argc, char **argv); /* bench/cli/batch_command.c */
int hl_cmd_plot(int argc, char **argv);    /* bench/cli/plot_command.c */
int hl_cmd_compare(int argc, char **argv); /* bench/cli/compare_command.c */
int hl_cmd_merge(int argc, char **argv);   /* bench/cli/merge_command.c */
int hl_cmd_version(int argc, char **argv); /* bench/cli/commands.c */

#endif
