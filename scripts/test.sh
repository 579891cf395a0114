#!/usr/bin/env bash
# `npm test`: the type-check and ESLint (`npm run checks`) run beside mocha's two workers, not
# before them: the workers often wait (on timers, child processes, the packing of the package),
# and the checks use that idle core instead of adding their own minutes. Their output is shown
# after the tests; the run fails if the tests or the checks fail. Extra arguments go to mocha.
set -u
log=$(mktemp "${TMPDIR:-/tmp}/ghes-packages-checks.XXXXXX")
# The checks run in a process group of their own (setsid), so that an interrupted run ends
# them too (a background job of a script ignores Ctrl-C).
checks=
trap '[ -n "$checks" ] && kill -- -"$checks" 2>/dev/null; rm -f "$log"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
setsid npm run -s checks >"$log" 2>&1 &
checks=$!
mocha 'tests/**/*.test.ts' "$@"
tests=$?
wait "$checks"
checked=$?
checks=
if ((checked)); then
    printf '\n  FAILED: the type-check or lint (npm run checks) exited %s:\n\n' "$checked"
    cat "$log"
else
    printf '  type-check and lint (npm run checks): passed\n'
fi
exit $((tests ? tests : checked))
