#!/usr/bin/env python3
"""Validate errscope catalogs against catalog/schema.json.

Usage: scripts/validate-catalogs.py [--schema PATH] [--yaml-1.1] [PATH ...]

With no PATH, checks every catalog/*.yaml next to this script. A PATH may be a file or a
folder (its *.yaml, *.yml and *.json files, schema.json excepted). Prints one
`file:line: message` per problem and a one-line summary; exits 1 if anything is wrong.

Scalars are read the way errscope reads them, with YAML 1.2 core-schema rules (only
true/false are booleans, so `retry: no` is the string "no"). --yaml-1.1 reads them the way
PyYAML does by default instead (yes/no/on/off are booleans, dates are dates).

Needs `jsonschema` (4.x) and `PyYAML`:  python3 -m pip install jsonschema pyyaml
This checks what the schema checks; `errscope catalog lint` checks more (duplicates,
unknown references, incomplete mappings).
"""

import argparse
import datetime
import json
import os
import re
import sys

try:
    import yaml
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
except ImportError as e:  # pragma: no cover
    sys.stderr.write(f"validate-catalogs: {e}; install them with: python3 -m pip install jsonschema pyyaml\n")
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG_DIR = os.path.normpath(os.path.join(HERE, "..", "catalog"))
CATALOG_SUFFIXES = (".yaml", ".yml", ".json")


# --------------------------------------------------------------------------- YAML reading

class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars, like errscope's loader (Yams)."""


# Start from no implicit resolvers (not a copy of SafeLoader's YAML 1.1 ones).
Yaml12Loader.yaml_implicit_resolvers = {}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"), list("-+.0123456789"))


def _construct_decimal_int(loader, node):
    # YAML 1.2: "012" is 12 (PyYAML's 1.1 constructor would read it as octal).
    return int(loader.construct_scalar(node), 10)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_decimal_int)


class Yaml11Loader(yaml.SafeLoader):
    """PyYAML's own YAML 1.1 reading, for --yaml-1.1."""


