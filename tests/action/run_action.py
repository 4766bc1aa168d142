#!/usr/bin/env python3
"""Runs a composite action's steps the way the GitHub runner does, as far as this action needs.

Nothing can run a composite action locally, so this does what the runner does for each step:
evaluates `if:` (with the implicit `success() &&` when it names no status function) and `${{ }}`
expressions (inputs, steps.*.outputs, runner.*, github.*, always(), success(), failure(), ==, !=,
&&, ||, !), runs `run:` steps with
`bash --noprofile --norc -eo pipefail` in their `working-directory` with the step's `env:` and the
GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_PATH / GITHUB_ENV files, and records `uses:` steps (with
their evaluated `with:`) instead of running them.

Usage: run_action.py ACTION_YML --workspace DIR --temp DIR [--runner-os Linux] [--runner-arch X64]
                     [--event-name push] [--event EVENT_JSON] [--input NAME=VALUE]...
Prints one JSON object: outputs, steps (name, outcome), uses, summary, log, and commands: the
workflow commands the runner would obey in the log (`::name ...::message` and `##[name]` lines,
leading blanks allowed, none while `::stop-commands::TOKEN` is in force until `::TOKEN::`). Exit 0
when every step succeeded, 1 otherwise (the composite action's own result).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<call>[a-z]+\(\))"
    r"|(?P<ref>[A-Za-z_][A-Za-z0-9_.-]*)|(?P<number>\d+))"
)


class Context:
    def __init__(self, inputs, runner, github):
        self.inputs = inputs
        self.runner = runner
        self.github = github
        self.steps = {}
        self.failed = False

    def lookup(self, ref):
        parts = ref.split(".")
        if parts[0] in ("true", "false"):
            return parts[0] == "true"
        if parts[0] == "inputs":
            return self.inputs.get(parts[1], "")
        if parts[0] == "runner":
            return self.runner.get(parts[1], "")
        if parts[0] == "github":
            return self.github.get(parts[1], "")
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get("outputs", {}).get(parts[3], "")
        if parts[0] == "steps" and len(parts) == 3 and parts[2] in ("outcome", "conclusion"):
            return self.steps.get(parts[1], {}).get("outcome", "")
        raise ValueError(f"unsupported reference: {ref}")

    def evaluate(self, text):
        """Translates a GitHub expression into Python over literal values, then evaluates it."""
        out, pos = [], 0
        text = text.strip()
        while pos < len(text):
            m = TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ValueError(f"unsupported expression: {text!r} at {pos}")
            pos = m.end()
            if m.group("string") is not None:
                out.append(repr(m.group("string")[1:-1].replace("''", "'")))
            elif m.group("op"):
                out.append({"&&": " and ", "||": " or ", "!": " not "}.get(m.group("op"), m.group("op")))
            elif m.group("call"):
                name = m.group("call")
                calls = {"always()": True, "success()": not self.failed, "failure()": self.failed}
                if name not in calls:
                    raise ValueError(f"unsupported function: {name}")
                out.append(repr(calls[name]))
            elif m.group("ref"):
                out.append(repr(self.lookup(m.group("ref"))))
            else:
                out.append(m.group("number"))
        return eval("".join(out), {"__builtins__": {}}, {})  # noqa: S307 - literals only

    def substitute(self, value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return EXPRESSION.sub(lambda m: stringify(self.evaluate(m.group(1))), str(value))


def stringify(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_outputs(path):
    """`name=value` lines and `name<<DELIMITER` blocks."""
    outputs = {}
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            i += 1
            while i < len(lines) and lines[i] != delimiter:
                block.append(lines[i])
                i += 1
            outputs[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        i += 1
    return outputs


def workflow_commands(log):
    """The lines of `log` the runner would take as workflow commands, in order."""
    commands, stopped_until = [], None
    for line in log.splitlines():
        line = line.lstrip()
        if stopped_until is not None:
            if line == f"::{stopped_until}::":
                stopped_until = None
            continue
        if line.startswith("::stop-commands::"):
            stopped_until = line[len("::stop-commands::"):]
            continue
        if (line.startswith("::") and "::" in line[2:]) or line.startswith("##["):
            commands.append(line)
    return commands


def run_step(step, cx, args, state):
    env = dict(os.environ)
    env.update(state["env"])
    env["PATH"] = os.pathsep.join(state["path"] + [env.get("PATH", "")])
    files = {}
    for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_PATH", "GITHUB_ENV"):
        fd, files[name] = tempfile.mkstemp(dir=args.temp, prefix=name.lower() + "-")
        os.close(fd)
        env[name] = files[name]
    env.update(
        GITHUB_WORKSPACE=args.workspace,
        GITHUB_ACTION_PATH=cx.github["action_path"],
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME=cx.github["event_name"],
        GITHUB_EVENT_PATH=args.event or os.devnull,
        RUNNER_OS=cx.runner["os"],
        RUNNER_ARCH=cx.runner["arch"],
        RUNNER_TEMP=cx.runner["temp"],
    )
    for key, value in (step.get("env") or {}).items():
        env[key] = cx.substitute(value)
    cwd = os.path.join(args.workspace, cx.substitute(step.get("working-directory", ".")))
    fd, script = tempfile.mkstemp(dir=args.temp, prefix="step-", suffix=".sh")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(cx.substitute(step["run"]))
    shell = step.get("shell")
    if shell != "bash":
        raise ValueError(f"unsupported shell: {shell}")
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
        cwd=cwd, env=env, capture_output=True, text=True,
    )
    state["log"] += proc.stdout + proc.stderr
    state["summary"] += open(files["GITHUB_STEP_SUMMARY"], encoding="utf-8").read()
    state["path"] = [p for p in open(files["GITHUB_PATH"], encoding="utf-8").read().splitlines() if p] + state["path"]
    state["env"].update(read_outputs(files["GITHUB_ENV"]))
    return proc.returncode == 0, read_outputs(files["GITHUB_OUTPUT"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("action")
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--temp", required=True)
    parser.add_argument("--runner-os", default="Linux")
    parser.add_argument("--runner-arch", default="X64")
    parser.add_argument("--event-name", default="push")
    parser.add_argument("--event", help="the event payload (JSON file)")
    parser.add_argument("--input", action="append", default=[])
    args = parser.parse_args()

    action = yaml.safe_load(open(args.action, encoding="utf-8"))
    if action["runs"]["using"] != "composite":
        raise SystemExit("not a composite action")
    inputs = {name: str(spec.get("default", "")) for name, spec in (action.get("inputs") or {}).items()}
    for item in args.input:
        name, value = item.split("=", 1)
        if name not in inputs:
            raise SystemExit(f"the action has no input `{name}`")
        inputs[name] = value
    runner = {"os": args.runner_os, "arch": args.runner_arch, "temp": args.temp}
    github = {
        "workspace": args.workspace,
        "action_path": os.path.dirname(os.path.abspath(args.action)),
        "event_name": args.event_name,
    }
    cx = Context(inputs, runner, github)
    state = {"env": {}, "path": [], "log": "", "summary": ""}
    steps, uses = [], []
    for step in action["runs"]["steps"]:
        name = step.get("name", step.get("uses", "run"))
        condition = EXPRESSION.sub(lambda m: m.group(1), str(step.get("if", "success()")))
        if not re.search(r"\b(always|success|failure|cancelled)\(\)", condition):
            condition = f"success() && ({condition})"  # the runner's implicit status check
        if not cx.evaluate(condition):
            steps.append({"name": name, "outcome": "skipped"})
            continue
        if "uses" in step:
            with_ = {k: cx.substitute(v) for k, v in (step.get("with") or {}).items()}
            uses.append({"uses": step["uses"], "with": with_})
            ok, outputs = True, {}
        else:
            ok, outputs = run_step(step, cx, args, state)
        if "id" in step:
            cx.steps[step["id"]] = {"outputs": outputs, "outcome": "success" if ok else "failure"}
        cx.failed = cx.failed or not ok
        steps.append({"name": name, "outcome": "success" if ok else "failure"})
    outputs = {name: cx.substitute(spec.get("value")) for name, spec in (action.get("outputs") or {}).items()}
    report = {"outputs": outputs, "steps": steps, "uses": uses, "summary": state["summary"], "log": state["log"],
              "commands": workflow_commands(state["log"])}
    json.dump(report, sys.stdout, indent=2)
    sys.exit(1 if cx.failed else 0)


if __name__ == "__main__":
    main()
