"""avn's own parser, read from aiven-client itself: the options of every avn command that
avn-token mirrors, and command lines that exercise how argparse reads them.

Run by tests/it/cli/argparse.rs with the Python beside the reference `avn` (AVN_BIN), so the
cases follow avn's parser rather than a list typed by hand:

    avn_options.py options    JSON: {"path words": [option strings]} for each command,
                              "" for avn's top level (what src/cli/argv.rs's table must say)
    avn_options.py run URL    every case, run in avn (this process, its real parser and
                              commands) against the fake API at URL; JSON list of
                              {"label", "argv", "native", "status", "stdout", "compare_stdout"}

Before each case a `GET URL/__case__/N` is sent, so the test can tell which requests on
its server came from which case. The cases:

- every prefix of every long option of each command (`--d`, `--de`, ... `--description`),
  and of avn's global options before the command, also in the `--opt=value` form; what
  argparse refuses (an ambiguous prefix) is a case too, with its exit status 2;
- values that start with `-` (`-1`, `-1.5`, `-x y`, `--- nightly ---`, and `-x`, which
  argparse refuses) for options that take text and for positionals.

`native` is the same command line in avn-token's own spelling (`create` for `user
access-token create`), or null when there is none.
"""

import argparse
import contextlib
import io
import json
import sys
import urllib.request

# Commands avn-token mirrors, and its own name for them (None: the same words).
COMMANDS = [
    (("user", "access-token", "create"), ("create",)),
    (("user", "access-token", "list"), ("list",)),
    (("user", "access-token", "update"), ("update",)),
    (("user", "access-token", "revoke"), ("revoke",)),
    (("user", "tokens-expire"), ("expire-all",)),
    (("application-user", "create"), None),
    (("application-user", "list"), None),
    (("application-user", "info"), None),
    (("application-user", "update"), None),
    (("application-user", "delete"), None),
    (("application-user", "token", "create"), None),
    (("application-user", "token", "list"), None),
    (("application-user", "token", "info"), None),
    (("application-user", "token", "revoke"), None),
]

# A value for each option or positional, by its dest. {URL} and {CA} are filled in by
# each side: the fake API's address, a PEM file.
SAMPLES = {
    "description": "d",
    "max_age_seconds": "3600",
    "name": "n",
    "organization_id": "org1",
    "ip_allowlist": "10.0.0.0/8",
    "scopes": "user:read",
    "user_id": "u1234abcd",
    "token_prefix": "XCJ3+bgWywIh",
    "auth_ca": "{CA}",
    "auth_token": "other+token/value=",
    "url": "{URL}",
    "request_timeout": "5",
    "idle_timeout": "10",
    "max_age": "10",
    "config": "/nonexistent/aiven-client.json",
}

# Values that start with `-`: argparse takes a negative number or text with a space as a
# value, and refuses the others (they look like options).
HYPHEN_VALUES = ["-1", "-1.5", "-.5", "-x y", "--- nightly ---", "-", "-x", "--x", "-1e3"]
# Where they are tried: text the API takes as it is (a number of seconds, a CIDR or a URL
# is checked by avn-token before sending, a deliberate difference the README lists).
HYPHEN_DESTS = {"description", "name", "organization_id", "scopes", "user_id", "token_prefix"}

# The command line the global options are tried with.
GLOBAL_BASE = (("user", "access-token", "list"), ("list",))


def subparser(parser, name):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]
    raise KeyError(name)


def leaf(cli, path):
    parser = cli.parser
    for word in path:
        parser = subparser(parser, word)
    return parser


def options(parser):
    return [a for a in parser._actions if a.option_strings]


def positionals(parser):
    return [
        a
        for a in parser._actions
        if not a.option_strings and not isinstance(a, argparse._SubParsersAction)
    ]


def takes_value(action):
    return action.nargs != 0


def base_argv(parser, path, skip=None):
    """The command with its positionals and required options, `skip` left out."""
    argv = list(path)
    for action in positionals(parser):
        argv.append(SAMPLES[action.dest])
    for action in options(parser):
        if action.required and action is not skip:
            argv += [action.option_strings[-1], SAMPLES[action.dest]]
    return argv


def native_of(argv, path, native):
    if native is None:
        return None
    n = len(path)
    for start in range(len(argv) - n + 1):
        if tuple(argv[start : start + n]) == path:
            return argv[:start] + list(native) + argv[start + n :]
    return None


