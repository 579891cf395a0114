#!/usr/bin/env bash
# `npm test`: the type-check and ESLint (`npm run checks`) run beside mocha's workers, not
# before them: the workers often wait (on timers, child processes, the packing of the package),
# and the checks use that idle core instead of adding their own minutes. Their output is shown
# after the tests; the run fails if the tests or the checks fail. Extra arguments go to mocha;
# test files among them (`npm test -- tests/ghes/shellQuote.test.ts`) replace "every test file".
set -u
log=$(mktemp "${TMPDIR:-/tmp}/ghes-packages-checks.XXXXXX")
# Mocha and the checks each run in a process group of their own (setsid), waited for in the
# background: bash runs a trap only once its foreground command ends, and a background job of
# a script ignores Ctrl-C, so an interrupted run (Ctrl-C, or TERM from CI) ends both groups
# itself, with every worker and child in them.
groups=()
trap 'for g in "${groups[@]}"; do kill -- -"$g" 2>/dev/null; done; rm -f "$log"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
setsid npm run -s checks >"$log" 2>&1 &
checks=$!
groups+=("$checks")
# Every test file, the longest first (tests/support/testOrder.ts), unless test files are given.
# Words that are not options, nor the value of one of mocha's options that take a value, are
# test files, folders or globs.
specs=()
given=
value=
for arg in "$@"; do
    if [ -n "$value" ]; then
        [ "$value" = --spec ] && given=1
        value=
        continue
    fi
    case $arg in
        -g | --grep | -f | --fgrep | -R | --reporter | -O | --reporter-option | --reporter-options | -r | --require | --file | \
            --config | --package | -t | --timeout | --timeouts | -j | --jobs | --ignore | --exclude | --extension | -s | --slow | \
            --retries | -u | --ui | -n | --node-option | --spec) value=$arg ;;
        -*) ;;
        *) given=1 ;;
    esac
done
if [ -z "$given" ]; then
    mapfile -t specs < <(node -r sucrase/register/ts tests/support/testOrder.ts)
    ((${#specs[@]})) || specs=('tests/**/*.test.ts')
fi
setsid mocha "${specs[@]}" "$@" </dev/null &
tests=$!
groups+=("$tests")
wait "$tests"
tests=$?
wait "$checks"
checked=$?
groups=()
if ((checked)); then
    printf '\n  FAILED: the type-check or lint (npm run checks) exited %s:\n\n' "$checked"
    cat "$log"
else
    printf '  type-check and lint (npm run checks): passed\n'
fi
exit $((tests ? tests : checked))
