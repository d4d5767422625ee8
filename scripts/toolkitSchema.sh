#!/usr/bin/env bash
# Puts the Microsoft 365 Agents Toolkit's JSON schema for m365agents*.yml in node_modules/.cache/,
# taken from the toolkit CLI's package (which ships it) without installing the CLI.
# test/teams/agentsToolkitProject.test.ts validates the project files against it when it is there.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI="@microsoft/m365agentstoolkit-cli@1.1.17"
SCHEMA_VERSION="v1.9"
target="node_modules/.cache/m365agents-toolkit/yaml.schema.${SCHEMA_VERSION}.json"
[ -s "$target" ] && exit 0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npm pack "$CLI" --pack-destination "$work" --silent >/dev/null
tar -xzf "$work"/*.tgz -C "$work" "package/resource/yaml-schema/${SCHEMA_VERSION}/yaml.schema.json"
mkdir -p "$(dirname "$target")"
cp "$work/package/resource/yaml-schema/${SCHEMA_VERSION}/yaml.schema.json" "$target"
echo "Agents Toolkit yaml schema ${SCHEMA_VERSION} (from ${CLI}): $target"
