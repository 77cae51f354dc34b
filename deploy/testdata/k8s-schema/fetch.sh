#!/usr/bin/env bash
# fetch.sh downloads PINNED versions of the Kubernetes API schemas published
# on npm with `npm pack` into a temporary directory, checks them against the
# pinned integrity hashes, and derives schemas.json, the one file
# deploy_test.go validates the manifests in deploy/kubernetes/ against
# (derive.js). Only schemas.json, this script and derive.js are committed;
# the packages are deleted on exit. Running it again with the same pins
# rewrites an identical file.
#
# The source: kubernetes-models (github.com/tommy351/kubernetes-models-ts)
# turns the OpenAPI definitions of Kubernetes 1.27.1 into JSON Schema, one
# file per definition, the apimachinery types (ObjectMeta, LabelSelector,
# IntOrString, Quantity) in @kubernetes-models/apimachinery. 4.3.1 is the
# last release that ships the schemas as data: from 4.4.0 on they ship only
# compiled into JavaScript validator functions, which no other validator
# can read.
#
# Usage: deploy/testdata/k8s-schema/fetch.sh
# Needs: npm, node, tar and access to the npm registry.
# To move to newer versions: change a pin, set its integrity to the value of
# `npm view NAME@VERSION dist.integrity`, run this script, then
# `go test ./deploy/ -run Kubernetes` and fix what it reports.
set -euo pipefail

MODELS_VERSION=4.3.1
MODELS_INTEGRITY=sha512-0/8E6tfDGo1mKq0g2gTfUwbBv9oaSQ+xjQ5xjCb4NRZD0nTvErwzBoEijym3eGX+L2RJjNKIBhI9k6VTj1dQWA==
APIMACHINERY_VERSION=1.2.2
APIMACHINERY_INTEGRITY=sha512-d7r1sojRKFPJOgR7Oefh7hlzSZzCEi1hno8Rz6vD96gwmsBOi7KijUcOXnFJ7pgaw3jGuAr62idBkrBbqBz4XA==

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=/dev/null
source "$here/../../../internal/npmpin/unpack.sh"

unpack models "kubernetes-models@${MODELS_VERSION}" "$MODELS_INTEGRITY"
unpack apimachinery "@kubernetes-models/apimachinery@${APIMACHINERY_VERSION}" "$APIMACHINERY_INTEGRITY"

node "$here/derive.js" "$tmp" "$here"
ls -l "$here/schemas.json"
