#!/usr/bin/env bash
# fetch.sh downloads PINNED versions of GitHub's published descriptions with
# `npm pack` into a temporary directory, checks them against the pinned
# integrity hashes, and derives the small files that conformance_test.go
# validates the simulator against (derive.js). Only the derived files
# (rest.json, webhooks.json, examples.json) and the inputs (routes.json,
# this script, derive.js) are committed; the packages (~30 MB) are deleted
# on exit. Running it again with the same pins rewrites identical files.
#
# Usage: internal/githubsim/testdata/conformance/fetch.sh
# Needs: npm, node, tar and access to the npm registry.
# To move to newer versions: change a pin, set its integrity to the value of
# `npm view @octokit/NAME@VERSION dist.integrity`, run this script, then
# `go test ./internal/githubsim/ -run Conformance` and fix what it reports.
set -euo pipefail

OPENAPI_VERSION=23.0.2
OPENAPI_INTEGRITY=sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg==
WEBHOOKS_SCHEMAS_VERSION=7.6.1
WEBHOOKS_SCHEMAS_INTEGRITY=sha512-qW0Bwtb76r4m2WzVhKDyfEeEnt1GEQoRjkCqmq2ZeB0nNVDJ+Z2LBDS9FDPyduuMXf/ZTWiCJp9PFFHgRfBe3A==
WEBHOOKS_EXAMPLES_VERSION=7.6.1
WEBHOOKS_EXAMPLES_INTEGRITY=sha512-De6U3XB6O3DtCa7bKgCMzTHdeopqqZ6SNivMYJnK65ierKL1AnNIA0tkRYCRS7lwGT792d+Ps1WbfHlso6MynQ==

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=/dev/null
source "$here/../../../npmpin/unpack.sh"

unpack openapi "@octokit/openapi@${OPENAPI_VERSION}" "$OPENAPI_INTEGRITY"
unpack webhooks-schemas "@octokit/webhooks-schemas@${WEBHOOKS_SCHEMAS_VERSION}" "$WEBHOOKS_SCHEMAS_INTEGRITY"
unpack webhooks-examples "@octokit/webhooks-examples@${WEBHOOKS_EXAMPLES_VERSION}" "$WEBHOOKS_EXAMPLES_INTEGRITY"

node "$here/derive.js" "$tmp" "$here"
ls -l "$here"/*.json
