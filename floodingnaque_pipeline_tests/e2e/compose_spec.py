"""`docker compose config` without a container engine: interpolate, then validate against the
Compose specification's JSON schema (the copy check-jsonschema ships, from PyPI).

Interpolation follows the spec: `$$` is a literal `$`; `${VAR}` / `$VAR`; `${VAR:-default}`
(unset or empty) and `${VAR-default}` (unset); `${VAR:?message}` / `${VAR?message}` fail with
the message; `${VAR:+other}` / `${VAR+other}`. Values come from the env file only, as with
`docker compose --env-file FILE` in an empty environment.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<plain>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\})"
)


class ComposeError(ValueError):
    """What `docker compose config` would refuse, with its reason."""


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and `#` comments skipped, one level of quotes removed."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.removeprefix("export ").strip()] = value
    return values


def _interpolate_text(text: str, env: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["plain"] or match["name"]
        op, arg, value = match["op"], match["arg"] or "", env.get(name)
        missing = value is None or (op is not None and op.startswith(":") and value == "")
        if op in (":-", "-"):
            return arg if missing else value
        if op in (":?", "?"):
            if missing:
                raise ComposeError(f"required variable {name} is missing a value: {arg}")
            return value
        if op in (":+", "+"):
            return "" if missing else arg
        return value or ""

    return _VARIABLE.sub(replace, text)


def _interpolate(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, str):
        return _interpolate_text(node, env)
    if isinstance(node, list):
        return [_interpolate(item, env) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate(value, env) for key, value in node.items()}
    return node


def compose_schema() -> dict:
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads((vendor / "compose-spec.json").read_text(encoding="utf-8"))


def compose_config(compose_file: Path, env_file: Path) -> dict:
    """The interpolated, schema-valid model of `compose_file`; ComposeError otherwise."""
    raw = yaml.safe_load(compose_file.read_text(encoding="utf-8"))  # resolves anchors and <<
    config = _interpolate(raw, read_env_file(env_file))
    validator = jsonschema.Draft202012Validator(compose_schema())
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        raise ComposeError(
            "; ".join(
                f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors
            )
        )
    return config
