// commands.h - the iamc subcommands that live in their own files.

#ifndef IAMC_COMMANDS_H
#define IAMC_COMMANDS_H

// iamc_cmd_compile runs `iamc compile ACCOUNT -o FILE.pdpb ...` with the
// arguments after "compile"; returns the exit status (0, 1 errors, 2
// usage).
int iamc_cmd_compile(int argc, char **argv);

#endif // IAMC_COMMANDS_H