def read_document(text, loader_class):
    """Returns (node, data): the composed node graph (for line numbers) and the data."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def to_json(value):
    """Data as JSON would have it: string keys, dates as ISO text."""
    if isinstance(value, dict):
        return {json_key(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def json_key(k):
    if k is None:
        return "null"
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, (datetime.date, datetime.datetime)):
        return k.isoformat()
    return str(k)


# --------------------------------------------------------------------------- locations

def _mapping_pairs(node, seen=None):
    """(key node, value node) pairs of a mapping node, following `<<` merges (best effort)."""
    seen = seen if seen is not None else set()
    if id(node) in seen:
        return
    seen.add(id(node))
    merged = []
    for k, v in node.value:
        if k.tag == "tag:yaml.org,2002:merge":
            merged.extend(v.value if isinstance(v, yaml.SequenceNode) else [v])
        else:
            yield k, v
    for m in merged:
        if isinstance(m, yaml.MappingNode):
            yield from _mapping_pairs(m, seen)


def find_key(node, key):
    """The (key node, value node) for `key` in a mapping node, or (None, None)."""
    if not isinstance(node, yaml.MappingNode):
        return None, None
    found = (None, None)
    for k, v in _mapping_pairs(node):
        if isinstance(k, yaml.ScalarNode) and (k.value == key or json_key_of_scalar(k) == key):
            found = (k, v)  # the last one wins, as in the data
    return found


def json_key_of_scalar(node):
    v = node.value
    if node.tag == "tag:yaml.org,2002:null":
        return "null"
    if node.tag == "tag:yaml.org,2002:bool":
        return "true" if v.lower() in ("true", "yes", "on") else "false"
    if node.tag == "tag:yaml.org,2002:int":
        try:
            return str(int(v, 10))
        except ValueError:
            return v
    return v


def node_at(root, path):
    """The deepest node reached by following a JSON path from the root node."""
    node = root
    for part in path:
        if isinstance(part, int) and isinstance(node, yaml.SequenceNode):
            if part >= len(node.value):
                break
            node = node.value[part]
        elif isinstance(node, yaml.MappingNode):
            _, value = find_key(node, str(part))
            if value is None:
                break
            node = value
        else:
            break
    return node


def line_of(node):
    return node.start_mark.line + 1 if node is not None and node.start_mark is not None else None


# --------------------------------------------------------------------------- messages

def path_text(path):
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.match(r"^[A-Za-z_$][A-Za-z0-9_$-]*$", str(part)):
            out += ("." if out else "") + str(part)
        else:
            out += f"[{json.dumps(str(part))}]"
    return out or "(top level)"


def short(value, limit=60):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def unexpected_keys(error):
    """Keys an additionalProperties: false error is about."""
    schema = error.schema
    allowed = set(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [k for k in error.instance if k not in allowed and not any(p.search(k) for p in patterns)]


def value_text(value):
    return json.dumps(value, ensure_ascii=False)


def describe(error):
    """(message, subpath, key) for one schema error: a readable message, the path below
    error.absolute_path it is about, and a mapping key there it is about (or None)."""
    v = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    desc = schema.get("description")
    hint = f" ({desc.rstrip('.')})" if desc else ""
    if "propertyNames" in error.schema_path:
        # jsonschema reports a bad mapping key at the mapping; point at the key itself.
        return f"key {short(error.instance)} is not allowed{hint}", [], str(error.instance)
    if v == "additionalProperties" and isinstance(error.instance, dict):
        keys = unexpected_keys(error)
        allowed = ", ".join(sorted(schema.get("properties", {})))
        msg = f"unknown key {', '.join(f'`{k}`' for k in keys)} (allowed: {allowed})"
        return msg, [], (keys[0] if keys else None)
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"`{missing}` is required", [], None
    if v == "dependentRequired":
        # One error per missing property; find the key that needs it.
        deps = schema.get("dependentRequired", {})
        inst = error.instance if isinstance(error.instance, dict) else {}
        for key, needed in deps.items():
            missing = [d for d in needed if d not in inst]
            if key in inst and missing:
                return f"`{key}` needs {', '.join(f'`{d}`' for d in missing)} in the same file", [], key
        return error.message, [], None
    if v in ("anyOf", "oneOf"):
        # Prefer an error further down (a list item, a key): it is more precise than "not valid".
        deeper = [e for e in (error.context or []) if len(e.relative_path) > 0]
        if deeper:
            best = max(deeper, key=lambda e: len(e.relative_path))
            msg, sub, key = describe(best)
            return msg, list(best.relative_path) + sub, key
        return f"{short(error.instance)} is not valid here{hint}", [], None
    if v == "enum":
        allowed = ", ".join(value_text(x) for x in error.validator_value)
        return f"{short(error.instance)} is not one of {allowed}{hint}", [], None
    if v == "const":
        return f"{short(error.instance)} is not allowed; expected {value_text(error.validator_value)}{hint}", [], None
    if v == "minItems" and error.validator_value == 1 and not error.instance:
        return f"must not be empty{hint}", [], None
    if v in ("pattern", "type", "minimum", "maximum", "minLength"):
        return f"{error.message}{hint}", [], None
    return error.message, [], None


# --------------------------------------------------------------------------- checking

def catalog_files(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                if name.startswith(".") or not name.endswith(CATALOG_SUFFIXES) or name == "schema.json":
                    continue
                out.append(os.path.join(p, name))
        else:
            out.append(p)
    return out


def check_file(path, validator, loader_class):
    """Returns a list of (line or None, message)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        return [(None, f"cannot read the file: {e.strerror or e}")]
    text = raw.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        node, data = read_document(text, loader_class)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = " ".join(x for x in (e.context, e.problem) if x)
        if text.lstrip().startswith("{"):
            # JSON is YAML, but PyYAML is YAML 1.1 and refuses some JSON (tabs, "\/"): try JSON itself.
            try:
                data = json.loads(text)
                node = None
            except json.JSONDecodeError as je:
                return [(je.lineno, f"invalid JSON: {je.msg}")]
        else:
            return [((mark.line + 1) if mark else None, f"invalid YAML: {problem}")]
    except yaml.YAMLError as e:
        return [(None, f"invalid YAML: {e}")]
    if node is None and data is None:
        return [(1, "empty catalog file (needs `errscope: 1`)")]

    data = to_json(data)
    problems = []
    for error in validator.iter_errors(data):
        message, sub, key = describe(error)
        path = list(error.absolute_path) + sub
        line = None
        if node is not None:
            target = node_at(node, path)
            if key is not None:
                key_node, _ = find_key(target, key)
                target = key_node or target
            line = line_of(target)
        problems.append((line, f"{path_text(path)}: {message}"))
    problems.sort(key=lambda p: (p[0] is None, p[0] or 0))
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description="Validate errscope catalogs against catalog/schema.json.")
    ap.add_argument("paths", nargs="*", help="catalog files or folders (default: catalog/*.yaml)")
    ap.add_argument("--schema", default=os.path.join(CATALOG_DIR, "schema.json"), help="schema to use")
    ap.add_argument("--yaml-1.1", dest="yaml11", action="store_true",
                    help="read scalars as PyYAML's YAML 1.1 does (yes/no are booleans)")
    args = ap.parse_args(argv)

    try:
        with open(args.schema, encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
    except (OSError, ValueError) as e:
        print(f"{args.schema}: cannot read the schema: {e}", file=sys.stderr)
        return 2
    except SchemaError as e:
        print(f"{args.schema}: not a valid JSON Schema: {e.message}", file=sys.stderr)
        return 2
    validator = Draft202012Validator(schema)
    loader_class = Yaml11Loader if args.yaml11 else Yaml12Loader

    if args.paths:
        files = catalog_files(args.paths)
    else:
        files = [os.path.join(CATALOG_DIR, n) for n in sorted(os.listdir(CATALOG_DIR)) if n.endswith(".yaml")]
        files = [os.path.relpath(f) if not os.path.relpath(f).startswith("..") else f for f in files]
    if not files:
        print("validate-catalogs: no catalog files found", file=sys.stderr)
        return 1

    errors = 0
    bad_files = 0
    for path in files:
        problems = check_file(path, validator, loader_class)
        if problems:
            bad_files += 1
        for line, message in problems:
            errors += 1
            print(f"{path}:{line}: {message}" if line else f"{path}: {message}")
    if errors:
        print(f"validate-catalogs: {errors} error{'s' if errors != 1 else ''} in {bad_files} of {len(files)} "
              f"file{'s' if len(files) != 1 else ''}")
        return 1
    print(f"validate-catalogs: {len(files)} file{'s' if len(files) != 1 else ''} valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
