#!/usr/bin/env bash
# The walk-through of README.md and docs/user-guide.md, end to end, against the demo realm:
# tokens, the active-but-useless token, whoami, a policy and a client created through the config
# API, the binding, the dry run (evaluate), the sticky deny, then cleanup.
#
#   examples/walkthrough.sh [BASE_URL]     BASE_URL defaults to http://localhost:8080
#
# Start the demo first (./run-demo.sh). Needs bash, curl, sed and grep only. Safe to run again and
# again: the policy and client it creates get unique names and are deleted at the end (also when a
# step fails). Exits non-zero at the first unexpected answer, printing what it expected and what
# it got. WalkthroughIT runs it twice in a row in mvn verify.
set -euo pipefail

BASE="${1:-http://localhost:8080}"
R="$BASE/realms/demo"
RUN="$(date +%s)-$$"
TMP="$(mktemp -d)"
POLICY_ID=""
CLIENT_ID=""
ADMIN=""

fail() {
  echo "FAIL: $1" >&2
  echo "--- last answer: HTTP ${STATUS:-?}" >&2
  cat "$TMP/headers" "$TMP/body" >&2 2>/dev/null || true
  echo >&2
  exit 1
}

# call EXPECTED_STATUS WHAT METHOD URL [curl options…]: the answer in $STATUS, $TMP/headers, $TMP/body
call() {
  local expected="$1" what="$2" method="$3" url="$4"
  shift 4
  STATUS="$(curl -s -m 30 --path-as-is -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' -X "$method" "$url" "$@")" \
    || fail "$what: curl could not reach $url (is the demo running? ./run-demo.sh)"
  [[ "$STATUS" == "$expected" ]] || fail "$what: expected HTTP $expected, got $STATUS"
  echo "ok  $STATUS  $what"
}

# body_has TEXT WHAT / body_lacks TEXT WHAT: a fixed string in the last answer's body, or not
body_has() { grep -qF -- "$1" "$TMP/body" || fail "$2: expected the body to contain $1"; }
body_lacks() { ! grep -qF -- "$1" "$TMP/body" || fail "$2: expected the body not to contain $1"; }
header_has() { grep -qiF -- "$1" "$TMP/headers" || fail "$2: expected a header line containing $1"; }
json_string() { grep -o "\"$1\":\"[^\"]*\"" "$TMP/body" | head -n 1 | cut -d'"' -f4; }

# token CLIENT SECRET SCOPE: a client_credentials token; its response stays in $TMP/body
token() {
  call 200 "token of $1 for scope '$3'" POST "$R/protocol/openid-connect/token" \
    -d grant_type=client_credentials -d "client_id=$1" -d "client_secret=$2" \
    --data-urlencode "scope=$3"
  TOKEN="$(json_string access_token)"
  [[ -n "$TOKEN" ]] || fail "token of $1: no access_token in the answer"
}

