#!/usr/bin/env bash
# A CI step of the kind Echoes documents: declares the release of the checked-out tag (its version, the
# commits since the previous tag, the tag's commit and the deliverables it ships), then reports it succeeded.
# Pointed at Slipway by ECHOES_API and ECHOES_API_KEY alone; needs git, curl and jq.
set -euo pipefail
ECHOES_API="${ECHOES_API:-https://api.echoeshq.com}"
: "${ECHOES_API_KEY:?set ECHOES_API_KEY}"
DELIVERABLES="${DELIVERABLES:-mobile-app}"

version=$(git describe --tags --abbrev=0)
previous=$(git describe --tags --abbrev=0 "${version}^" 2>/dev/null || true)
range="${previous:+${previous}..}${version}"
ref=$(git rev-list -n 1 "$version")

payload=$(jq -n \
  --arg version "$version" \
  --arg ref "$ref" \
  --argjson commits "$(git log --format=%H "$range" | jq -R . | jq -s .)" \
  --argjson deliverables "$(printf '%s\n' $DELIVERABLES | jq -R . | jq -s .)" \
  '{version: $version, ref: $ref, commits: $commits, deliverables: $deliverables}')

status=$(curl -sS -o response.json -D headers.txt -w '%{http_code}' \
  -X POST "$ECHOES_API/v1/signals/releases" \
  -H "Authorization: Bearer $ECHOES_API_KEY" \
  -H 'Content-Type: application/json' \
  -d "$payload")
case "$status" in
  201 | 303) ;;
  *)
    echo "the release was refused ($status): $(cat response.json)" >&2
    exit 1
    ;;
esac
release_id=$(jq -r .id response.json)
echo "release $release_id $status $(grep -i '^location:' headers.txt | tr -d '\r')"

curl -sS --fail-with-body -o /dev/null -X PATCH "$ECHOES_API/v1/signals/releases/$release_id" \
  -H "Authorization: Bearer $ECHOES_API_KEY" \
  -H 'Content-Type: application/json' \
  -d '{"status": "success"}'
