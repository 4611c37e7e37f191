#!/usr/bin/env bash
# The action's check step: `accord dbt check` on the manifest; the Markdown summary goes to
# $GITHUB_STEP_SUMMARY (accord writes it there itself), breaking changes become annotations on
# the YAML that declares the model, the step's outputs say what happened, and the exit status
# fails the job: 1 on a breaking change (per fail-on), 2 when the check could not run.
set -uo pipefail

manifest="${INPUT_MANIFEST:-target/manifest.json}"
environment="${INPUT_ENVIRONMENT:-production}"
fail_on="${INPUT_FAIL_ON:-consumers}"

if [[ -z "${ACCORD_URL:-}" || -z "${ACCORD_API_KEY:-}" ]]; then
    echo "::error title=Accord contract check::accord-url and api-key are required (pass the key from a secret)."
    echo "exit-code=2" >> "${GITHUB_OUTPUT:-/dev/null}"
    echo "breaking=false" >> "${GITHUB_OUTPUT:-/dev/null}"
    exit 2
fi
if [[ ! -f "$manifest" ]]; then
    echo "::error title=Accord contract check::No dbt manifest at $manifest: run \`dbt parse\` (or compile/build) before this step, or set the manifest input."
    echo "exit-code=2" >> "${GITHUB_OUTPUT:-/dev/null}"
    echo "breaking=false" >> "${GITHUB_OUTPUT:-/dev/null}"
    exit 2
fi

accord dbt check "$manifest" --environment "$environment" --fail-on "$fail_on"
status=$?

echo "exit-code=$status" >> "${GITHUB_OUTPUT:-/dev/null}"
if [[ $status -eq 1 ]]; then
    echo "breaking=true" >> "${GITHUB_OUTPUT:-/dev/null}"
else
    echo "breaking=false" >> "${GITHUB_OUTPUT:-/dev/null}"
fi
if [[ $status -eq 2 && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    printf '## Accord contract check: could not run\n\nSee the step log for the reason.\n' >> "$GITHUB_STEP_SUMMARY"
fi
exit $status
