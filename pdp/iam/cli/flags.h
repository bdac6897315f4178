// flags.h - what the iam and sts commands share: AWS-style kebab-case
// commands and flags turned into an operation name and its request
// fields, and AWS's JSON printed back.

#ifndef IAM_FLAGS_H
#define IAM_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

// The program name that prefixes messages ("iam", "sts").
extern const char *flags_prog;

// kebab_to_pascal turns "create-user" into "CreateUser";
// pascal_to_kebab does the reverse.
void kebab_to_pascal(const char *in, char *out, size_t len);
void pascal_to_kebab(const char *in, char *out, size_t len);

// parse_flags turns --flag VALUE... into the request's params (a new
// object), or prints what is wrong and returns NULL. VALUE: a number (for
// the integer fields: MaxItems, DurationSeconds, ...),
// true/false, JSON ([...] or {...}), file://PATH (the file's text),
// Key=k,Value=v (a tag), AttributeKey=k,AttributeValue=v (a lookup
// attribute), arn=ARN (a policy descriptor), or text; several
// values after one flag make a list; a flag alone is true, --no-flag
// false.
json_t *parse_flags(int argc, char **argv);

// print_json prints AWS's JSON answer, indented, in field order.
void print_json(const json_t *j);

// Output options, taken out of a command's flags: --query PATH (names
// separated by dots, NAME[] for every item of a list, [A,B] for several
// fields) and --output json|text, as the AWS CLI has them.
typedef struct output {
	const char *query; // NULL: the whole answer
	bool text;         // --output text
} output;

// take_output removes --query and --output (each with its value) from
// the flags into o; false, having said why, on an unknown --output.
bool take_output(int *argc, char **argv, output *o);

// print_answer prints the part of an answer that o selects, as o says.
void print_answer(const json_t *resp, const output *o);

#endif // IAM_FLAGS_H
