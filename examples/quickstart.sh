#!/bin/sh
# A tour of avn-token against the offline sandbox. Run it with:
#
#   cargo run -q -- sandbox --exec -- sh examples/quickstart.sh
#
# `sandbox --exec` starts a local Aiven-compatible API, sets AIVEN_WEB_URL and
# AIVEN_AUTH_TOKEN for this script, gives it Aiven settings of its own (your credentials
# file is out of its reach), puts the running avn-token first on PATH, and stops the
# sandbox when the script ends (exiting with the script's status).
set -eu

echo "# create a token that expires in an hour; -q prints only the token"
token=$(avn-token create --description "quickstart demo" --expires-in 1h -q)
prefix=$(printf '%s' "$token" | cut -c1-12)
echo "created a token starting with $prefix"

echo
echo "# create another, avn-style, and list them (the same table avn prints)"
avn-token create --description "CI deploys" --max-age-seconds 3600 --extend-when-used
avn-token list

echo
echo "# rename the first one, then look at it in detail"
avn-token update "$prefix" --description "quickstart demo (renamed)" >/dev/null
avn-token info "$prefix"

echo
echo "# scripts read JSON"
avn-token list --json | grep -c '"token_prefix"' | sed 's/^/tokens listed as JSON: /'

echo
echo "# revoke it"
avn-token revoke "$prefix"

echo
echo "# the token in use (the sandbox login) is protected: revoking it needs --force"
avn-token revoke "$AIVEN_AUTH_TOKEN" || echo "(refused, exit code $?)"

echo
echo "# a view for people: relative times, and the token in use marked"
avn-token list --relative

echo
echo "# CI should use an application user's token: make a user, give it a token for a day"
avn-token application-user create --name ci-bot >/dev/null
avn-token create --app-user ci-bot --description "deploys" --expires-in 1d -q >/dev/null
avn-token list --app-user ci-bot

echo
echo "# which tokens should worry us? (exit 5 when there are findings)"
avn-token audit || echo "(findings, exit code $?)"