cleanup() {
  local status=$?
  if [[ -n "$ADMIN" ]]; then
    [[ -z "$CLIENT_ID" ]] || curl -s -m 30 -o /dev/null -X DELETE "$R/config/clients/$CLIENT_ID" \
      -H "Authorization: Bearer $ADMIN" || true
    [[ -z "$POLICY_ID" ]] || curl -s -m 30 -o /dev/null -X DELETE "$R/config/tokenPolicies/$POLICY_ID" \
      -H "Authorization: Bearer $ADMIN" || true
  fi
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT

echo "== the active-but-useless token ($R)"
token config-reader config-reader-secret '.:**'
body_has '"scope":".:**"' "config-reader asks for .:**"
READER="$TOKEN"
call 200 "config-reader reads the policies" GET "$R/config/tokenPolicies" \
  -H "Authorization: Bearer $READER"
body_has '"tokenPolicies"' "the list of policies"
call 403 "config-reader may not write" POST "$R/config/tokenPolicies" \
  -H "Authorization: Bearer $READER" -H 'Content-Type: application/json' \
  -d '{"title":"x","allowedScopes":[]}'
header_has 'scope="*:config/tokenPolicies"' "the 403 names the scope that would allow it"
body_has '"error":"insufficient_scope"' "the 403's body"

token config-admin config-admin-secret 'XXXXX'
body_lacks '"scope"' "XXXXX is dropped, the token is issued without a scope"
NONE="$TOKEN"
call 200 "config-admin introspects its own token" POST "$R/protocol/openid-connect/token/introspect" \
  -d client_id=config-admin -d client_secret=config-admin-secret -d "token=$NONE"
body_has '"active":true' "introspection: the token is active"
body_lacks '"scope"' "introspection: and it carries no scope"
call 403 "the active token can do nothing" GET "$R/config/tokenPolicies" \
  -H "Authorization: Bearer $NONE"
call 200 "whoami explains it" GET "$R/config/whoami" -H "Authorization: Bearer $NONE"
body_has '"grants":[]' "whoami: no grants"

echo "== whoami"
call 200 "whoami for config-reader, with a decision" GET \
  "$R/config/whoami?method=GET&path=config/clients/abc/secret" -H "Authorization: Bearer $READER"
body_has '"clientId":"config-reader"' "whoami names the client"
body_has '"allowed":false' "reading a secret needs write"
body_has '"requiredScope":"*:config/clients/abc/secret"' "whoami names the scope it needs"

echo "== config-admin creates a policy and a client bound to it"
token config-admin config-admin-secret '*:**'
body_has '-:config/tokenPolicies/8cdb3f99-ceee-403d-a01d-daf392e18350' "the sticky deny of config-admin's policy"
ADMIN="$TOKEN"
call 201 "create the policy 'Orders automation $RUN'" POST "$R/config/tokenPolicies" \
  -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d "{\"title\":\"Orders automation $RUN\",\"allowedScopes\":[\".:config/clients/**\"],\"accessTokenLifetime\":600}"
header_has 'ETag:' "the new policy's ETag"
POLICY_ID="$(sed -n 's|^[Ll]ocation: .*/config/tokenPolicies/\([^[:space:]]*\).*|\1|p' "$TMP/headers")"
[[ -n "$POLICY_ID" ]] || fail "no Location header naming the new policy"

call 201 "create the client orders-bot-$RUN, bound to the policy" POST "$R/config/clients" \
  -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d "{\"clientId\":\"orders-bot-$RUN\",\"tokenPolicies\":[\"$POLICY_ID\"]}"
CLIENT_ID="$(sed -n 's|^[Ll]ocation: .*/config/clients/\([^[:space:]]*\).*|\1|p' "$TMP/headers")"
SECRET="$(json_string secret)"
[[ -n "$CLIENT_ID" ]] || fail "no Location header naming the new client"
[[ -n "$SECRET" ]] || fail "the new client's secret is shown once, at its creation"

echo "== the binding: orders-bot's tokens follow the policy"
token "orders-bot-$RUN" "$SECRET" '.:config/clients/** *:config/clients/**'
body_has '"scope":".:config/clients/**"' "the read scope granted, the write scope dropped"
body_has '"expires_in":600' "the policy's lifetime"
BOT="$TOKEN"
call 200 "orders-bot reads the clients" GET "$R/config/clients" -H "Authorization: Bearer $BOT"
call 403 "orders-bot may not write" PUT "$R/config/clients/$CLIENT_ID" \
  -H "Authorization: Bearer $BOT" -H 'Content-Type: application/json' -d '{"name":"x"}'

echo "== the dry run: what would orders-bot get, and why?"
call 200 "evaluate orders-bot" POST "$R/config/clients/$CLIENT_ID/evaluate" \
  -H "Authorization: Bearer $READER" -H 'Content-Type: application/json' \
  -d '{"scope":"*:config/clients/** .:config/clients/** XXXXX"}'
body_has '"bound":true' "evaluate: the client is bound"
body_has '"scope":".:config/clients/**"' "evaluate: the scope a token would carry"
body_has '"reason":"only read access' "evaluate: why the write scope is dropped"

echo "== the sticky deny protects config-admin's own policy, whatever the spelling"
call 403 "config-admin deletes its own policy" DELETE \
  "$R/config/tokenPolicies/8cdb3f99-ceee-403d-a01d-daf392e18350" -H "Authorization: Bearer $ADMIN"
call 400 "the same through a dot segment" DELETE \
  "$R/config/tokenPolicies/x/../8cdb3f99-ceee-403d-a01d-daf392e18350" -H "Authorization: Bearer $ADMIN"

echo "== cleanup"
call 409 "a bound policy cannot be deleted" DELETE "$R/config/tokenPolicies/$POLICY_ID" \
  -H "Authorization: Bearer $ADMIN"
call 204 "delete the client" DELETE "$R/config/clients/$CLIENT_ID" -H "Authorization: Bearer $ADMIN"
CLIENT_ID=""
call 204 "delete the policy" DELETE "$R/config/tokenPolicies/$POLICY_ID" -H "Authorization: Bearer $ADMIN"
POLICY_ID=""
echo "walk-through passed"
