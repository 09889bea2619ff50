/* heaplab: one program, subcommands dispatched through bench/cli/commands.c's table. */
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"

int main(int argc, char **argv) {
    const char *name = argc >= 2 ? argv[1] : "";
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) name = "help";
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) name = "version";
    const hl_command *command = hl_command_find(name);
    if (command == NULL) {
        char valid[256], hint[300];
        hl_command_names(valid, sizeof valid);
        if (name[0] == '\0')
            return hl_cli_usage_error("missing command (valid: %s; see heaplab --help)", valid);
        if (hl_cli_closest(name, valid, hint, sizeof hint))
            return hl_cli_usage_error("unknown command '%s' (did you mean %s?)", name, hint);
        return hl_cli_usage_error("unknown command '%s' (valid: %s; see heaplab --help)", name,
                                  valid);
    }
    /* git's convention: the command sees its own name as argv[0]. */
    return command->run(argc - 1, argv + 1);
}
