"""`make package` builds what `sam build` (and so `make deploy`) builds.

`sam build` builds each function with aws-lambda-builders' rust-cargolambda workflow, one
`cargo lambda build … --bin <Binary>` per function in its CodeUri; a cold `sam build` takes
20 minutes here, one LTO link per function in turn, too long for make test. scripts/package.sh
runs the same build for every binary at once. This asks SAM's own builder which command it
would run for each function of infra/template.yaml, and checks that package.sh's command has
the same flags in the same package, and builds that binary.

Run by make test (infra-check) with the SAM CLI's venv: .venvs/infra/bin/python -m unittest
discover -s infra -p test_package.py
"""

import subprocess
import unittest
from pathlib import Path

from aws_lambda_builders.workflow import BuildMode
from aws_lambda_builders.workflows.rust_cargo.actions import RustCargoLambdaBuildAction
from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parent.parent


class Cargo:
    binary_path = "cargo"


def functions(template: dict):
    defaults = template.get("Globals", {}).get("Function", {})
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = {**defaults, **resource.get("Properties", {})}
        yield logical_id, properties, resource["Metadata"]


def sam_command(properties: dict, metadata: dict) -> list:
    action = RustCargoLambdaBuildAction(
        source_dir=str((ROOT / "infra" / properties["CodeUri"]).resolve()),
        binaries={"cargo": Cargo()},
        mode=BuildMode.RELEASE,  # sam build's default, what make deploy runs
        subprocess_cargo_lambda=None,
        runtime=properties["Runtime"],
        architecture=properties["Architectures"][0],
        handler=metadata["BuildProperties"]["Binary"],
    )
    return action.build_command()


def package_command() -> list:
    printed = subprocess.run([str(ROOT / "scripts/package.sh"), "--print-command"],
                             check=True, capture_output=True, text=True).stdout
    return printed.split()


def package_binaries(command: list) -> set:
    """What the command builds: every binary of the package it names."""
    package = command[command.index("-p") + 1]
    return {p.stem for p in (ROOT / package / "src" / "bin").glob("*.rs")}


class PackageBuildsWhatSamBuilds(unittest.TestCase):
    def test_each_functions_sam_build_command_is_the_package_command_for_its_binary(self):
        template = cfn_yaml.loads((ROOT / "infra/template.yaml").read_text())
        package = package_command()
        built = package_binaries(package)
        seen = 0
        for logical_id, properties, metadata in functions(template):
            self.assertEqual(metadata.get("BuildMethod"), "rust-cargolambda", logical_id)
            command = sam_command(properties, metadata)
            binary = command[command.index("--bin") + 1]
            flags = [arg for arg in command if arg not in ("--bin", binary)]
            self.assertEqual(flags[:3], package[:3], f"{logical_id}: not `cargo lambda build`")
            for flag in flags[3:]:
                self.assertIn(flag, package, f"{logical_id}: sam build passes {flag}, make package does not")
            # SAM builds in the function's CodeUri: the package make package names.
            source = (ROOT / "infra" / properties["CodeUri"]).resolve()
            self.assertEqual(source, ROOT / package[package.index("-p") + 1], logical_id)
            self.assertIn(binary, built, f"{logical_id}: make package does not build {binary}")
            seen += 1
        self.assertGreater(seen, 0)


if __name__ == "__main__":
    unittest.main()
