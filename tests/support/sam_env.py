"""The environment `sam local invoke --env-vars FILE` gives each function, resolved by aws-sam-cli's own
code (its template reader and LocalLambdaRunner._make_env_vars), without Docker.

Run with .venv-sam/bin/python: python tests/support/sam_env.py TEMPLATE ENV_VARS_FILE
Prints {"<LogicalId>": {VAR: value}} as JSON.
"""
import json
import os
import sys

from samcli.commands.local.cli_common.invoke_context import InvokeContext
from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider


def main(template: str, env_vars_file: str) -> None:
    stacks, _ = SamLocalStackProvider.get_stacks(template, parameter_overrides={})
    provider = SamFunctionProvider(stacks)
    runner = LocalLambdaRunner(
        local_runtime=None, function_provider=provider, cwd=os.path.dirname(os.path.abspath(template)),
        real_path=os.path.dirname(os.path.abspath(template)), aws_region="us-east-1",
        env_vars_values=InvokeContext._get_env_vars_value(env_vars_file),
    )
    out = {fn.name: runner._make_env_vars(fn).resolve() for fn in provider.get_all()}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:3])