def long_prefixes(option_string):
    return [option_string[:k] for k in range(3, len(option_string) + 1)]


def cases(cli):
    out = []
    seen = set()

    def add(label, argv, native, compare_stdout=True):
        key = tuple(argv)
        if key in seen:
            return
        seen.add(key)
        out.append(
            {"label": label, "argv": argv, "native": native, "compare_stdout": compare_stdout}
        )

    for path, native in COMMANDS:
        parser = leaf(cli, path)
        for action in options(parser):
            quiet = isinstance(action, (argparse._HelpAction, argparse._VersionAction))
            # `token create --json`: avn-token prints avn's "copy and safely store" box on
            # stderr, so stdout is JSON (the README's deliberate differences).
            quiet = quiet or (path[-2:] == ("token", "create") and action.dest == "json")
            for string in action.option_strings:
                spellings = long_prefixes(string) if string.startswith("--") else [string]
                for spelled in spellings:
                    label = f"{' '.join(path)}: {spelled} for {string}"
                    forms = [[spelled]]
                    if takes_value(action):
                        forms = [[spelled, SAMPLES[action.dest]]]
                        if spelled == spellings[0]:
                            forms.append([f"{spelled}={SAMPLES[action.dest]}"])
                    for form in forms:
                        argv = base_argv(parser, path, skip=action) + form
                        add(label, argv, native_of(argv, path, native), not quiet)
                if takes_value(action) and action.dest in HYPHEN_DESTS:
                    for value in HYPHEN_VALUES:
                        label = f"{' '.join(path)}: {string} {value!r}"
                        for form in ([string, value], [f"{string}={value}"]):
                            argv = base_argv(parser, path, skip=action) + form
                            add(label, argv, native_of(argv, path, native))
        for index, action in enumerate(positionals(parser)):
            if action.dest not in HYPHEN_DESTS:
                continue
            for value in HYPHEN_VALUES:
                argv = base_argv(parser, path)
                # The positionals come right after the command's words, in order.
                argv[len(path) + index] = value
                label = f"{' '.join(path)}: {action.dest} {value!r}"
                # avn-token never prints more of a token than a prefix's 12 characters
                # (it may be a whole token): the README's deliberate differences.
                shown_whole = action.dest != "token_prefix" or len(value) <= 12
                add(label, argv, native_of(argv, path, native), shown_whole)

    path, native = GLOBAL_BASE
    for action in options(cli.parser):
        quiet = isinstance(action, (argparse._HelpAction, argparse._VersionAction))
        # avn prints the HTTP exchange on stdout, in its own words.
        compare = not quiet and action.dest != "show_http"
        for string in action.option_strings:
            spellings = long_prefixes(string) if string.startswith("--") else [string]
            for spelled in spellings:
                form = [spelled, SAMPLES[action.dest]] if takes_value(action) else [spelled]
                argv = form + list(path)
                add(f"global {spelled} for {string}", argv, native_of(argv, path, native), compare)
    return out


def build():
    from aiven.client.cli import AivenCLI

    cli = AivenCLI()
    cli.extend_commands(cli)
    # `run` adds the commands each time it parses: once is enough for every case.
    cli.extend_commands = lambda _sub: None
    return cli


def option_table(cli):
    table = {"": [s for a in options(cli.parser) for s in a.option_strings]}
    for path, _ in COMMANDS:
        parser = leaf(cli, path)
        table[" ".join(path)] = [s for a in options(parser) for s in a.option_strings]
    return table


def run_case(cli, argv):
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            status = cli.run(list(argv)) or 0
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else 1
        except Exception:  # a crash: Python exits 1 with a traceback
            status = 1
    return status, stdout.getvalue()


def main():
    cli = build()
    if sys.argv[1:] == ["options"]:
        print(json.dumps(option_table(cli), indent=1))
        return
    if len(sys.argv) != 3 or sys.argv[1] != "run":
        sys.exit(__doc__)
    url = sys.argv[2]
    results = []
    for number, case in enumerate(cases(cli)):
        urllib.request.urlopen(f"{url}/__case__/{number}").read()
        argv = [word.replace("{URL}", url).replace("{CA}", "/nonexistent/ca.pem") for word in case["argv"]]
        case["status"], case["stdout"] = run_case(cli, argv)
        results.append(case)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
